package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xacct/xacct/internal/testutil"
)

// The command gets the profile's credentials, its region, and no other
// way to credentials; xacct exits with its status. The region is the one
// xacct.LoadConfig resolves, as the SDKs do: AWS_REGION (or
// AWS_DEFAULT_REGION) when set, else the profile's.
func TestExecEnvironment(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	cmd := w.command("exec", "--profile", "plain", "--cache-dir", w.store, "--", "sh", "-c", "env; exit 7")
	cmd.Env = append(cmd.Env, "AWS_PROFILE=chain", "AWS_DEFAULT_PROFILE=chain", "AWS_ACCESS_KEY_ID=AKIAOUTSIDE",
		"AWS_SECRET_ACCESS_KEY=outside", "AWS_SESSION_TOKEN=outside", "AWS_WEB_IDENTITY_TOKEN_FILE=/t",
		"AWS_ROLE_ARN="+adminRole, "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:9", "AWS_ACCOUNT_ID=111111111111",
		recursionVar+"=outer")
	r := runCmd(t, cmd, "")
	if r.code != 7 {
		t.Fatalf("exit %d, want the command's 7\n%s", r.code, r.stderr)
	}
	env := map[string]string{}
	for _, kv := range strings.Split(r.stdout, "\n") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	for k, want := range map[string]string{
		"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCOUNT_ID": "222222222222",
		"AWS_CONFIG_FILE": w.config, recursionVar: "outer",
	} {
		if env[k] != want {
			t.Errorf("%s=%q, want %q", k, env[k], want)
		}
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		if v, ok := env[k]; ok {
			t.Errorf("%s=%q is left to the command", k, v)
		}
	}
	exp, err := time.Parse(time.RFC3339, env["AWS_CREDENTIAL_EXPIRATION"])
	if !strings.HasPrefix(env["AWS_ACCESS_KEY_ID"], "ASIA") || env["AWS_SECRET_ACCESS_KEY"] == "" ||
		env["AWS_SESSION_TOKEN"] == "" || err != nil || time.Until(exp) < 50*time.Minute {
		t.Errorf("credentials %s, expiration %q", env["AWS_ACCESS_KEY_ID"], env["AWS_CREDENTIAL_EXPIRATION"])
	}
	assertNoSecret(t, "stderr", r.stderr, env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"])

	cmd = w.command("exec", "--profile", "plain", "--cache-dir", w.store, "--", "sh", "-c", "env")
	cmd.Env = append(cmd.Env, "AWS_DEFAULT_REGION=eu-west-3")
	if r := runCmd(t, cmd, ""); !strings.Contains(r.stdout, "\nAWS_REGION=eu-west-3\n") ||
		!strings.Contains(r.stdout, "\nAWS_DEFAULT_REGION=eu-west-3\n") {
		t.Errorf("AWS_DEFAULT_REGION=eu-west-3 outside: the command's region variables are not both eu-west-3")
	}

	// The command works with them: the AWS CLI, when there is one, is
	// the Plain role's session.
	if missingCommand("aws", "awscli") == "" {
		cmd := w.command("exec", "--profile", "plain", "--cache-dir", w.store, "--", "aws", "sts", "get-caller-identity",
			"--query", "Arn", "--output", "text")
		cmd.Env = append(cmd.Env, "AWS_ENDPOINT_URL_STS="+w.fake.url)
		r := runCmd(t, cmd, "")
		if got := strings.TrimSpace(r.stdout); r.code != 0 || got != "arn:aws:sts::222222222222:assumed-role/Plain/tools" {
			t.Errorf("aws sts get-caller-identity under exec: exit %d, %q\n%s", r.code, got, r.stderr)
		}
	}
}

func TestExecFailures(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"plain", "--no-such-flag"}, exitConfig, "unknown flag: --no-such-flag"},
		{[]string{"--profile", "plain", "--", "no-such-command-xacct"}, exitNotFound, `command "no-such-command-xacct"`},
		{[]string{"--profile", "plain", "--", w.config}, exitCannotRun, "permission denied"},
		{[]string{"--profile", "chain", "--", "true"}, exitMFAImpossible, "xacct login --profile chain"},
		{[]string{"--profile", "denied", "--", "true"}, exitCredentials, "AccessDenied"},
	} {
		r := w.run(t, append([]string{"exec", "--cache-dir", w.store}, tt.args...)...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.want) || !strings.HasPrefix(r.stderr, "xacct exec: ") {
			t.Errorf("%v: exit %d, want %d and %q\n%s", tt.args, r.code, tt.code, tt.want, r.stderr)
		}
	}
}

