//go:build unix

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestServe: xacct serve prints the variables (json), serves the
// profile's credentials at the URI with the token file's token, warns of
// the [default] that would shadow it, and on SIGTERM exits 0 with the
// token file gone.
func TestServe(t *testing.T) {
	t.Parallel()
	w, env := endpointWorld(t)
	cmd := detached(env, w.bin, "serve", "--cache-dir", w.store, "plain", "--format", "json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer killGroup(cmd)
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("no variables: %v\n%s", err, stderr.String())
	}
	var vars map[string]*string
	if err := json.Unmarshal([]byte(line), &vars); err != nil {
		t.Fatalf("%v: %s", err, line)
	}
	uri, file := vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"], vars["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]
	if uri == nil || file == nil || vars["AWS_REGION"] == nil || *vars["AWS_REGION"] != "us-east-1" {
		t.Fatalf("variables: %s", line)
	}
	if p, ok := vars["AWS_PROFILE"]; !ok || p != nil {
		t.Errorf("AWS_PROFILE is not removed (null): %s", line)
	}
	token, _ := os.ReadFile(*file)
	if fi, err := os.Stat(*file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("token file: %v %v", fi, err)
	}
	req, _ := http.NewRequest("GET", *uri, nil)
	req.Header.Set("Authorization", string(token))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var creds struct{ AccessKeyId, Expiration string }
	json.NewDecoder(resp.Body).Decode(&creds)
	resp.Body.Close()
	if resp.StatusCode != 200 || creds.AccessKeyId == "" || !strings.HasSuffix(creds.Expiration, "Z") {
		t.Errorf("GET: %d %+v", resp.StatusCode, creds)
	}
	terminate(t, cmd)
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit %d, want 0\n%s", code, stderr.String())
	}
	if _, err := os.Stat(*file); !os.IsNotExist(err) {
		t.Errorf("the token file is left: %v", err)
	}
	if s := stderr.String(); !strings.Contains(s, "warning: [default] in") || !strings.Contains(s, "aws_access_key_id") {
		t.Errorf("no warning of the [default] that shadows the endpoint:\n%s", s)
	}
	assertNoSecret(t, "serve's stderr", stderr.String(), string(token))
}

func TestServeUsage(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "plain", "--addr", "0.0.0.0:0"}, "loopback address only"},
		{[]string{"serve", "plain", "--format", "bash"}, `--format "bash": want one of sh, fish, pwsh, json, dotenv`},
		{[]string{"serve", "--profile", "dev", "plain"}, `unexpected argument "plain"`},
		{[]string{"serve", "plain", "extra"}, `unexpected argument "extra"`},
	} {
		r := w.run(t, tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d %s, want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}
