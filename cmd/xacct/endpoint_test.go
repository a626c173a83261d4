//go:build unix

package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/xaccttest"
)

const plainARN = "arn:aws:sts::222222222222:assumed-role/Plain/tools"

// endpointWorld is the tools world with a [default] that yields other
// credentials (cli's keys, in the credentials file), a [default] config
// section that points the SDKs at the fake, and, in the environment,
// AWS_PROFILE and keys that a child must not see.
func endpointWorld(t *testing.T) (*toolsWorld, []string) {
	t.Helper()
	w := newToolsWorld(t)
	config := filepath.Join(w.dir, "config-default")
	creds := filepath.Join(w.dir, "credentials")
	os.WriteFile(config, []byte(w.configText()+"\n[default]\nregion = us-east-1\nservices = fake\n"), 0o600)
	os.WriteFile(creds, []byte("[default]\naws_access_key_id = "+cliKey+"\naws_secret_access_key = "+cliSecret+"\n"), 0o600)
	env := append(append([]string(nil), w.env...), "AWS_CONFIG_FILE="+config, "AWS_SHARED_CREDENTIALS_FILE="+creds,
		"AWS_PROFILE=cli-base", "AWS_ACCESS_KEY_ID="+cliKey, "AWS_SECRET_ACCESS_KEY="+cliSecret)
	return w, env
}

// TestExecServerRealClients: the AWS CLI, boto3, the JS SDK v3 and the Go
// SDK, each the child of xacct exec --server plain, get the profile's
// role from the endpoint, though a [default] profile holds other keys (and
// AWS_PROFILE and keys are set); the AWS CLI's --profile inside the child
// still names another profile.
func TestExecServerRealClients(t *testing.T) {
	t.Parallel()
	w, env := endpointWorld(t)
	jsScript, _ := filepath.Abs(filepath.Join(jsClientDir, "whoami-default.mjs"))
	clients := []struct {
		name    string
		missing func() string
		argv    []string
		want    string
	}{
		{"AWS CLI", func() string { return missingCommand("aws", "the awscli package") },
			[]string{"aws", "sts", "get-caller-identity", "--query", "Arn", "--output", "text"}, plainARN},
		{"AWS CLI --profile dev-keys", func() string { return missingCommand("aws", "the awscli package") },
			[]string{"aws", "sts", "get-caller-identity", "--profile", "dev-keys", "--query", "Arn", "--output", "text"},
			"arn:aws:iam::111111111111:user/dev"},
		{"boto3", func() string {
			if pythonWithBoto3() == "" {
				return "no python3 with boto3 (install python3-boto3, or set XACCT_PYTHON)"
			}
			return ""
		}, []string{pythonWithBoto3(), "-c", "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"}, plainARN},
		{"JS SDK v3", func() string {
			if why := missingCommand("node", "Node.js"); why != "" {
				return why
			}
			if _, err := os.Stat(filepath.Join(jsClientDir, "node_modules", "@aws-sdk", "client-sts")); err != nil {
				return "the AWS SDK for JavaScript is not installed: run npm ci in cmd/xacct/" + jsClientDir
			}
			return ""
		}, []string{"node", "--no-warnings", jsScript}, `{"ARN":"` + plainARN + `"}`},
		{"Go SDK", func() string { return "" }, []string{os.Args[0]}, plainARN},
	}
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			needPeer(t, c.missing())
			args := append([]string{"exec", "--server", "--cache-dir", w.store, "plain", "--"}, c.argv...)
			childEnv := env
			if c.name == "Go SDK" { // the test binary as the child (testChild)
				childEnv = append(append([]string(nil), env...), "XACCT_TEST_CHILD=1", "XACCT_TEST_FAIL=none")
			}
			cmd := detached(childEnv, w.bin, args...)
			r := runCmd(t, cmd, "")
			if r.code != 0 || strings.TrimSpace(lastLine(r.stdout)) != c.want {
				t.Errorf("exit %d, stdout %q, want %q\nstderr: %s", r.code, r.stdout, c.want, r.stderr)
			}
			assertNoSecret(t, "the output", r.stdout+r.stderr)
		})
	}
}

