//go:build linux

package xacct

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xacct/xacct/internal/testutil"
)

// A profile's credential_process runs as a process tree: what it leaves
// in the background (holding stdout) is killed when it exits, and its
// credentials come at once; what it started is killed with it when the
// fetch times out. Before, the leftover held the SDK's Wait until it
// exited, and outlived the fetch that gave up on it.
func TestCredentialProcessEndsItsTree(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, script string
		wantErr      bool
	}{
		{"left in the background", `sleep 300 & echo $! > "$PIDFILE"
echo '{"Version": 1, "AccessKeyId": "AKIAEXAMPLELEFTOVER1", "SecretAccessKey": "leftover-secret"}'`, false},
		{"the fetch times out", `sleep 300 & echo $! > "$PIDFILE.tmp" && mv "$PIDFILE.tmp" "$PIDFILE"; wait`, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			pidFile := filepath.Join(dir, "pid")
			script := filepath.Join(dir, "creds.sh")
			config := filepath.Join(dir, "config")
			testutil.WriteFile(t, script, "#!/bin/sh\nPIDFILE="+pidFile+"\n"+tt.script+"\n", 0o700)
			testutil.WriteFile(t, config, "[profile proc]\ncredential_process = "+script+"\n", 0o600)
			cfg, err := LoadConfig(context.Background(), "proc", func(o *Options) {
				o.ConfigFiles, o.CredentialsFiles = []string{config}, []string{filepath.Join(dir, "none")}
				o.RefreshTimeout = 2 * time.Second
			})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			creds, err := cfg.Credentials.Retrieve(context.Background())
			switch {
			case tt.wantErr && err == nil:
				t.Error("Retrieve: no error, the command never answered")
			case !tt.wantErr && (err != nil || creds.AccessKeyID != "AKIAEXAMPLELEFTOVER1"):
				t.Errorf("Retrieve = %s, %v; want the command's keys", creds.AccessKeyID, err)
			case !tt.wantErr && time.Since(start) > time.Second:
				t.Errorf("Retrieve took %v: it waited for the leftover", time.Since(start))
			}
			testutil.WaitGone(t, readPID(t, pidFile))
		})
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// readPID reads the PID a script wrote, and kills that process at the
// test's end, in case it outlives it.
func readPID(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	return pid
}
