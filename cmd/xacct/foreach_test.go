package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xacct/xacct/xaccttest"
)

// testChild acts as a command run by for-each-account: it calls
// GetCallerIdentity with the credentials of its environment and prints the
// ARN on stdout; prints its account, and its credentials (which xacct must
// redact), on stderr; saves its secret key to XACCT_TEST_DIR/<account>, so
// that the test can look for it in xacct's output; and exits 3 in the
// account XACCT_TEST_FAIL.
func testChild() int {
	ctx := context.Background()
	id := os.Getenv("XACCT_ACCOUNT_ID")
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 4
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 5
	}
	fmt.Println(aws.ToString(out.Arn))
	secret := os.Getenv("AWS_SECRET_ACCESS_KEY")
	os.WriteFile(filepath.Join(os.Getenv("XACCT_TEST_DIR"), id), []byte(secret), 0o600)
	fmt.Fprintf(os.Stderr, "account=%s name=%s region=%s\nAWS_SECRET_ACCESS_KEY=%s\nAWS_SESSION_TOKEN=%s",
		id, os.Getenv("XACCT_ACCOUNT_NAME"), os.Getenv("AWS_REGION"), secret, os.Getenv("AWS_SESSION_TOKEN"))
	if id == os.Getenv("XACCT_TEST_FAIL") {
		return 3
	}
	return 0
}

const (
	scannerKey    = "AKIAEXAMPLESCANNER01"
	scannerSecret = "scanner/SECRET/wJalrXUtnFEMIK7MDENGbPxRfiCY"
	orgRole       = "OrganizationAccountAccessRole"
)

// fleetServer serves a fake STS in which user scanner of 111111111111 may
// assume OrganizationAccountAccessRole in each of accounts, and the role
// trusts it, but in the untrusted ones.
func fleetServer(t *testing.T, accounts []string, untrusted ...string) *xaccttest.Server {
	t.Helper()
	trust := func(who string) json.RawMessage {
		return json.RawMessage(`{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
			"Principal": {"AWS": "arn:aws:iam::` + who + `:root"}, "Action": "sts:AssumeRole"}}`)
	}
	sc := &xaccttest.Scenario{Accounts: map[string]xaccttest.Account{
		"111111111111": {Users: map[string]xaccttest.User{"scanner": {
			AccessKeyID: scannerKey, SecretAccessKey: scannerSecret,
			Policies: []json.RawMessage{json.RawMessage(`{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
				"Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/` + orgRole + `"}}`)},
		}}},
	}}
	for _, id := range accounts {
		who := "111111111111"
		if slices.Contains(untrusted, id) {
			who = "999999999999"
		}
		sc.Accounts[id] = xaccttest.Account{Roles: map[string]xaccttest.Role{orgRole: {Trust: trust(who)}}}
	}
	srv, err := xaccttest.NewServerWithScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// callerEnv is the environment of xacct as the scanner: its keys, the
// fake STS (and Organizations, when orgURL is set) as endpoints, no shared
// config files.
func callerEnv(t *testing.T, stsURL, orgURL string) []string {
	home := t.TempDir()
	env := cleanEnv(home, "AWS_CONFIG_FILE="+filepath.Join(home, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "none"),
		"AWS_ACCESS_KEY_ID="+scannerKey, "AWS_SECRET_ACCESS_KEY="+scannerSecret, "AWS_REGION=us-east-1",
		"AWS_ENDPOINT_URL_STS="+stsURL, "AWS_MAX_ATTEMPTS=1")
	if orgURL != "" {
		env = append(env, "AWS_ENDPOINT_URL_ORGANIZATIONS="+orgURL)
	}
	return env
}

// forEachRun runs xacct for-each-account as a process, with the test
// binary as the command, and returns its exit code, its JSON lines by
// account, its stderr, and the secret each command got.
func forEachRun(t *testing.T, env []string, args ...string) (int, map[string]forEachLine, string, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(xacctBinary(t), append(append([]string{"for-each-account"}, args...), "--", os.Args[0])...)
	cmd.Env = append(env, "XACCT_TEST_CHILD=1", "XACCT_TEST_DIR="+dir)
	r := runCmd(t, cmd, "")
	code, stdout, stderr := r.code, r.stdout, r.stderr
	lines := map[string]forEachLine{}
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var fl forEachLine
		dec := json.NewDecoder(strings.NewReader(l))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&fl); err != nil {
			t.Fatalf("stdout line %q: %v\nstderr:\n%s", l, err, stderr)
		}
		if _, dup := lines[fl.AccountID]; dup {
			t.Errorf("two lines for %s", fl.AccountID)
		}
		lines[fl.AccountID] = fl
	}
	secrets := map[string]string{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		secrets[e.Name()] = string(b)
	}
	for id, s := range secrets {
		if !slices.Contains(args, "--env-credentials") {
			break // from the endpoint: no secret in the environment
		}
		if s == "" || strings.Contains(stdout+stderr, s) {
			t.Errorf("the secret of %s is empty or shows in xacct's output", id)
		}
	}
	if strings.Contains(stdout+stderr, scannerSecret) {
		t.Error("the caller's secret shows in xacct's output")
	}
	return code, lines, stderr, secrets
}

