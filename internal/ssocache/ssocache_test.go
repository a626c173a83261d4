package ssocache_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/xacct/xacct/internal/filestore"
	"github.com/xacct/xacct/internal/ssocache"
	"github.com/xacct/xacct/internal/ssorole"
	"github.com/xacct/xacct/internal/testutil"
	"github.com/xacct/xacct/xaccttest"
)

const startURL = "https://d-1234567890.awsapps.com/start"

var session = ssocache.Session{Name: "corp", StartURL: startURL, Region: "us-east-1"}

// world starts the identity center scenario, approving sign-ins as alice.
func world(t *testing.T) *xaccttest.Server {
	t.Helper()
	sc, err := xaccttest.LoadScenarioFile("../../xaccttest/testdata/identitycenter.json")
	if err != nil {
		t.Fatal(err)
	}
	sc.IdentityCenter.AutoApproveUser = "alice"
	srv, err := xaccttest.NewServerWithScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func clients(url string) (*ssooidc.Client, *sso.Client) {
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url)}
	return ssooidc.NewFromConfig(cfg), sso.NewFromConfig(cfg)
}

// signedIn signs in with the device flow (approved at once) and returns
// the token as a cache file holds it, with its access token expired on
// the real clock, which the processes read.
func signedIn(t *testing.T, url string) *ssocache.Token {
	t.Helper()
	ctx := context.Background()
	oidc, _ := clients(url)
	reg, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("t"), ClientType: aws.String("public")})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
		ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(startURL)})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
	if err != nil {
		t.Fatal(err)
	}
	return &ssocache.Token{StartURL: startURL, Region: "us-east-1", AccessToken: *tok.AccessToken,
		ExpiresAt: time.Now().Add(-time.Minute).Truncate(time.Second), ClientID: *reg.ClientId, ClientSecret: *reg.ClientSecret,
		RegistrationExpiresAt: time.Unix(reg.ClientSecretExpiresAt, 0), RefreshToken: *tok.RefreshToken}
}

func newCache(t *testing.T, url, dir, lockDir string) *ssocache.Cache {
	t.Helper()
	locks, err := filestore.Open(lockDir)
	if err != nil {
		t.Fatal(err)
	}
	oidc, _ := clients(url)
	c, err := ssocache.New(dir, locks, oidc, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPathIsTheSDKs(t *testing.T) {
	t.Setenv("HOME", "/home/someone") // read by ssocreds and DefaultDir: the test runs alone
	want, err := ssocreds.StandardCachedTokenFilepath("corp")
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := ssocache.DefaultDir()
	if got := ssocache.Path(dir, "corp"); got != want {
		t.Errorf("Path = %s, want the SDK's %s", got, want)
	}
}

func TestSaveFormatModesAndSweep(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "sso", "cache")
	path := ssocache.Path(dir, "corp")
	tok := &ssocache.Token{StartURL: startURL, Region: "us-east-1", AccessToken: "SECRET-ACCESS",
		ExpiresAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), ClientID: "cid", ClientSecret: "SECRET-CLIENT",
		RegistrationExpiresAt: time.Date(2030, 3, 2, 3, 4, 5, 0, time.UTC), RefreshToken: "SECRET-REFRESH"}
	leftover := path + ".0123456789abcdef.xacct-tmp"
	testutil.WriteFile(t, filepath.Join(dir, "x"), "", 0o600) // creates dir
	testutil.WriteFile(t, leftover, `{"accessToken":`, 0o600)
	if err := ssocache.Save(path, tok); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	const want = `{"startUrl":"https://d-1234567890.awsapps.com/start","region":"us-east-1","accessToken":"SECRET-ACCESS",` +
		`"expiresAt":"2030-01-02T03:04:05Z","clientId":"cid","clientSecret":"SECRET-CLIENT",` +
		`"registrationExpiresAt":"2030-03-02T03:04:05Z","refreshToken":"SECRET-REFRESH"}`
	if string(b) != want {
		t.Errorf("file:\n%s\nwant the AWS CLI's 8 fields:\n%s", b, want)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v", fi.Mode())
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v", fi.Mode())
	}
	if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the interrupted save's leftover is still there: %v", err)
	}
	got, err := ssocache.Load(path)
	if err != nil || *got != *tok {
		t.Errorf("Load: %+v, %v", got, err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, got); strings.Contains(s, "SECRET") {
			t.Errorf("%s shows a secret: %s", verb, s)
		}
	}
	testutil.WriteFile(t, path, strings.Repeat(" ", ssocache.MaxFileBytes+1), 0o600)
	if _, err := ssocache.Load(path); err == nil || !strings.Contains(err.Error(), "over") {
		t.Errorf("Load of a huge file: %v", err)
	}
}

