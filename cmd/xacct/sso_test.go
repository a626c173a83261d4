package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xacct/xacct/internal/ssocache"
	"github.com/xacct/xacct/xaccttest"
)

// portalScenario has more accounts than a page of ListAccounts (20), and
// an account with more roles than a page of ListAccountRoles: alice may
// use ReadOnly in 25 accounts named "Team N" and 22 roles of account
// 111111111111 ("Identity").
func portalScenario(t *testing.T) *xaccttest.Scenario {
	t.Helper()
	trust := `{"trust": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "sts:AssumeRole"}]}}`
	var accounts, assignments []string
	identity := []string{}
	for i := 1; i <= 22; i++ {
		identity = append(identity, fmt.Sprintf(`"R%02d": %s`, i, trust))
		assignments = append(assignments, fmt.Sprintf(`{"account": "111111111111", "role": "R%02d"}`, i))
	}
	accounts = append(accounts, `"111111111111": {"name": "Identity", "roles": {`+strings.Join(identity, ",")+`}}`)
	for i := 1; i <= 25; i++ {
		id := fmt.Sprintf("3000000000%02d", i)
		accounts = append(accounts, fmt.Sprintf(`"%s": {"name": "Team %d", "roles": {"ReadOnly": %s}}`, id, i, trust))
		assignments = append(assignments, fmt.Sprintf(`{"account": "%s", "role": "ReadOnly"}`, id))
	}
	text := `{"accounts": {` + strings.Join(accounts, ",") + `}, "identity_center": {"start_url": "https://d-1234567890.awsapps.com/start",
		"region": "us-east-1", "auto_approve_user": "alice", "users": {"alice": {"assignments": [` + strings.Join(assignments, ",") + `]}}}}`
	sc, err := xaccttest.LoadScenario(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestSSOProfiles: xacct sso profiles lists every account and role (every
// page of both listings) as ready profiles, refuses without a sign-in,
// and with --write merges them into the config file, keeping a backup
// and the profile the file had; a written profile works as it is.
func TestSSOProfiles(t *testing.T) {
	t.Parallel()
	srv, err := xaccttest.NewServerWithScenario(portalScenario(t))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config")
	const mine = "[profile Identity-R01]\n# mine\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = R02\n"
	const refused = "[profile refused]\nsso_session = corp\nsso_account_id = 300000000001\nsso_role_name = Admin\n\n"
	original := "[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\n\n" + refused + mine
	if err := os.WriteFile(cfgFile, []byte(original), 0o600); err != nil {
		t.Fatal(err)
	}
	env := cleanEnv(filepath.Join(dir, "home"), "AWS_CONFIG_FILE="+cfgFile, "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"),
		"AWS_ENDPOINT_URL="+srv.URL, "AWS_ENDPOINT_URL_SSO="+srv.URL, "AWS_ENDPOINT_URL_SSO_OIDC="+srv.URL, "AWS_EC2_METADATA_DISABLED=true")
	xacct := func(args ...string) result {
		return runCmd(t, detached(env, xacctBinary(t), append(args, "--cache-dir", filepath.Join(dir, "store"))...), "")
	}
	r := xacct("sso", "profiles", "corp")
	if r.code != exitConfig || !strings.Contains(r.stderr, "run xacct login PROFILE, for a profile with sso_session = corp") ||
		strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("without a sign-in: exit %d, %q; want 2 and one line saying to sign in", r.code, r.stderr)
	}
	if r = xacct("sso", "profiles", "nosuch"); r.code != exitConfig || !strings.Contains(r.stderr, "no [sso-session nosuch] in "+cfgFile) {
		t.Errorf("an unknown session: exit %d, %q", r.code, r.stderr)
	}
	if r = xacct("login", "Identity-R01", "--device-code"); r.code != 0 {
		t.Fatalf("login: exit %d\n%s", r.code, r.stderr)
	}

	r = xacct("sso", "profiles", "corp", "--region", "eu-west-1")
	if r.code != 0 || strings.Count(r.stdout, "[profile ") != 47 {
		t.Fatalf("sso profiles: exit %d, %d profiles, want 47 (22 roles of Identity, 25 of the teams)\n%s",
			r.code, strings.Count(r.stdout, "[profile "), r.stderr)
	}
	for _, want := range []string{"[profile Identity-R22]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = R22\nregion = eu-west-1\n",
		"[profile Team-25-ReadOnly]\nsso_session = corp\nsso_account_id = 300000000025\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("sso profiles lacks\n%s", want)
		}
	}
	if la, lr := srv.CallCount("ListAccounts"), srv.CallCount("ListAccountRoles"); la != 2 || lr != 27 {
		t.Errorf("%d ListAccounts, %d ListAccountRoles calls; want 2 (26 accounts, 20 a page) and 27 (one an account, 2 for Identity)", la, lr)
	}
	if b, _ := os.ReadFile(cfgFile); string(b) != original {
		t.Error("sso profiles without --write changed the config file")
	}
	if r = xacct("sso", "profiles", "corp", "--template", "{role_name}"); r.code != exitConfig || !strings.Contains(r.stderr, "add {account_id}") {
		t.Errorf("a template naming two roles alike: exit %d, %q", r.code, r.stderr)
	}

	r = xacct("sso", "profiles", "corp", "--write")
	if r.code != 0 || !strings.Contains(r.stdout, "added 46 profiles to "+cfgFile+" (the file before: "+cfgFile+".bak-") ||
		!strings.Contains(r.stderr, "profile Identity-R01 is in "+cfgFile+" already: left as it is") {
		t.Fatalf("--write: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	backups, _ := filepath.Glob(cfgFile + ".bak-*")
	if len(backups) != 1 {
		t.Fatalf("backups %v, want 1", backups)
	} else if b, _ := os.ReadFile(backups[0]); string(b) != original {
		t.Errorf("the backup is not the file before:\n%s", b)
	}
	b, _ := os.ReadFile(cfgFile)
	if !strings.HasPrefix(string(b), original+"\n[profile ") || strings.Count(string(b), "[profile ") != 48 || !strings.Contains(string(b), mine) {
		t.Errorf("the config file after --write:\n%s", b)
	}
	if r = xacct("sso", "profiles", "corp", "--write"); r.code != 0 || !strings.Contains(r.stdout, "added 0 profiles") {
		t.Errorf("--write again: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if backups, _ := filepath.Glob(cfgFile + ".bak-*"); len(backups) != 1 {
		t.Errorf("backups %v after a write that added nothing, want 1", backups)
	}
	r = xacct("credential-process", "--profile", "Team-7-ReadOnly")
	var v struct{ AccessKeyId string }
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &v) != nil || v.AccessKeyId == "" {
		t.Errorf("a written profile: exit %d\n%s", r.code, r.stderr)
	}

	// A role the portal refuses the user: one line that says so (no
	// sign-in would help, so it does not ask for one), and the token
	// cache file as it was.
	tokenFile := ssocache.Path(filepath.Join(dir, "home", ".aws", "sso", "cache"), "corp")
	before, _ := os.ReadFile(tokenFile)
	r = xacct("credential-process", "--profile", "refused")
	if r.code != exitCredentials || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 ||
		!strings.Contains(r.stderr, "the AWS access portal refuses role Admin in account 300000000001 to the signed-in user (ForbiddenException)") ||
		strings.Contains(r.stderr, "xacct login") {
		t.Errorf("a refused role: exit %d, %q; want %d and one line", r.code, r.stderr, exitCredentials)
	}
	if after, _ := os.ReadFile(tokenFile); len(before) == 0 || string(after) != string(before) {
		t.Error("the refused role changed the token cache file")
	}
}