func TestForEachAccount(t *testing.T) {
	t.Parallel()
	accounts := []string{"222222222222", "333333333333", "444444444444", "555555555555"}
	srv := fleetServer(t, accounts, "444444444444")
	env := append(callerEnv(t, srv.URL, ""), "XACCT_TEST_FAIL=555555555555")
	code, lines, stderr, secrets := forEachRun(t, env, "--env-credentials", "--role-name", orgRole, "--accounts", strings.Join(accounts, ","), "--rate", "100")

	if code != exitAccountFailed || len(lines) != 4 || len(secrets) != 3 {
		t.Fatalf("exit %d, %d lines, %d commands ran; want %d, 4, 3\nstderr:\n%s", code, len(lines), len(secrets), exitAccountFailed, stderr)
	}
	for _, id := range []string{"222222222222", "333333333333"} {
		l := lines[id]
		if l.Status != "ok" || l.ExitCode == nil || *l.ExitCode != 0 || l.Error != "" || l.STSAttempts != 1 ||
			l.StderrTail != "account="+id+" name= region=us-east-1\nAWS_SECRET_ACCESS_KEY=[redacted by xacct]\nAWS_SESSION_TOKEN=[redacted by xacct]" {
			t.Errorf("%s: %+v", id, l)
		}
		// The command's stdout, prefixed, on xacct's stderr: it acted in its account.
		if want := "[" + id + "] arn:aws:sts::" + id + ":assumed-role/" + orgRole + "/"; !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if l := lines["444444444444"]; l.Status != "error" || l.ExitCode != nil ||
		!strings.HasPrefix(l.Error, "xacct: hop 1 (arn:aws:iam::444444444444:role/"+orgRole+"): AssumeRole: ") ||
		!strings.Contains(l.Error, "AccessDenied") || !strings.Contains(l.Error, "(hint: the trust policy of") {
		t.Errorf("untrusted: %+v", l)
	}
	if l := lines["555555555555"]; l.Status != "failed" || l.ExitCode == nil || *l.ExitCode != 3 ||
		l.Error != "the command exit status 3" || !strings.HasPrefix(l.StderrTail, "account=555555555555") {
		t.Errorf("failing command: %+v", l)
	}
	if !strings.Contains(stderr, "xacct for-each-account: 2 of 4 accounts succeeded, 2 failed, 0 not run") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if n := srv.CallCount("AssumeRole"); n != 4 {
		t.Errorf("%d AssumeRole calls, want 4", n)
	}
}

func TestForEachAccountUsage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--", "true"}, "--role-name is required"},
		{[]string{"--role-name", "R"}, "no command: put it after --"},
		{[]string{"--role-name", "R", "--ou", "ou-ab12-cd34ef56", "--accounts", "222222222222", "--", "true"}, "--ou and --accounts exclude each other"},
		{[]string{"--role-name", "R", "--concurrency", "0", "--", "true"}, "--concurrency 0: want at least 1"},
		{[]string{"--role-name", "R", "--rate", "0", "--", "true"}, "--rate 0: want STS calls per second above 0"},
		{[]string{"--role-name", "R", "--rate", "NaN", "--", "true"}, "--rate NaN"},
		{[]string{"--role-name", "R", "--accounts", "2222,333333333333", "--", "true"}, `--accounts: "2222" is not an account ID: want 12 digits`},
		{[]string{"--role-name", "R", "--accounts", "222222222222,222222222222", "--", "true"}, "--accounts: 222222222222 is given twice"},
		{[]string{"--role-name", "R", "--accounts", "222222222222", "--", "no-such-command-xacct"}, `command "no-such-command-xacct": exec: `},
		{[]string{"--role-name", "R", "--exclude", "1111", "--", "true"}, `--exclude: "1111" is not an account ID: want 12 digits`},
		{[]string{"--role-name", "R", "--status-file", "/nonexistent-xacct/status", "--", "true"}, "--status-file /nonexistent-xacct/status: no such file"},
		{[]string{"--role-name", "R", "--output-dir", "/dev/null", "--", "true"}, "--output-dir /dev/null: "},
		{[]string{"--nope"}, "unknown flag: --nope"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"for-each-account"}, tt.args...), &out, &errOut)
		if code != 2 || !strings.Contains(errOut.String(), tt.want) || out.Len() != 0 {
			t.Errorf("for-each-account %q: exit %d, stderr %q; want 2 and %q", tt.args, code, errOut.String(), tt.want)
		}
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"accounts", "dev", "extra"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), `unexpected argument "extra"`) {
		t.Errorf("accounts extra: exit %d, %q", code, errOut.String())
	}
}