// TestGoroutinesRefreshOnce: 32 goroutines at an expired token make one
// CreateToken call and all get role credentials; a used refresh token
// then gives a NeedLoginError and leaves the file as it was.
func TestGoroutinesRefreshOnce(t *testing.T) {
	t.Parallel()
	srv := world(t)
	dir, locks := t.TempDir(), t.TempDir()
	tok := signedIn(t, srv.URL)
	path := ssocache.Path(dir, session.Key())
	if err := ssocache.Save(path, tok); err != nil {
		t.Fatal(err)
	}
	c := newCache(t, srv.URL, dir, locks)
	_, portal := clients(srv.URL)
	p := &ssorole.Provider{Tokens: c, Session: session, Portal: portal, AccountID: "111111111111", RoleName: "Admin"}
	before := srv.CallCount("CreateToken")
	var ok atomic.Int32
	testutil.Parallel(32, func(int) {
		if creds, err := p.Retrieve(context.Background()); err == nil && creds.AccountID == "111111111111" {
			ok.Add(1)
		} else {
			t.Error(err)
		}
	})
	if n := srv.CallCount("CreateToken") - before; n != 1 || ok.Load() != 32 {
		t.Errorf("%d CreateToken calls, %d successes; want 1 and 32", n, ok.Load())
	}
	id, err := p.RequesterID(context.Background())
	if err != nil || !strings.HasPrefix(id, "sso-access-token:") || strings.Contains(id, tok.AccessToken) {
		t.Errorf("RequesterID: %s, %v", id, err)
	}
	// The old refresh token again: refused, one clear line, file intact.
	if err := ssocache.Save(path, tok); err != nil {
		t.Fatal(err)
	}
	_, err = p.Retrieve(context.Background())
	var need *ssocache.NeedLoginError
	if !errors.As(err, &need) || !strings.Contains(err.Error(), "InvalidGrantException") || strings.Contains(err.Error(), "\n") {
		t.Errorf("a used refresh token: %v, want a NeedLoginError", err)
	}
	if got, _ := ssocache.Load(path); got == nil || got.RefreshToken != tok.RefreshToken {
		t.Error("the refused refresh changed the cache file")
	}
}

// TestWithoutStoreRefreshOnceInProcess: without a store (xacct
// --no-cache) the lock is the process's: two caches of the session, built
// apart as two profiles' are, and 32 goroutines across them at an expired
// token make one CreateToken call, and all get credentials.
func TestWithoutStoreRefreshOnceInProcess(t *testing.T) {
	t.Parallel()
	srv := world(t)
	dir := t.TempDir()
	if err := ssocache.Save(ssocache.Path(dir, session.Key()), signedIn(t, srv.URL)); err != nil {
		t.Fatal(err)
	}
	oidc, portal := clients(srv.URL)
	var providers [2]*ssorole.Provider
	for i := range providers {
		c, err := ssocache.New(dir, nil, oidc, nil)
		if err != nil {
			t.Fatal(err)
		}
		providers[i] = &ssorole.Provider{Tokens: c, Session: session, Portal: portal, AccountID: "111111111111", RoleName: "Admin"}
	}
	before := srv.CallCount("CreateToken")
	var ok atomic.Int32
	testutil.Parallel(32, func(i int) {
		if _, err := providers[i%2].Retrieve(context.Background()); err == nil {
			ok.Add(1)
		} else {
			t.Error(err)
		}
	})
	if n := srv.CallCount("CreateToken") - before; n != 1 || ok.Load() != 32 {
		t.Errorf("%d CreateToken calls, %d successes; want 1 and 32", n, ok.Load())
	}
}

