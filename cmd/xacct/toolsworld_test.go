package main

// The world of the tests of credential-process, exec, login and cache:
// `xacct fake-sts` on testdata/tools.json as a process, a config file of
// profiles read by xacct and the AWS CLI, a credential store, and a token
// command that counts its runs. The commands run as processes (the built
// binary) with no controlling terminal, as under an IDE or the AWS CLI.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xacct/xacct/internal/totp"
)

// The scenario's users: dev (the xacct side) and cli (the AWS CLI's side),
// each with a device of its own, so that their codes never collide.
const (
	devKey     = "AKIAEXAMPLETOOLSDEV1"
	devSecret  = "dev-secret-key-never-printed"
	devTOTP    = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	devMFA     = "arn:aws:iam::111111111111:mfa/dev"
	cliKey     = "AKIAEXAMPLETOOLSCLI1"
	cliSecret  = "cli-secret-key-never-printed"
	cliTOTP    = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	cliMFA     = "arn:aws:iam::111111111111:mfa/cli"
	adminRole  = "arn:aws:iam::222222222222:role/Admin"
	plainRole  = "arn:aws:iam::222222222222:role/Plain"
	deployRole = "arn:aws:iam::333333333333:role/Deploy"
	deployARN  = "arn:aws:sts::333333333333:assumed-role/Deploy/tools"
	webRole    = "arn:aws:iam::444444444444:role/Web"
	webIssuer  = "https://oidc.example.com/tools"
)

// toolsWorld is one fake STS and what the commands need around it.
type toolsWorld struct {
	bin      string // the xacct binary
	dir      string
	config   string // the shared config file
	store    string // --cache-dir
	tokenLog string // a line per run of the token command
	slowFlag string // while this file exists, the token command hangs
	token    string // --token-command
	webToken string // the web identity token file of profile web, written by the fake
	fake     *fakeProc
	env      []string // of every command: the files, the token's settings, no AWS_* of the caller
}

func newToolsWorld(t *testing.T, fakeArgs ...string) *toolsWorld {
	t.Helper()
	bin := xacctBinary(t)
	dir := t.TempDir()
	w := &toolsWorld{
		bin: bin, dir: dir, config: filepath.Join(dir, "config"), store: filepath.Join(dir, "store"),
		tokenLog: filepath.Join(dir, "tokens.log"), slowFlag: filepath.Join(dir, "slow"),
		webToken: filepath.Join(dir, "web-token"),
		// The test binary is the token command (tokenHelper, by TestMain).
		token: os.Args[0],
	}
	fakeArgs = append([]string{"--web-identity-token", webIssuer + ",system:serviceaccount:ci:tools,sts.amazonaws.com=" + w.webToken},
		fakeArgs...)
	w.fake = startFake(t, "testdata/tools.json", fakeArgs...)
	if err := os.WriteFile(w.config, []byte(w.configText()), 0o600); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "home")
	os.Mkdir(home, 0o700)
	w.env = cleanEnv(home, "AWS_CONFIG_FILE="+w.config,
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"), "AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard",
		"XACCT_TEST_TOKEN=1", "XACCT_TEST_TOTP="+devTOTP, "XACCT_TEST_TOKEN_LOG="+w.tokenLog,
		"XACCT_TEST_SLOW_TOKEN="+w.slowFlag)
	return w
}

