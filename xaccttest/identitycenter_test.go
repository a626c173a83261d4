package xaccttest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

const icStartURL = "https://d-1234567890.awsapps.com/start"

// icWorld starts the identity center scenario; autoApprove, when set,
// approves every sign-in as that user.
func icWorld(t *testing.T, autoApprove string) (*Server, *ssooidc.Client, *sso.Client) {
	t.Helper()
	sc, err := LoadScenarioFile("testdata/identitycenter.json")
	must(t, err)
	sc.IdentityCenter.AutoApproveUser = autoApprove
	srv, err := NewServerWithScenario(sc)
	must(t, err)
	t.Cleanup(srv.Close)
	cfg := srv.Config("", "", "")
	cfg.Credentials = nil
	return srv, ssooidc.NewFromConfig(cfg), sso.NewFromConfig(cfg)
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// deviceSignIn registers a client and signs in with the device flow,
// approving as user through the admin API.
func deviceSignIn(t *testing.T, srv *Server, oidc *ssooidc.Client, user string) (*ssooidc.RegisterClientOutput, *ssooidc.CreateTokenOutput) {
	t.Helper()
	ctx := context.Background()
	reg, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("test"), ClientType: aws.String("public")})
	must(t, err)
	dev, err := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
		ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(icStartURL)})
	must(t, err)
	in := &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode}
	if _, err := oidc.CreateToken(ctx, in); apiCode(err) != "AuthorizationPendingException" {
		t.Fatalf("before approval: %v, want AuthorizationPendingException", err)
	}
	resp, err := http.PostForm(srv.URL+AdminPath+"identity-center/approve", url.Values{"user_code": {*dev.UserCode}, "user": {user}})
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("approve: %s", resp.Status)
	}
	if _, err := oidc.CreateToken(ctx, in); apiCode(err) != "SlowDownException" {
		t.Fatalf("polled at once: %v, want SlowDownException", err)
	}
	srv.ic.mu.Lock()
	for _, si := range srv.ic.pending {
		if si.interval != 6*time.Second {
			t.Errorf("after a slow down, the interval is %v, want 6s", si.interval)
		}
		si.interval = 0 // the test does not wait 6 seconds
	}
	srv.ic.mu.Unlock()
	tok, err := oidc.CreateToken(ctx, in)
	must(t, err)
	if _, err := oidc.CreateToken(ctx, in); apiCode(err) != "InvalidGrantException" {
		t.Fatalf("device code redeemed twice: %v, want InvalidGrantException", err)
	}
	return reg, tok
}

func TestIdentityCenterDeviceFlowRoleAndChain(t *testing.T) {
	t.Parallel()
	srv, oidc, portal := icWorld(t, "")
	ctx := context.Background()
	_, tok := deviceSignIn(t, srv, oidc, "alice")
	creds, err := portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken,
		AccountId: aws.String("111111111111"), RoleName: aws.String("Admin")})
	must(t, err)
	rc := creds.RoleCredentials
	if got := time.UnixMilli(rc.Expiration); !got.Equal(srv.Clock.Now().Add(time.Hour)) {
		t.Errorf("role credentials expire at %v, want in 1h", got)
	}
	c := keyClient(srv, *rc.AccessKeyId, *rc.SecretAccessKey, *rc.SessionToken)
	id, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err)
	if *id.Arn != "arn:aws:sts::111111111111:assumed-role/Admin/alice" {
		t.Errorf("identity %s", *id.Arn)
	}
	// A chain on top: Admin may assume Deploy in 222222222222.
	if _, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/Deploy"),
		RoleSessionName: aws.String("chain")}); err != nil {
		t.Fatalf("chain on the SSO role: %v", err)
	}
	// Not assigned: bob's role list has no Admin, and alice has no Deploy.
	_, err = portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{AccessToken: tok.AccessToken,
		AccountId: aws.String("222222222222"), RoleName: aws.String("Deploy")})
	if apiCode(err) != "ForbiddenException" {
		t.Errorf("unassigned role: %v, want ForbiddenException", err)
	}
	accts, err := portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken, MaxResults: aws.Int32(1)})
	must(t, err)
	if len(accts.AccountList) != 1 || *accts.AccountList[0].AccountName != "Identity" || accts.NextToken == nil {
		t.Errorf("ListAccounts page 1: %+v", accts)
	}
	roles, err := portal.ListAccountRoles(ctx, &sso.ListAccountRolesInput{AccessToken: tok.AccessToken, AccountId: aws.String("222222222222")})
	must(t, err)
	if len(roles.RoleList) != 1 || *roles.RoleList[0].RoleName != "ReadOnly" {
		t.Errorf("ListAccountRoles: %+v", roles.RoleList)
	}
	// The token expires on the Clock.
	srv.Clock.Advance(time.Hour)
	_, err = portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken})
	if apiCode(err) != "UnauthorizedException" {
		t.Errorf("expired token: %v, want UnauthorizedException", err)
	}
}