// TestProcessesRefreshOnce is the proof: 16 processes started
// together on an expired access token make one CreateToken call and all
// 16 get credentials. The Go SDK's own refresh (ssocreds), run the same
// way, is counted beside it.
func TestProcessesRefreshOnce(t *testing.T) {
	t.Parallel()
	const n = 16
	srv := world(t)
	run := func(mode string) (calls, ok int) {
		dir, locks := t.TempDir(), t.TempDir()
		if err := ssocache.Save(ssocache.Path(dir, session.Key()), signedIn(t, srv.URL)); err != nil {
			t.Fatal(err)
		}
		start := filepath.Join(t.TempDir(), "go")
		before := srv.CallCount("CreateToken")
		cmds := make([]*exec.Cmd, n)
		for i := range cmds {
			cmds[i] = exec.Command(os.Args[0], "-test.run=^TestProcessChild$")
			cmds[i].Env = append(os.Environ(), "XACCT_SSO_CHILD="+mode, "XACCT_SSO_URL="+srv.URL,
				"XACCT_SSO_DIR="+dir, "XACCT_SSO_LOCKS="+locks, "XACCT_SSO_START="+start)
			if err := cmds[i].Start(); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(100 * time.Millisecond) // let them reach the start line
		testutil.WriteFile(t, start, "", 0o600)
		for _, c := range cmds {
			if c.Wait() == nil {
				ok++
			}
		}
		return srv.CallCount("CreateToken") - before, ok
	}
	calls, ok := run("xacct")
	sdkCalls, sdkOK := run("sdk")
	t.Logf("%d processes on an expired access token: xacct %d CreateToken call(s), %d succeeded; "+
		"Go SDK ssocreds %d CreateToken calls, %d succeeded", n, calls, ok, sdkCalls, sdkOK)
	if calls != 1 || ok != n {
		t.Errorf("xacct: %d CreateToken calls, %d of %d processes succeeded; want 1 and %d", calls, ok, n, n)
	}
}

// TestProcessChild is a process of TestProcessesRefreshOnce: it waits for
// the start file, then gets the role's credentials with xacct's provider
// or the Go SDK's, and fails when it cannot.
func TestProcessChild(t *testing.T) {
	mode := os.Getenv("XACCT_SSO_CHILD")
	if mode == "" {
		t.Skip("a child of TestProcessesRefreshOnce")
	}
	url, dir := os.Getenv("XACCT_SSO_URL"), os.Getenv("XACCT_SSO_DIR")
	testutil.WaitFor(t, 30*time.Second, "the start file", func() bool {
		_, err := os.Stat(os.Getenv("XACCT_SSO_START"))
		return err == nil
	})
	oidc, portal := clients(url)
	var p aws.CredentialsProvider
	if mode == "sdk" {
		path := ssocache.Path(dir, session.Key())
		p = ssocreds.New(portal, "111111111111", "Admin", startURL, func(o *ssocreds.Options) {
			o.SSOTokenProvider, o.CachedTokenFilepath = ssocreds.NewSSOTokenProvider(oidc, path), path
		})
	} else {
		p = &ssorole.Provider{Tokens: newCache(t, url, dir, os.Getenv("XACCT_SSO_LOCKS")), Session: session,
			Portal: portal, AccountID: "111111111111", RoleName: "Admin"}
	}
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
}
