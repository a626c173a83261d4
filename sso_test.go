package xacct_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/ssocache"
	"github.com/xacct/xacct/xaccttest"
)

// ssoWorld starts the identity center scenario (approving as
// autoApprove, when set) and writes a config with an SSO profile, admin,
// and a role on top of it, deploy. It returns the server and the options
// that point LoginSSO at both.
func ssoWorld(t *testing.T, autoApprove string) (*xaccttest.Server, string, func(*xacct.SSOLoginOptions)) {
	t.Helper()
	sc, err := xaccttest.LoadScenarioFile("xaccttest/testdata/identitycenter.json")
	if err != nil {
		t.Fatal(err)
	}
	sc.IdentityCenter.AutoApproveUser = autoApprove
	srv, err := xaccttest.NewServerWithScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte(`
[profile admin]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin

[profile deploy]
source_profile = admin
role_arn = arn:aws:iam::222222222222:role/Deploy

[profile keys]
aws_access_key_id = AKIAEXAMPLEKEYS00001
aws_secret_access_key = s

[sso-session corp]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1
`), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, filepath.Join(dir, "sso", "cache"), func(o *xacct.SSOLoginOptions) {
		o.ConfigFiles, o.CredentialsFiles = []string{config}, []string{}
		o.TokenCacheDir, o.StoreDir = filepath.Join(dir, "sso", "cache"), filepath.Join(dir, "store")
		o.Endpoint, o.Now = srv.URL, srv.Clock.Now
	}
}

// TestLoginSSODeviceFlow: the device flow through source_profile, waiting
// out AuthorizationPending, slowing down on SlowDown, approved through the
// admin API; then a Force login reuses the registration.
func TestLoginSSODeviceFlow(t *testing.T) {
	t.Parallel()
	srv, cacheDir, opts := ssoWorld(t, "")
	var code string
	var sleeps []time.Duration
	device := func(o *xacct.SSOLoginOptions) {
		o.DeviceCode, o.Force = true, true
		o.OpenURL = func(_ context.Context, url, userCode string) error {
			code = userCode
			if !strings.Contains(url, userCode) {
				t.Errorf("verification URL %s does not carry the code", url)
			}
			return nil
		}
		o.Sleep = func(_ context.Context, d time.Duration) error {
			sleeps = append(sleeps, d)
			switch len(sleeps) {
			case 2: // a poll too soon: the server answers SlowDown
				return nil
			case 3:
				srv.Clock.Advance(d)
				return srv.ApproveSignIn(code, "alice")
			}
			srv.Clock.Advance(d) // the first poll: AuthorizationPending
			return nil
		}
	}
	if err := xacct.LoginSSO(context.Background(), "deploy", opts, device); err != nil {
		t.Fatal(err)
	}
	if len(sleeps) != 3 || sleeps[0] != time.Second || sleeps[2] != 6*time.Second {
		t.Errorf("waits %v: want the service's 1s interval, growing after SlowDown", sleeps)
	}
	tok, err := ssocache.Load(ssocache.Path(cacheDir, "corp"))
	if err != nil || !tok.ValidFor(srv.Clock.Now(), 59*time.Minute) || !tok.CanRefresh(srv.Clock.Now()) {
		t.Fatalf("cached token: %v, %v", tok, err)
	}
	sleeps = nil
	if err := xacct.LoginSSO(context.Background(), "admin", opts, device); err != nil {
		t.Fatal(err)
	}
	if n := srv.CallCount("RegisterClient"); n != 1 {
		t.Errorf("%d RegisterClient calls for two sign-ins, want 1 (the registration is reused)", n)
	}
}