// TestExecServerFiles: the child's token file (0600, no newline) and
// shared files (0600 copies without [default]'s keys) are in a 0700
// directory, gone when the child ends; the user's files are unchanged;
// the variables that could pick other credentials are gone.
func TestExecServerFiles(t *testing.T) {
	t.Parallel()
	w, env := endpointWorld(t)
	userCreds, _ := os.ReadFile(filepath.Join(w.dir, "credentials"))
	script := `d=$(dirname "$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
printf '%s\n' "$d" "$(stat -c %a "$d")" "$(stat -c %a "$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")" \
  "$(stat -c %a "$AWS_SHARED_CREDENTIALS_FILE")" "$(wc -c < "$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")" \
  "$AWS_CONTAINER_CREDENTIALS_FULL_URI" "${AWS_PROFILE-none}${AWS_ACCESS_KEY_ID-none}" "$AWS_REGION"
cat "$AWS_SHARED_CREDENTIALS_FILE"`
	r := runCmd(t, detached(env, w.bin, "exec", "--server", "--profile", "plain", "--cache-dir", w.store, "--", "sh", "-c", script), "")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	lines := strings.Split(r.stdout, "\n")
	if len(lines) < 8 {
		t.Fatalf("child printed:\n%s", r.stdout)
	}
	dir := lines[0]
	want := []string{dir, "700", "600", "600", "64"}
	for i, v := range want {
		if lines[i] != v {
			t.Errorf("line %d: %q, want %q (dir, dir mode, token mode, credentials mode, token bytes)", i, lines[i], v)
		}
	}
	if !strings.HasPrefix(lines[5], "http://127.0.0.1:") || lines[6] != "nonenone" || lines[7] != "us-east-1" {
		t.Errorf("URI %q, AWS_PROFILE and keys %q, region %q", lines[5], lines[6], lines[7])
	}
	if strings.Contains(r.stdout, cliKey) || !strings.Contains(r.stdout, "[default]") {
		t.Errorf("the copy of the credentials file:\n%s", r.stdout)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the private directory %s is left after the child: %v", dir, err)
	}
	if now, _ := os.ReadFile(filepath.Join(w.dir, "credentials")); string(now) != string(userCreds) {
		t.Errorf("the user's credentials file changed:\n%s", now)
	}
}

// TestExecServerSignal: SIGTERM to xacct goes to the child; xacct exits
// with the child's status (143), and the private directory is gone.
func TestExecServerSignal(t *testing.T) {
	t.Parallel()
	w, env := endpointWorld(t)
	dirFile := filepath.Join(w.dir, "childdir")
	cmd := detached(env, w.bin, "exec", "--server", "--cache-dir", w.store, "plain", "--", "sh", "-c",
		`dirname "$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE" > `+dirFile+`.tmp && mv `+dirFile+`.tmp `+dirFile+`; exec sleep 60`)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var dir string
	waitFor(t, func() bool { b, _ := os.ReadFile(dirFile); dir = strings.TrimSpace(string(b)); return dir != "" })
	terminate(t, cmd)
	if code := cmd.ProcessState.ExitCode(); code != 143 {
		t.Errorf("exit %d, want 143 (the child's, killed by SIGTERM)", code)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the private directory %s is left: %v", dir, err)
	}
}

// TestEndpointHintNamesTheProfile: the 503 of a refresh that needs a code
// says to run xacct login for the profile; other answers pass unchanged.
func TestEndpointHintNamesTheProfile(t *testing.T) {
	t.Parallel()
	srv := xaccttest.NewServer()
	defer srv.Close()
	must(t, srv.AddUser("111111111111", "dev", xaccttest.User{AccessKeyID: devKey, SecretAccessKey: devSecret, MFATOTPSecret: devTOTP}))
	cfg := srv.Config(devKey, devSecret, "")
	session, err := xacct.MFASession(cfg, "arn:aws:iam::111111111111:mfa/dev", srv.TokenFunc(),
		func(o *xacct.Options) { o.Now, o.SessionDuration = srv.Clock.Now, time.Hour })
	must(t, err)
	if _, err := session.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	token := strings.Repeat("t", 32)
	h := loginHint{h: xacct.CredentialsHandler(session, token), profile: "admin"}
	ask := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "http://127.0.0.1/", nil)
		req.Header.Set("Authorization", token)
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := ask(); rec.Code != 200 || !strings.Contains(rec.Body.String(), "AccessKeyId") || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("before the end: %d %s %v", rec.Code, rec.Body, rec.Header())
	}
	srv.Clock.Advance(61 * time.Minute)
	rec := ask()
	var v struct{ Code, Message string }
	json.Unmarshal(rec.Body.Bytes(), &v)
	if rec.Code != 503 || v.Code != "MFACodeNeeded" || !strings.Contains(v.Message, "xacct login --profile admin") {
		t.Errorf("after the session: %d %s, want a 503 saying to run xacct login --profile admin", rec.Code, rec.Body)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// terminate sends cmd SIGTERM and waits for it to end, at most 30s.
func terminate(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		killGroup(cmd)
		t.Fatal("xacct did not end after SIGTERM")
	}
}
