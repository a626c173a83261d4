package main

// The proof of a refresh never lost: processes started together on
// an expired IAM Identity Center access token, through xacct and through
// the SDKs' own refresh, counted.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/xacct/xacct/internal/ssocache"
	"github.com/xacct/xacct/xaccttest"
)

// raceProfiles are n SSO profiles of sso-session corp (sso0…) and a role
// on top of each (hop0…), each its own role session.
func raceProfiles(n int) string {
	var b strings.Builder
	b.WriteString("[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\n")
	for i := range n {
		fmt.Fprintf(&b, "\n[profile sso%d]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\nregion = us-east-1\n", i)
		fmt.Fprintf(&b, "\n[profile hop%d]\nsource_profile = sso%d\nrole_arn = arn:aws:iam::222222222222:role/Deploy\n"+
			"role_session_name = race-%d\nregion = us-east-1\n", i, i, i)
	}
	return b.String()
}

// raceRound is what one round of processes did.
type raceRound struct {
	calls, ok      int      // CreateToken calls; processes that got the role's identity
	roles, assumes int      // GetRoleCredentials and AssumeRole calls
	failures       []string // the first lines of some failures
}

func (r raceRound) String() string {
	return fmt.Sprintf("%d CreateToken call(s), %d succeeded", r.calls, r.ok)
}

