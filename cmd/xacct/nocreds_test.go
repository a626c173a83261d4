package main

import (
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestNothingFoundSaysWhatIsMissing: with no profile named, no [default]
// and no keys in the environment, a command on a laptop (where the
// instance metadata address answers nothing) ends within about a second
// with one line that says what is missing and names the flag, without the
// SDK's warning or text.
func TestNothingFoundSaysWhatIsMissing(t *testing.T) {
	t.Parallel()
	silent, err := net.Listen("tcp", "127.0.0.1:0") // the metadata address of a laptop: no answer
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	home := t.TempDir()
	for _, args := range [][]string{{"env"}, {"exec", "--", "true"}, {"accounts"}} {
		cmd := exec.Command(xacctBinary(t), args...)
		cmd.Env = cleanEnv(home, "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://"+silent.Addr().String())
		r := runCmd(t, cmd, "")
		line := strings.TrimSuffix(r.stderr, "\n")
		switch {
		case r.code != exitCredentials:
			t.Errorf("%v: exit %d, want %d; stderr %q", args, r.code, exitCredentials, r.stderr)
		case strings.Contains(line, "\n") || strings.Contains(line, "SDK") || strings.Contains(line, "operation error"):
			t.Errorf("%v: stderr %q: want one line without the SDK's", args, r.stderr)
		case !strings.Contains(line, "no instance metadata service answered within 1s") ||
			!strings.Contains(line, "name a profile (--profile, or AWS_PROFILE), add a [default] profile to "+home+"/.aws/config"):
			t.Errorf("%v: stderr %q: want what is missing, and what to do", args, r.stderr)
		case r.took > 10*time.Second:
			t.Errorf("%v took %v: the probe's bound is 1s", args, r.took)
		}
	}
}