// TestLoginSSOExpiredDeviceCode: the code expires before approval: one
// clear line, and the cache file of the sign-in before stays.
func TestLoginSSOExpiredDeviceCode(t *testing.T) {
	t.Parallel()
	srv, cacheDir, opts := ssoWorld(t, "")
	if err := xacct.LoginSSO(context.Background(), "admin", opts, func(o *xacct.SSOLoginOptions) {
		o.DeviceCode = true
		o.OpenURL = func(_ context.Context, _, code string) error { return srv.ApproveSignIn(code, "bob") }
		o.Sleep = func(context.Context, time.Duration) error { return nil }
	}); err != nil {
		t.Fatal(err)
	}
	path := ssocache.Path(cacheDir, "corp")
	before, _ := os.ReadFile(path)
	err := xacct.LoginSSO(context.Background(), "admin", opts, func(o *xacct.SSOLoginOptions) {
		o.DeviceCode, o.Force = true, true
		o.OpenURL = func(context.Context, string, string) error { return nil }
		o.Sleep = func(context.Context, time.Duration) error { srv.Clock.Advance(4 * time.Minute); return nil }
	})
	if err == nil || !strings.Contains(err.Error(), "device code expired") || strings.Contains(err.Error(), "\n") {
		t.Errorf("err = %v, want one line saying the device code expired", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the failed sign-in changed the cache file")
	}
}

// follow is a browser that signs in at once: it follows the fake's
// redirect to xacct's loopback port.
func follow(_ context.Context, url, _ string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// TestLoginSSOLoopbackRefusesForgedRedirect: the attacker's test. A
// request to the loopback port with another state (a page the attacker
// controls, guessing the port) is refused, and the sign-in goes on to
// take the real code.
func TestLoginSSOLoopbackRefusesForgedRedirect(t *testing.T) {
	t.Parallel()
	_, _, opts := ssoWorld(t, "alice")
	var forged atomic.Int32
	err := xacct.LoginSSO(context.Background(), "admin", opts, func(o *xacct.SSOLoginOptions) {
		o.OpenURL = func(ctx context.Context, url, user string) error {
			redirect := url[strings.Index(url, "redirect_uri=")+len("redirect_uri="):]
			redirect = strings.NewReplacer("%3A", ":", "%2F", "/").Replace(redirect[:strings.Index(redirect, "&")])
			resp, err := http.Get(redirect + "?code=stolen&state=guess")
			if err == nil {
				if resp.StatusCode == http.StatusBadRequest {
					forged.Add(1)
				}
				resp.Body.Close()
			}
			return follow(ctx, url, user)
		}
	})
	if err != nil || forged.Load() != 1 {
		t.Errorf("LoginSSO: %v; forged redirects refused: %d, want 1", err, forged.Load())
	}
}

func TestLoginSSONotSSO(t *testing.T) {
	t.Parallel()
	_, _, opts := ssoWorld(t, "alice")
	err := xacct.LoginSSO(context.Background(), "keys", opts)
	if err == nil || !strings.Contains(err.Error(), "not an IAM Identity Center session") {
		t.Errorf("err = %v", err)
	}
}

// TestLoginSSOPKCEVerifierMismatch: an authorize request whose PKCE
// challenge was changed on the way (the code is then bound to a
// challenge this process's verifier does not answer) is refused when the
// code is redeemed: one line, and the cache file of the sign-in before
// stays as it was.
func TestLoginSSOPKCEVerifierMismatch(t *testing.T) {
	t.Parallel()
	_, cacheDir, opts := ssoWorld(t, "alice")
	if err := xacct.LoginSSO(context.Background(), "admin", opts, func(o *xacct.SSOLoginOptions) { o.OpenURL = follow }); err != nil {
		t.Fatal(err)
	}
	path := ssocache.Path(cacheDir, "corp")
	before, _ := os.ReadFile(path)
	err := xacct.LoginSSO(context.Background(), "admin", opts, func(o *xacct.SSOLoginOptions) {
		o.Force = true
		o.OpenURL = func(ctx context.Context, url, user string) error {
			i := strings.Index(url, "code_challenge=") + len("code_challenge=")
			c := map[bool]string{true: "B", false: "A"}[url[i] == 'A']
			tampered := url[:i] + c + url[i+1:] // another challenge, of a verifier nobody has
			return follow(ctx, tampered, user)
		}
	})
	if err == nil || !strings.Contains(err.Error(), "InvalidGrantException (the code or its PKCE verifier was refused)") ||
		strings.Contains(err.Error(), "\n") {
		t.Errorf("err = %v, want one line saying the code or its verifier was refused", err)
	}
	if after, _ := os.ReadFile(path); len(before) == 0 || string(after) != string(before) {
		t.Error("the refused sign-in changed the cache file")
	}
}