// TestSSORefreshRace: 16 xacct processes (credential-process, 16
// profiles of one session, each a role on top of its SSO profile) started
// together on an expired access token make exactly 1 CreateToken call,
// 1 GetRoleCredentials call (the store keeps the portal's answer for the
// session's token) and 16 AssumeRole calls, and all 16 succeed. Beside
// it, 8 processes of each SDK on their own refresh (boto3, the Go SDK,
// the JS SDK v3), counted and logged; a client that is missing is
// skipped, saying so.
func TestSSORefreshRace(t *testing.T) {
	t.Parallel()
	sc, err := xaccttest.LoadScenarioFile("../../xaccttest/testdata/identitycenter.json")
	if err != nil {
		t.Fatal(err)
	}
	sc.IdentityCenter.AutoApproveUser = "alice"
	srv, err := xaccttest.NewServerWithScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	const n, sdkN = 16, 8
	dir := t.TempDir()
	home, cfgFile := filepath.Join(dir, "home"), filepath.Join(dir, "config")
	if err := os.WriteFile(cfgFile, []byte(raceProfiles(n)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := cleanEnv(home, "AWS_CONFIG_FILE="+cfgFile, "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"),
		"AWS_ENDPOINT_URL="+srv.URL, "AWS_ENDPOINT_URL_SSO="+srv.URL, "AWS_ENDPOINT_URL_SSO_OIDC="+srv.URL,
		"AWS_EC2_METADATA_DISABLED=true")
	tokenFile := ssocache.Path(filepath.Join(home, ".aws", "sso", "cache"), "corp")
	// expired signs in anew (a fresh refresh token for each round) and
	// dates the access token a minute past its expiry.
	expired := func() {
		t.Helper()
		r := runCmd(t, detached(env, xacctBinary(t), "login", "sso0", "--device-code", "--force",
			"--cache-dir", filepath.Join(dir, "login")), "")
		if r.code != 0 {
			t.Fatalf("login: exit %d\n%s", r.code, r.stderr)
		}
		tok := readToken(t, tokenFile)
		tok.ExpiresAt = time.Now().Add(-time.Minute).Truncate(time.Second)
		if err := ssocache.Save(tokenFile, &tok); err != nil {
			t.Fatal(err)
		}
	}
	round := func(count int, start func(i int) result, ok func(result) bool) raceRound {
		expired()
		before, roles, assumes := srv.CallCount("CreateToken"), srv.CallCount("GetRoleCredentials"), srv.CallCount("AssumeRole")
		results := make([]result, count)
		var wg sync.WaitGroup
		for i := range count {
			wg.Add(1)
			go func() { defer wg.Done(); results[i] = start(i) }()
		}
		wg.Wait()
		r := raceRound{calls: srv.CallCount("CreateToken") - before, roles: srv.CallCount("GetRoleCredentials") - roles,
			assumes: srv.CallCount("AssumeRole") - assumes}
		for _, res := range results {
			if ok(res) {
				r.ok++
			} else if len(r.failures) < 2 {
				r.failures = append(r.failures, lastLine(res.stderr+res.stdout))
			}
		}
		return r
	}

	store := filepath.Join(dir, "store")
	x := round(n, func(i int) result {
		return runCmd(t, detached(env, xacctBinary(t), "credential-process", "--profile", fmt.Sprintf("hop%d", i),
			"--cache-dir", store), "")
	}, func(r result) bool {
		var v struct{ AccessKeyId string }
		return r.code == 0 && json.Unmarshal([]byte(r.stdout), &v) == nil && v.AccessKeyId != ""
	})
	t.Logf("xacct, %d processes of %d profiles of one session (a role on each): %v; %d GetRoleCredentials, %d AssumeRole",
		n, n, x, x.roles, x.assumes)
	if x.calls != 1 || x.ok != n || x.roles != 1 || x.assumes != n {
		t.Errorf("xacct: %v, %d GetRoleCredentials, %d AssumeRole; want 1 CreateToken call, %d succeeded, "+
			"1 GetRoleCredentials, %d AssumeRole; failures: %q", x, x.roles, x.assumes, n, n, x.failures)
	}

	deployed := func(r result) bool {
		return strings.Contains(r.stdout, "arn:aws:sts::222222222222:assumed-role/Deploy/")
	}
	t.Run("boto3", func(t *testing.T) {
		py := pythonWithBoto3()
		needPeer(t, map[bool]string{true: "no python3 with boto3"}[py == ""])
		r := round(sdkN, func(i int) result {
			return runCmd(t, detached(env, py, "-c", fmt.Sprintf(`import boto3; print(boto3.Session(profile_name="hop%d").`+
				`client("sts").get_caller_identity()["Arn"])`, i)), "")
		}, deployed)
		t.Logf("boto3's own refresh, %d processes: %v; failures: %q", sdkN, r, r.failures)
	})
	t.Run("Go SDK", func(t *testing.T) {
		r := round(sdkN, func(i int) result {
			return runCmd(t, detached(append(slices.Clip(env), "XACCT_SSO_RACE_PROFILE="+fmt.Sprintf("sso%d", i)), os.Args[0],
				"-test.run=^TestSSORefreshRaceGoSDKChild$"), "")
		}, func(r result) bool { return r.code == 0 && strings.Contains(r.stdout, "ok") })
		t.Logf("the Go SDK's own refresh (ssocreds), %d processes: %v; failures: %q", sdkN, r, r.failures)
	})
	t.Run("JS SDK", func(t *testing.T) {
		needPeer(t, missingCommand("node", "Node.js"))
		if _, err := os.Stat(filepath.Join(jsClientDir, "node_modules", "@aws-sdk", "credential-providers")); err != nil {
			needPeer(t, "the AWS SDK for JavaScript is not installed: run npm ci in cmd/xacct/"+jsClientDir)
		}
		script, _ := filepath.Abs(filepath.Join(jsClientDir, "whoami.mjs"))
		r := round(sdkN, func(i int) result {
			return runCmd(t, detached(append(slices.Clip(env), fmt.Sprintf("AWS_PROFILE=hop%d", i)), "node", "--no-warnings", script), "")
		}, deployed)
		t.Logf("the JS SDK v3's own refresh, %d processes: %v; failures: %q", sdkN, r, r.failures)
	})
}

// TestSSORefreshRaceGoSDKChild is a process of TestSSORefreshRace: the Go
// SDK's default chain for the profile of XACCT_SSO_RACE_PROFILE (its SSO
// provider, refreshing the token itself), which prints ok once it has the
// role's credentials.
func TestSSORefreshRaceGoSDKChild(t *testing.T) {
	profile := os.Getenv("XACCT_SSO_RACE_PROFILE")
	if profile == "" {
		t.Skip("a child of TestSSORefreshRace")
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithSharedConfigProfile(profile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Credentials.Retrieve(context.Background()); err != nil {
		fmt.Println("failed:", errorCode(err)) // the last line, which the test logs
		os.Exit(1)
	}
	fmt.Println("ok")
}