// configText is the config file: dev's keys make an MFA session (mfa_serial
// with keys and no role_arn), Admin requires MFA, Deploy trusts Admin; web
// is a web identity, with the token the fake wrote.
func (w *toolsWorld) configText() string {
	common := "region = us-east-1\nservices = fake\n"
	return `[services fake]
sts =
  endpoint_url = ` + w.fake.url + `

[profile dev]
aws_access_key_id = ` + devKey + `
aws_secret_access_key = ` + devSecret + `
mfa_serial = ` + devMFA + `
` + common + `
[profile admin]
role_arn = ` + adminRole + `
source_profile = dev
role_session_name = tools
` + common + `
[profile chain]
role_arn = ` + deployRole + `
source_profile = admin
role_session_name = tools
` + common + `
[profile short]
role_arn = ` + deployRole + `
source_profile = admin
duration_seconds = 900
` + common + `
[profile dev-keys]
aws_access_key_id = ` + devKey + `
aws_secret_access_key = ` + devSecret + `
` + common + `
[profile plain]
role_arn = ` + plainRole + `
source_profile = dev-keys
role_session_name = tools
` + common + `
[profile denied]
role_arn = ` + adminRole + `
source_profile = dev-keys
` + common + `
[profile wrapped]
credential_process = ` + w.bin + ` credential-process --profile chain --cache-dir ` + w.store +
		` --token-command "` + w.token + `"
` + common + `
[profile selfref]
credential_process = ` + w.bin + ` credential-process --profile selfref-hop --cache-dir ` + w.store + `
` + common + `
[profile selfref-hop]
role_arn = ` + plainRole + `
source_profile = selfref
` + common + `
[profile cli-base]
aws_access_key_id = ` + cliKey + `
aws_secret_access_key = ` + cliSecret + `
` + common + `
[profile cli-admin]
role_arn = ` + adminRole + `
source_profile = cli-base
mfa_serial = ` + cliMFA + `
role_session_name = tools
` + common + `
[profile cli-chain]
role_arn = ` + deployRole + `
source_profile = cli-admin
role_session_name = tools
` + common + `
[profile web]
role_arn = ` + webRole + `
web_identity_token_file = ` + w.webToken + `
role_session_name = tools
` + common
}

// command returns xacct with args, in the world's environment, with no
// controlling terminal (a session of its own) and stdin empty.
func (w *toolsWorld) command(args ...string) *exec.Cmd {
	return detached(w.env, w.bin, args...)
}

// run runs xacct to its end (runCmd).
func (w *toolsWorld) run(t *testing.T, args ...string) result {
	t.Helper()
	return runCmd(t, w.command(args...), "")
}

// holder is a credential-process of profile chain that holds the locks of
// its chain's steps: its token command hangs (slowFlag), so it waits with
// them held until it is killed.
type holder struct {
	cmd  *exec.Cmd
	wait func() error // reaps it, once
}

// startHolder starts a holder and returns once its token command runs. At
// the test's end it is killed with what it started (its token command
// outlives it), and reaped.
func (w *toolsWorld) startHolder(t *testing.T) *holder {
	t.Helper()
	os.WriteFile(w.slowFlag, nil, 0o600)
	h := &holder{cmd: w.command("credential-process", "--profile", "chain", "--cache-dir", w.store, "--token-command", w.token)}
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h.wait = sync.OnceValue(h.cmd.Wait)
	t.Cleanup(func() { killGroup(h.cmd); h.wait() })
	waitFor(t, func() bool { return w.tokenRuns() == 1 })
	return h
}

// tokenRuns counts the runs of the token command.
func (w *toolsWorld) tokenRuns() int {
	b, _ := os.ReadFile(w.tokenLog)
	return strings.Count(string(b), "\n")
}

// calls counts the fake's allowed calls of action, for role when not
// empty ("GetSessionToken", serial when not empty).
func (w *toolsWorld) calls(action, target string) int {
	n := 0
	for _, line := range strings.Split(w.fake.settledLog(), "\n") {
		if !strings.Contains(line, " "+action+" ") || !strings.HasSuffix(line, "=> allowed") {
			continue
		}
		if target == "" || strings.Contains(line, "role="+target+" ") || strings.Contains(line, "serial="+target+" ") {
			n++
		}
	}
	return n
}

// stsCalls counts every STS call the fake answered, allowed or not, but
// GetCallerIdentity (the AWS CLI's own call with the credentials).
func (w *toolsWorld) stsCalls() int {
	n := 0
	for _, line := range strings.Split(w.fake.settledLog(), "\n") {
		if strings.Contains(line, "=>") && !strings.Contains(line, " GetCallerIdentity ") {
			n++
		}
	}
	return n
}