func TestIdentityCenterRefreshRotatesAndLogoutEnds(t *testing.T) {
	t.Parallel()
	srv, oidc, portal := icWorld(t, "")
	ctx := context.Background()
	reg, tok := deviceSignIn(t, srv, oidc, "bob")
	refresh := func(rt *string) (*ssooidc.CreateTokenOutput, error) {
		return oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String("refresh_token"), RefreshToken: rt})
	}
	srv.Clock.Advance(2 * time.Hour)
	next, err := refresh(tok.RefreshToken)
	must(t, err)
	if *next.RefreshToken == *tok.RefreshToken {
		t.Error("the refresh token did not rotate")
	}
	if _, err := refresh(tok.RefreshToken); apiCode(err) != "InvalidGrantException" {
		t.Errorf("used refresh token: %v, want InvalidGrantException", err)
	}
	if _, err := portal.Logout(ctx, &sso.LogoutInput{AccessToken: next.AccessToken}); err != nil {
		t.Fatal(err)
	}
	if _, err := refresh(next.RefreshToken); apiCode(err) != "InvalidGrantException" {
		t.Errorf("refresh after logout: %v, want InvalidGrantException", err)
	}
	if n := srv.CallCount("CreateToken"); n != 7 {
		t.Errorf("%d CreateToken calls recorded, want 7", n)
	}
	for _, c := range srv.Calls() {
		if strings.Contains(c.String(), *next.AccessToken) || strings.Contains(c.String(), *next.RefreshToken) {
			t.Errorf("a token in the call record: %s", c)
		}
	}
}

// noRedirect is a client that stops at redirects, as a test standing in
// for a browser looks at where it would go.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestIdentityCenterAuthorizationCodePKCE(t *testing.T) {
	t.Parallel()
	srv, oidc, _ := icWorld(t, "")
	ctx := context.Background()
	const redirect = "http://127.0.0.1/oauth/callback"
	reg, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("test"), ClientType: aws.String("public"),
		GrantTypes: []string{"authorization_code", "refresh_token"}, RedirectUris: []string{redirect}, IssuerUrl: aws.String(icStartURL)})
	must(t, err)
	verifier := "a-verifier-of-at-least-43-characters-0123456789"
	q := url.Values{"response_type": {"code"}, "client_id": {*reg.ClientId}, "redirect_uri": {"http://127.0.0.1:4567/oauth/callback"},
		"state": {"st8"}, "code_challenge_method": {"S256"}, "code_challenge": {pkceChallenge(verifier)}}
	resp, err := noRedirect.Get(srv.URL + "/authorize?" + q.Encode())
	must(t, err)
	page := readAll(t, resp)
	code := between(page, "user_code: ", "\n")
	resume := between(page, "then open: ", "\n")
	must(t, srv.ApproveSignIn(code, "alice"))
	resp, err = noRedirect.Get(resume)
	must(t, err)
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || loc.Port() != "4567" || loc.Query().Get("state") != "st8" {
		t.Fatalf("resume: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	in := &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, GrantType: aws.String("authorization_code"),
		Code: aws.String(loc.Query().Get("code")), RedirectUri: aws.String(q.Get("redirect_uri")), CodeVerifier: aws.String("wrong" + verifier)}
	if _, err := oidc.CreateToken(ctx, in); apiCode(err) != "InvalidGrantException" {
		t.Fatalf("PKCE mismatch: %v, want InvalidGrantException", err)
	}
	in.CodeVerifier = aws.String(verifier)
	if _, err := oidc.CreateToken(ctx, in); apiCode(err) != "InvalidGrantException" {
		t.Fatalf("a code after a failed verification: %v, want InvalidGrantException (the code is spent)", err)
	}
}

func TestIdentityCenterDeviceCodeExpires(t *testing.T) {
	t.Parallel()
	srv, oidc, _ := icWorld(t, "")
	ctx := context.Background()
	reg, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("t"), ClientType: aws.String("public")})
	must(t, err)
	dev, err := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
		ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(icStartURL)})
	must(t, err)
	srv.Clock.Advance(10 * time.Minute)
	if err := srv.ApproveSignIn(*dev.UserCode, ""); err == nil || !strings.Contains(err.Error(), "user is missing") {
		t.Errorf("approve without a user among two: %v", err)
	}
	_, err = oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
	if apiCode(err) != "ExpiredTokenException" {
		t.Errorf("expired device code: %v, want ExpiredTokenException", err)
	}
}

func TestIdentityCenterScenarioErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, json, want string }{
		{"start URL is https", `{"start_url":"http://x/start","region":"us-east-1","users":{"a":{}}}`, "start_url"},
		{"assignment names a role", `{"start_url":"https://x/start","region":"us-east-1","users":{"a":{"assignments":[{"account":"111111111111","role":"Nope"}]}}}`, `role "Nope"`},
		{"auto approve names a user", `{"start_url":"https://x/start","region":"us-east-1","users":{"a":{}},"auto_approve_user":"b"}`, "auto_approve_user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := LoadScenario(strings.NewReader(`{"identity_center":` + tc.json + `}`))
			must(t, err)
			srv := NewServer()
			defer srv.Close()
			if err := srv.Load(sc); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load: %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	return string(b)
}

func between(s, from, to string) string {
	_, after, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(after, to)
	return v
}