// Signals sent to xacct reach the command once; its death by a signal is
// 128 + the signal.
func TestExecSignals(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
		got, ready := filepath.Join(w.dir, sig.String()), filepath.Join(w.dir, sig.String()+".ready")
		// The command records the signal and exits 42; a second one would
		// show as a second line.
		name := sigName(sig)
		script := `trap 'echo ` + name + ` >> "$1"; sleep 0.3; exit 42' ` + name + `; touch "$2"; while :; do sleep 0.02; done`
		cmd := w.command("exec", "--profile", "plain", "--cache-dir", w.store, "--", "sh", "-c", script, "sh", got, ready)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, func() bool { _, err := os.Stat(ready); return err == nil })
		cmd.Process.Signal(sig)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			killGroup(cmd)
			<-done
			t.Fatalf("%v: the command did not end", sig)
		}
		if b, _ := os.ReadFile(got); cmd.ProcessState.ExitCode() != 42 || string(b) != name+"\n" {
			t.Errorf("%v: exit %d, the command saw %q; want 42 and the signal once", sig, cmd.ProcessState.ExitCode(), b)
		}
	}
	r := w.run(t, "exec", "--profile", "plain", "--cache-dir", w.store, "--", "sh", "-c", "kill -TERM $$")
	if r.code != 128+int(syscall.SIGTERM) {
		t.Errorf("a command killed by SIGTERM: exit %d, want 143", r.code)
	}
}

func sigName(s syscall.Signal) string {
	return map[syscall.Signal]string{syscall.SIGTERM: "TERM", syscall.SIGINT: "INT", syscall.SIGHUP: "HUP"}[s]
}

// With no profile named and keys in the environment, exec gives the
// command what the SDKs' default chain gives: those keys (it once looked
// for a profile "default" and failed).
func TestExecWithTheEnvironmentsKeys(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	env := cleanEnv(home, "AWS_CONFIG_FILE="+filepath.Join(home, "none"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "none"),
		"AWS_ACCESS_KEY_ID=AKIAEXAMPLEENVKEY001", "AWS_SECRET_ACCESS_KEY=env-secret", "AWS_REGION=eu-west-1")
	r := runCmd(t, detached(env, xacctBinary(t), "exec", "--no-cache", "--", "sh", "-c",
		`echo "$AWS_ACCESS_KEY_ID $AWS_REGION"`), "")
	if r.code != 0 || r.stdout != "AKIAEXAMPLEENVKEY001 eu-west-1\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want the environment's key and region", r.code, r.stdout, r.stderr)
	}
}

// waitFor polls cond for up to 10 seconds: the commands' tests wait on
// processes, which a loaded machine starts slowly.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	testutil.WaitFor(t, 10*time.Second, "the condition", cond)
}

// aws-vault's habits: exec PROFILE CMD; exec PROFILE opens the shell,
// saying which profile and until when; the child is marked with the
// profile; an exec inside it is refused unless --force.
func TestExecHabits(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	shell := filepath.Join(t.TempDir(), "myshell")
	testutil.WriteFile(t, shell, "#!/bin/sh\necho \"shell $XACCT_PROFILE $AWS_VAULT $AWS_REGION\"\n", 0o700)

	r := w.run(t, "exec", "plain", "--cache-dir", w.store, "sh", "-c", `echo "$XACCT_PROFILE $AWS_VAULT"`)
	if r.code != 0 || r.stdout != "plain plain\n" {
		t.Errorf("exec plain sh -c: exit %d, stdout %q\n%s", r.code, r.stdout, r.stderr)
	}

	cmd := w.command("exec", "plain", "--cache-dir", w.store)
	cmd.Env = append(cmd.Env, "SHELL="+shell)
	r = runCmd(t, cmd, "")
	if r.code != 0 || r.stdout != "shell plain plain us-east-1\n" ||
		!strings.Contains(r.stderr, "xacct exec: "+shell+" with the credentials of profile plain until ") ||
		!strings.Contains(r.stderr, "; exit it to drop them") {
		t.Errorf("exec plain with SHELL: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	for _, marker := range []string{"XACCT_PROFILE=plain", "AWS_VAULT=work"} {
		cmd = w.command("exec", "plain", "--cache-dir", w.store, "true")
		cmd.Env = append(cmd.Env, marker)
		r = runCmd(t, cmd, "")
		if r.code != exitConfig || !strings.Contains(r.stderr, "this shell already has the credentials of profile") ||
			!strings.Contains(r.stderr, "--force") {
			t.Errorf("nested exec (%s): exit %d, stderr %q", marker, r.code, r.stderr)
		}
		cmd = w.command("exec", "plain", "--force", "--cache-dir", w.store, "sh", "-c", `echo "$XACCT_PROFILE $AWS_VAULT"`)
		cmd.Env = append(cmd.Env, marker)
		if r = runCmd(t, cmd, ""); r.code != 0 || r.stdout != "plain plain\n" {
			t.Errorf("nested exec --force (%s): exit %d, stdout %q, stderr %q", marker, r.code, r.stdout, r.stderr)
		}
	}
}
