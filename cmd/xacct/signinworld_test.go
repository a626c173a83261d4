package main

// The world of the tests of eks-token and console: an in-process fake STS
// (xaccttest, so that tests can verify tokens and count calls) on
// testdata/signin.json, a config file of profiles read by xacct and by the
// AWS CLI, and a credential store. Commands run as processes.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/xacct/xacct/xaccttest"
)

const (
	signinKey    = "AKIAEXAMPLESIGNIN001"
	signinSecret = "signin-secret-never-printed"
	signinTOTP   = "KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF"
	signinMFA    = "arn:aws:iam::111111111111:mfa/dev"
)

type signinWorld struct {
	srv      *xaccttest.Server
	bin      string
	dir      string
	store    string
	tokenLog string
	env      []string
}

func newSigninWorld(t testing.TB) *signinWorld {
	t.Helper()
	sc, err := xaccttest.LoadScenarioFile("testdata/signin.json")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := xaccttest.NewServerWithScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	w := &signinWorld{srv: srv, bin: xacctBinary(t), dir: dir, store: filepath.Join(dir, "store"),
		tokenLog: filepath.Join(dir, "tokens.log")}
	config := filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte(w.configText()), 0o600); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "home")
	os.Mkdir(home, 0o700)
	w.env = cleanEnv(home, "AWS_CONFIG_FILE="+config, "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"),
		"AWS_MAX_ATTEMPTS=1", "XACCT_SIGNIN_ENDPOINT="+srv.URL+xaccttest.FederationPath,
		"XACCT_TEST_TOKEN=1", "XACCT_TEST_TOTP="+signinTOTP, "XACCT_TEST_TOKEN_LOG="+w.tokenLog,
		"XACCT_TEST_SLOW_TOKEN="+filepath.Join(dir, "never"))
	return w
}

// configText: keys (an IAM user's), mfa (an MFA session), plain (a role on
// the keys), chain (a role on plain), admin (a role with MFA), gov (plain in
// GovCloud).
func (w *signinWorld) configText() string {
	common := "region = us-east-1\nservices = fake\n"
	return `[services fake]
sts =
  endpoint_url = ` + w.srv.URL + `

[profile keys]
aws_access_key_id = ` + signinKey + `
aws_secret_access_key = ` + signinSecret + `
` + common + `
[profile mfa]
aws_access_key_id = ` + signinKey + `
aws_secret_access_key = ` + signinSecret + `
mfa_serial = ` + signinMFA + `
` + common + `
[profile plain]
role_arn = arn:aws:iam::222222222222:role/Plain
source_profile = keys
role_session_name = tools
` + common + `
[profile chain]
role_arn = arn:aws:iam::333333333333:role/Deploy
source_profile = plain
role_session_name = tools
` + common + `
[profile admin]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = keys
mfa_serial = ` + signinMFA + `
role_session_name = tools
` + common + `
[profile gov]
role_arn = arn:aws:iam::222222222222:role/Plain
source_profile = keys
role_session_name = tools
region = us-gov-west-1
services = fake
`
}

// xacct runs the command with args, in the world, to its end.
func (w *signinWorld) xacct(t *testing.T, extraEnv []string, args ...string) result {
	t.Helper()
	cmd := detached(append(append([]string(nil), w.env...), extraEnv...), w.bin, args...)
	return runCmd(t, cmd, "")
}

// allowed counts the fake's allowed calls of action.
func (w *signinWorld) allowed(action string) int {
	n := 0
	for _, c := range w.srv.Calls() {
		if c.Action == action && c.Allowed {
			n++
		}
	}
	return n
}

// peerOnPath returns the path of a peer program; without it the test fails
// in CI (CI=true) and is skipped elsewhere.
func peerOnPath(t *testing.T, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		needPeer(t, fmt.Sprintf("no %s on PATH (install %s)", name, install))
	}
	return path
}
