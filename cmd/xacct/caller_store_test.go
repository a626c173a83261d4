package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The organization of testdata/org.json: user ops of the management
// account, with an MFA device, may assume OrgAdmin there with MFA;
// OrgAdmin may list the accounts and assume OrganizationAccountAccessRole
// in the members, which the management account lacks.
const (
	opsKey       = "AKIAEXAMPLEORGOPS001"
	opsSecret    = "ops-secret-key-never-printed"
	opsTOTP      = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	opsMFA       = "arn:aws:iam::111111111111:mfa/ops"
	orgAdminRole = "arn:aws:iam::111111111111:role/OrgAdmin"
	management   = "111111111111"
)

// newOrgWorld is the tools world (its fake as a process, its token
// command, commands without a terminal) on testdata/org.json, with
// profiles ops (keys and mfa_serial: an MFA session), org (OrgAdmin on
// ops) and org-b (the same role, another session name: another hop on
// the same MFA session).
func newOrgWorld(t *testing.T) *toolsWorld {
	t.Helper()
	dir := t.TempDir()
	w := &toolsWorld{bin: xacctBinary(t), dir: dir, config: filepath.Join(dir, "config"), store: filepath.Join(dir, "store"),
		tokenLog: filepath.Join(dir, "tokens.log"), slowFlag: filepath.Join(dir, "slow"), token: os.Args[0]}
	w.fake = startFake(t, "testdata/org.json")
	common := "region = us-east-1\nservices = fake\n"
	config := "[services fake]\nsts =\n  endpoint_url = " + w.fake.url + "\norganizations =\n  endpoint_url = " + w.fake.url + "\n\n" +
		"[profile ops]\naws_access_key_id = " + opsKey + "\naws_secret_access_key = " + opsSecret + "\nmfa_serial = " + opsMFA + "\n" + common +
		"\n[profile org]\nrole_arn = " + orgAdminRole + "\nsource_profile = ops\n" + common +
		"\n[profile org-b]\nrole_arn = " + orgAdminRole + "\nsource_profile = ops\nrole_session_name = org-b\n" + common
	if err := os.WriteFile(w.config, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "home")
	os.Mkdir(home, 0o700)
	w.env = cleanEnv(home, "AWS_CONFIG_FILE="+w.config, "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"),
		"USER=alice.smith",                                       // the default session name's
		"AWS_MAX_ATTEMPTS=1", "AWS_ENDPOINT_URL_STS="+w.fake.url, // for the commands for-each-account runs
		"XACCT_TEST_TOKEN=1", "XACCT_TEST_TOTP="+opsTOTP, "XACCT_TEST_TOKEN_LOG="+w.tokenLog, "XACCT_TEST_SLOW_TOKEN="+w.slowFlag)
	return w
}

// accounts and for-each-account get the caller's credentials as every
// command does: right after `xacct login org`, they run without a
// terminal and without a code (the token command, given, never runs), and
// call STS only for what the store lacks: for-each-account one AssumeRole
// per account it runs in, and a profile on the same MFA session (org-b)
// one AssumeRole of its own hop, no GetSessionToken.
func TestCallerCommandsUseTheStore(t *testing.T) {
	t.Parallel()
	w := newOrgWorld(t)
	store := []string{"--cache-dir", w.store}
	counts := func(step string, tokens, sessions, orgAdmin, assumes int) {
		t.Helper()
		got := [4]int{w.tokenRuns(), w.calls("GetSessionToken", ""), w.calls("AssumeRole", orgAdminRole), w.calls("AssumeRole", "")}
		if want := [4]int{tokens, sessions, orgAdmin, assumes}; got != want {
			t.Errorf("after %s: token runs, GetSessionToken, AssumeRole of OrgAdmin, all AssumeRole = %v, want %v\n%s",
				step, got, want, w.fake.log())
		}
	}
	if r := w.run(t, append([]string{"login", "org", "--token-command", w.token}, store...)...); r.code != 0 {
		t.Fatalf("login: exit %d\n%s", r.code, r.stderr)
	}
	counts("login", 1, 1, 1, 1)

	// No --token-command, no terminal: a code needed would fail (exit 4).
	r := w.run(t, append([]string{"accounts", "org", "--json", "--region", "us-east-1"}, store...)...)
	var ids []string
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var a struct{ ID string }
		json.Unmarshal([]byte(l), &a)
		ids = append(ids, a.ID)
	}
	if r.code != 0 || strings.Join(ids, ",") != "111111111111,222222222222,333333333333,444444444444" || r.stderr != "" {
		t.Errorf("accounts: exit %d, accounts %v, stderr %q", r.code, ids, r.stderr)
	}
	counts("accounts", 1, 1, 1, 1)

	out := t.TempDir()
	r = w.run(t, append(append([]string{"for-each-account", "--profile", "org", "--token-command", w.token,
		"--role-name", orgRole, "--exclude", management, "--env-credentials", "--rate", "100"}, store...),
		"--", "env", "XACCT_TEST_CHILD=1", "XACCT_TEST_DIR="+out, os.Args[0])...)
	if n := strings.Count(r.stdout, `"status":"ok"`); r.code != 0 || n != 3 || strings.Contains(r.stdout, management) {
		t.Errorf("for-each-account: exit %d, %d ok lines, want 3 and none of %s\nstdout:\n%s\nstderr:\n%s",
			r.code, n, management, r.stdout, r.stderr)
	}
	for _, id := range []string{"222222222222", "333333333333", "444444444444"} {
		if want := "[" + id + "] arn:aws:sts::" + id + ":assumed-role/" + orgRole + "/"; !strings.Contains(r.stderr, want) {
			t.Errorf("for-each-account: stderr lacks %q", want)
		}
	}
	counts("for-each-account", 1, 1, 1, 4)

	r = w.run(t, append([]string{"accounts", "org-b", "--token-command", w.token}, store...)...)
	if r.code != 0 || strings.Count(r.stdout, "\n") != 5 {
		t.Errorf("accounts org-b: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	counts("accounts org-b", 1, 1, 2, 5)
	// Sessions say who: xacct-$USER, unless the profile names them (org-b).
	log := w.fake.settledLog()
	for _, want := range []string{"role=" + orgAdminRole + " session=xacct-alice.smith ", "role=" + orgAdminRole + " session=org-b ",
		"role=arn:aws:iam::222222222222:role/" + orgRole + " session=xacct-alice.smith "} {
		if n := strings.Count(log, want); n != 1 {
			t.Errorf("%d calls with %q, want 1", n, want)
		}
	}
	assertNoSecret(t, "the output", r.stdout+r.stderr, opsSecret)
}
