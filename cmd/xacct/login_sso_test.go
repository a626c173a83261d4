package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xacct/xacct/internal/ssocache"
	"github.com/xacct/xacct/xaccttest"
)

const ssoConfig = `
[profile admin]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = us-east-1

[profile deploy]
source_profile = admin
role_arn = arn:aws:iam::222222222222:role/Deploy
region = us-east-1

[sso-session corp]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
`

const ssoDeployARN = "arn:aws:sts::222222222222:assumed-role/Deploy/"

// TestLoginSSOThenEveryTool: xacct login signs in (device flow, then the
// browser flow with a "browser" that follows the fake's redirect), and
// the AWS CLI, boto3, the JS SDK and the Go SDK, given only the profile,
// get the role's identity from the cache xacct wrote; xacct logout ends
// it for all.
func TestLoginSSOThenEveryTool(t *testing.T) {
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
	dir := t.TempDir()
	home, config, browser := filepath.Join(dir, "home"), filepath.Join(dir, "config"), filepath.Join(dir, "browser")
	for path, text := range map[string]string{config: ssoConfig, filepath.Join(dir, "credentials"): "",
		browser: "#!/bin/sh\nexec curl -sfL -o /dev/null \"$1\"\n"} {
		if err := os.WriteFile(path, []byte(text), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_CONFIG_FILE=" + config,
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"), "AWS_ENDPOINT_URL=" + srv.URL,
		"AWS_ENDPOINT_URL_SSO=" + srv.URL, "AWS_ENDPOINT_URL_SSO_OIDC=" + srv.URL, "BROWSER=" + browser,
		"AWS_EC2_METADATA_DISABLED=true", "PYENV_VERSION=" + os.Getenv("PYENV_VERSION"), "PYENV_ROOT=" + os.Getenv("PYENV_ROOT")}
	xacct := func(args ...string) result {
		return runCmd(t, detached(env, xacctBinary(t), append(args, "--cache-dir", filepath.Join(dir, "store"))...), "")
	}
	r := xacct("login", "deploy", "--device-code")
	if r.code != 0 || !strings.Contains(r.stderr, "the page must show the code") || !strings.Contains(r.stdout, "profile deploy") {
		t.Fatalf("login --device-code: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r = xacct("login", "admin", "--force"); r.code != 0 || !strings.Contains(r.stderr, "/authorize?") {
		t.Fatalf("login --force (browser): exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if n := srv.CallCount("RegisterClient"); n != 1 {
		t.Errorf("%d RegisterClient calls for two sign-ins, want 1", n)
	}
	path := ssocache.Path(filepath.Join(home, ".aws", "sso", "cache"), "corp")
	assertNoSecret(t, "login's output", r.stdout+r.stderr, readToken(t, path).AccessToken, readToken(t, path).RefreshToken)
	explain := func() result { return runCmd(t, detached(env, xacctBinary(t), "explain", "deploy"), "") }
	r = explain()
	for _, want := range []string{"sign-in: sso-session corp, start URL https://d-1234567890.awsapps.com/start, region us-east-1",
		"token:   cached in " + path + ", valid until " + readToken(t, path).ExpiresAt.UTC().Format(time.RFC3339)} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("explain deploy lacks %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
	assertNoSecret(t, "explain", r.stdout+r.stderr, readToken(t, path).AccessToken, readToken(t, path).RefreshToken)

	t.Run("AWS CLI", func(t *testing.T) {
		needPeer(t, missingCommand("aws", "the awscli package"))
		r := runCmd(t, detached(env, "aws", "sts", "get-caller-identity", "--profile", "deploy", "--output", "json"), "")
		if !strings.Contains(r.stdout, ssoDeployARN) {
			t.Errorf("aws: exit %d %s %s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("boto3", func(t *testing.T) {
		py := pythonWithBoto3()
		needPeer(t, map[bool]string{true: "no python3 with boto3"}[py == ""])
		r := runCmd(t, detached(env, py, "-c", `import boto3; print(boto3.Session(profile_name="deploy").client("sts").get_caller_identity()["Arn"])`), "")
		if !strings.Contains(r.stdout, ssoDeployARN) {
			t.Errorf("boto3: exit %d %s %s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("JS SDK", func(t *testing.T) {
		needPeer(t, missingCommand("node", "Node.js"))
		if _, err := os.Stat(filepath.Join(jsClientDir, "node_modules", "@aws-sdk", "credential-providers")); err != nil {
			needPeer(t, "the AWS SDK for JavaScript is not installed: run npm ci in cmd/xacct/"+jsClientDir)
		}
		script, _ := filepath.Abs(filepath.Join(jsClientDir, "whoami.mjs"))
		r := runCmd(t, detached(append(env, "AWS_PROFILE=deploy"), "node", "--no-warnings", script), "")
		if !strings.Contains(r.stdout, ssoDeployARN) {
			t.Errorf("node: exit %d %s %s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("Go SDK", func(t *testing.T) {
		// The Go SDK's SSO provider on the file xacct wrote (the path the
		// SDK derives from HOME, given here, as the test's HOME is not it).
		cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL)}
		p := ssocreds.New(sso.NewFromConfig(cfg), "111111111111", "Admin", "https://d-1234567890.awsapps.com/start",
			func(o *ssocreds.Options) {
				o.CachedTokenFilepath = path
				o.SSOTokenProvider = ssocreds.NewSSOTokenProvider(ssooidc.NewFromConfig(cfg), path)
			})
		cfg.Credentials = aws.NewCredentialsCache(p)
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		if err != nil || *id.Arn != "arn:aws:sts::111111111111:assumed-role/Admin/alice" {
			t.Errorf("Go SDK: %v %v", id, err)
		}
	})

	// deploy's hop on the token of the second sign-in, from the stored
	// role credentials of admin (the same session, account and role).
	before := srv.CallCount("GetRoleCredentials")
	if r = xacct("credential-process", "--profile", "deploy"); r.code != 0 {
		t.Fatalf("credential-process: exit %d\n%s", r.code, r.stderr)
	}
	if n := srv.CallCount("GetRoleCredentials") - before; n != 0 {
		t.Errorf("%d GetRoleCredentials calls, want 0: admin's role credentials are in the store", n)
	}
	// deploy's chain in the store: the portal's role credentials (of this
	// token), and the hop on them.
	if r = xacct("cache", "list", "--profile", "deploy", "--output", "json"); r.code != 0 ||
		strings.Count(r.stdout, "\n") != 2 || !strings.Contains(r.stdout, `"kind":"sso-role"`) ||
		!strings.Contains(r.stdout, `"kind":"assume-role"`) {
		t.Errorf("cache list --profile deploy: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r = xacct("logout", "admin"); r.code != 0 || !strings.Contains(r.stdout, "signed out of corp") ||
		!strings.Contains(r.stdout, "removed 2 entries derived from corp") {
		t.Fatalf("logout: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the token file is still there after logout: %v", err)
	}
	if r = explain(); !strings.Contains(r.stdout, "token:   none cached in "+path+"; sign in: xacct login deploy") {
		t.Errorf("explain after logout:\n%s%s", r.stdout, r.stderr)
	}
	if n := srv.CallCount("Logout"); n != 1 {
		t.Errorf("%d Logout calls, want 1", n)
	}
}

func readToken(t *testing.T, path string) ssocache.Token {
	t.Helper()
	tok, err := ssocache.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return *tok
}