// assertNoSecret fails when text shows a secret of the scenario or of
// credentials a command printed.
func assertNoSecret(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range append([]string{devSecret, cliSecret, devTOTP, cliTOTP}, secrets...) {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s shows a secret (%.6s…):\n%s", what, s, text)
		}
	}
}

// fakeProc is `xacct fake-sts` as a process, its log readable while it runs.
type fakeProc struct {
	url      string
	cmd      *exec.Cmd
	stopOnce sync.Once
	mu       sync.Mutex   // guards buf
	buf      bytes.Buffer // its stderr: a line per call
}

func (f *fakeProc) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.buf.Write(p)
}

func (f *fakeProc) log() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.buf.String()
}

// settledLog returns the log once it has not grown for a while: a call's
// line reaches the pipe from the fake after the client has its answer.
func (f *fakeProc) settledLog() string {
	last := f.log()
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); {
		time.Sleep(logSettle)
		if cur := f.log(); cur != last {
			last = cur
			continue
		}
		break
	}
	return last
}

// logSettle is how long the log must stay the same to count as complete:
// far above the time a line takes through a pipe.
const logSettle = 100 * time.Millisecond

// startFake starts the fake on a scenario file, with args; it stops at
// the test's end, if stop has not stopped it before.
func startFake(t *testing.T, scenario string, args ...string) *fakeProc {
	t.Helper()
	f := &fakeProc{cmd: exec.Command(xacctBinary(t), append([]string{"fake-sts", "--config", scenario}, args...)...)}
	f.cmd.Stderr = f
	stdout, err := f.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.stop(t) })
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		t.Fatalf("fake-sts printed no URL: %s", f.log())
	}
	f.url = lines.Text()
	if !strings.HasPrefix(f.url, "http://127.0.0.1:") {
		t.Fatalf("fake-sts's first line %q is not http://127.0.0.1:PORT", f.url)
	}
	return f
}

// stop stops the fake with SIGINT, as a person would, and returns its
// whole log. A fake that does not exit cleanly within ten seconds fails
// the test.
func (f *fakeProc) stop(t *testing.T) string {
	t.Helper()
	f.stopOnce.Do(func() {
		f.cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- f.cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("fake-sts did not exit cleanly on SIGINT: %v", err)
			}
		case <-time.After(10 * time.Second):
			f.cmd.Process.Kill()
			<-done
			t.Error("fake-sts did not stop on SIGINT")
		}
	})
	return f.log()
}

// tokenHelper is the token command of the tests, when the world runs the
// test binary as it (XACCT_TEST_TOKEN): it logs its run, and prints the
// TOTP code of now for XACCT_TEST_TOTP, or hangs while
// XACCT_TEST_SLOW_TOKEN exists.
func tokenHelper() error {
	f, err := os.OpenFile(os.Getenv("XACCT_TEST_TOKEN_LOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	fmt.Fprintln(f, os.Getpid(), os.Getenv("XACCT_MFA_SERIAL"))
	f.Close()
	if _, err := os.Stat(os.Getenv("XACCT_TEST_SLOW_TOKEN")); err == nil {
		time.Sleep(time.Minute) // until killed: ProcessToken kills it when its fetch ends
		return errors.New("slow, and not killed")
	}
	code, err := totpCode(os.Getenv("XACCT_TEST_TOTP"), time.Now())
	if err != nil {
		return err
	}
	fmt.Println(code)
	return nil
}

// totpCode returns the code that a device of the base32 secret shows at.
func totpCode(secret string, at time.Time) (string, error) {
	key, err := totp.DecodeSecret(secret)
	if err != nil {
		return "", err
	}
	return totp.Code(key, totp.Step(at)), nil
}

// codeAt is totpCode for a test, which a bad secret fails. It may be
// called from any goroutine.
func codeAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totpCode(secret, at)
	if err != nil {
		t.Errorf("TOTP secret %.4s…: %v", secret, err)
	}
	return code
}
