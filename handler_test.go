package xacct_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/testutil"
	"github.com/xacct/xacct/xaccttest"
)

const endpointToken = "0123456789abcdef0123456789abcdef"

// endpointAnswer is what a client reads: the credentials or the error.
type endpointAnswer struct {
	status                                                     int
	header                                                     http.Header
	body                                                       string
	AccessKeyID, SecretAccessKey, Token, Expiration, AccountID string
	Code, Message, CodeJS, MessageJS                           string
}

// get sends one request to url with token (none when empty); edit changes
// the request before it is sent.
func get(t *testing.T, url, token string, edit func(*http.Request)) endpointAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	a := endpointAnswer{status: resp.StatusCode, header: resp.Header, body: string(b)}
	var v struct {
		AccessKeyId, SecretAccessKey, Token, Expiration, AccountId string
		Code                                                       string `json:"code"`
		Message                                                    string `json:"message"`
	}
	json.Unmarshal(b, &v)
	var js struct{ Code, Message string }
	json.Unmarshal([]byte(strings.NewReplacer(`"code"`, `"x1"`, `"message"`, `"x2"`).Replace(string(b))), &js)
	a.AccessKeyID, a.SecretAccessKey, a.Token, a.Expiration, a.AccountID = v.AccessKeyId, v.SecretAccessKey, v.Token, v.Expiration, v.AccountId
	a.Code, a.Message, a.CodeJS, a.MessageJS = v.Code, v.Message, js.Code, js.Message
	return a
}

// hubChain is alice's chain Hub (1h) → Deploy (1h) on the fake's clock.
func hubChain(t *testing.T, srv *xaccttest.Server, cfg aws.Config) *xacct.Cache {
	t.Helper()
	c, err := xacct.Chain(cfg, []xacct.Role{
		{ARN: hubRole, ExternalID: "ext-123", Duration: time.Hour},
		{ARN: deployRole},
	}, func(o *xacct.Options) { o.Now = srv.Clock.Now })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCredentialsHandlerRules(t *testing.T) {
	t.Parallel()
	srv, cfg := world(t)
	ts := httptest.NewServer(xacct.CredentialsHandler(hubChain(t, srv, cfg), endpointToken))
	defer ts.Close()

	ok := get(t, ts.URL, endpointToken, nil)
	if ok.status != 200 || ok.AccessKeyID == "" || ok.SecretAccessKey == "" || ok.Token == "" {
		t.Fatalf("good request: %d %s", ok.status, ok.header)
	}
	if ok.header.Get("Cache-Control") != "no-store" || ok.header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v, want Cache-Control no-store and JSON", ok.header)
	}
	exp, err := time.Parse(time.RFC3339, ok.Expiration)
	if err != nil || !strings.HasSuffix(ok.Expiration, "Z") {
		t.Errorf("Expiration %q: want RFC 3339 in UTC with a Z (%v)", ok.Expiration, err)
	}
	if left := exp.Sub(srv.Clock.Now()); left < 15*time.Minute {
		t.Errorf("served credentials have %v left, want at least 15m", left)
	}
	if ok.AccountID != "333333333333" {
		t.Errorf("AccountId %q, want 333333333333", ok.AccountID)
	}

	tests := []struct {
		name   string
		token  string
		edit   func(*http.Request)
		status int
		code   string
	}{
		{"no token is 401", "", nil, 401, "Unauthorized"},
		{"a wrong token is 401", strings.Repeat("x", len(endpointToken)), nil, 401, "Unauthorized"},
		{"the token's prefix is 401", endpointToken[:20], nil, 401, "Unauthorized"},
		{"the token with more is 401", endpointToken + "0", nil, 401, "Unauthorized"},
		{"Bearer and the token is 401", "Bearer " + endpointToken, nil, 401, "Unauthorized"},
		{"another site's Host is 403", endpointToken, func(r *http.Request) { r.Host = "attacker.example.com" }, 403, "ForbiddenHost"},
		{"a rebound name with the port is 403", endpointToken, func(r *http.Request) { r.Host = "rebind.example.com:80" }, 403, "ForbiddenHost"},
		{"a private address is 403", endpointToken, func(r *http.Request) { r.Host = "192.168.1.1" }, 403, "ForbiddenHost"},
		{"169.254.170.2 is not loopback: 403", endpointToken, func(r *http.Request) { r.Host = "169.254.170.2" }, 403, "ForbiddenHost"},
		{"a wrong Host is 403 before the token", "", func(r *http.Request) { r.Host = "attacker.example.com" }, 403, "ForbiddenHost"},
		{"POST is 405", endpointToken, func(r *http.Request) { r.Method = http.MethodPost }, 405, "MethodNotAllowed"},
		{"PUT is 405", endpointToken, func(r *http.Request) { r.Method = http.MethodPut }, 405, "MethodNotAllowed"},
		{"HEAD is 405", endpointToken, func(r *http.Request) { r.Method = http.MethodHead }, 405, ""},
		{"a body is 413", endpointToken, func(r *http.Request) {
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader("x")), 1
		}, 413, "BodyNotAllowed"},
		{"localhost is served", endpointToken, func(r *http.Request) { r.Host = "localhost" }, 200, ""},
		{"127.0.0.2 is served", endpointToken, func(r *http.Request) { r.Host = "127.0.0.2:9" }, 200, ""},
		{"[::1] is served", endpointToken, func(r *http.Request) { r.Host = "[::1]:8080" }, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := get(t, ts.URL, tc.token, tc.edit)
			if a.status != tc.status || a.Code != tc.code || a.CodeJS != tc.code || a.Message != a.MessageJS {
				t.Errorf("%d code %q Code %q, want %d %q in both\n%s", a.status, a.Code, a.CodeJS, tc.status, tc.code, a.body)
			}
			if tc.status != 200 && (a.AccessKeyID != "" || strings.Contains(a.body, ok.SecretAccessKey)) {
				t.Errorf("a refused request got credentials: %s", a.body)
			}
			if tc.status == 405 && a.header.Get("Allow") != "GET" {
				t.Errorf("405 without Allow: GET")
			}
		})
	}
}

func TestCredentialsHandlerPanicsOnAShortToken(t *testing.T) {
	t.Parallel()
	for _, tok := range []string{"", "short", strings.Repeat("x", 15)} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("token of %d bytes: no panic", len(tok))
				} else if s, _ := r.(string); !strings.Contains(s, "at least 16") {
					t.Errorf("panic %v: want the rule", r)
				}
			}()
			xacct.CredentialsHandler(aws.AnonymousCredentials{}, tok)
		}()
	}
	xacct.CredentialsHandler(aws.AnonymousCredentials{}, strings.Repeat("x", 16)) // 16 is enough
}

// TestCredentialsHandlerAcrossLifetimes moves the fake's clock through
// three lifetimes of the last hop's session, 5 minutes at a time: every
// answer has at least 15 minutes left, and the credentials change with
// every refresh.
func TestCredentialsHandlerAcrossLifetimes(t *testing.T) {
	t.Parallel()
	srv, cfg := world(t)
	c := hubChain(t, srv, cfg)
	ts := httptest.NewServer(xacct.CredentialsHandler(c, endpointToken))
	defer ts.Close()

	keys := map[string]bool{}
	var last string
	changes := 0
	for step := 0; step <= 3*60/5; step++ {
		a := get(t, ts.URL, endpointToken, nil)
		if a.status != 200 {
			t.Fatalf("at %v: %d %s", time.Duration(step)*5*time.Minute, a.status, a.body)
		}
		exp, _ := time.Parse(time.RFC3339, a.Expiration)
		if left := exp.Sub(srv.Clock.Now()); left < 15*time.Minute {
			t.Errorf("at %v: served credentials with %v left, want at least 15m", time.Duration(step)*5*time.Minute, left)
		}
		if a.AccessKeyID != last {
			changes++
			if keys[a.AccessKeyID] {
				t.Errorf("at %v: credentials served again after others", time.Duration(step)*5*time.Minute)
			}
			keys[a.AccessKeyID], last = true, a.AccessKeyID
		}
		waitIdle(t, srv)
		srv.Clock.Advance(5 * time.Minute)
	}
	t.Logf("%d credentials, %d AssumeRole calls", changes, srv.CallCount("AssumeRole"))
	// 3h of 1h sessions renewed with 15 minutes left: a new one every 45m.
	if changes < 4 {
		t.Errorf("%d different credentials over three lifetimes, want a new one at each refresh (at least 4)", changes)
	}
	if n := srv.CallCount("AssumeRole"); n > 2*changes+2 {
		t.Errorf("%d AssumeRole calls for %d credentials: more than one per hop per refresh", n, changes)
	}
}

// TestCredentialsHandlerMFASessionEnds: once the MFA session under a hop
// has ended, a request gets 503 MFACodeNeeded at once, and the TokenFunc
// is not called; an MFA session started elsewhere (here: a Retrieve by the
// program, which may ask) serves the next request.
func TestCredentialsHandlerMFASessionEnds(t *testing.T) {
	t.Parallel()
	srv, cfg := world(t)
	var asked atomic.Int32
	token := srv.TokenFunc()
	counted := func(ctx context.Context, req xacct.TokenRequest) (string, error) {
		asked.Add(1)
		return token(ctx, req)
	}
	now := func(o *xacct.Options) { o.Now = srv.Clock.Now }
	session, err := xacct.MFASession(cfg, aliceMFA, counted, now, func(o *xacct.Options) { o.SessionDuration = time.Hour })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Credentials = session
	hop, err := xacct.AssumeRole(cfg, xacct.Role{ARN: glassRole}, now)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(xacct.CredentialsHandler(hop, endpointToken))
	defer ts.Close()
	if _, err := hop.Retrieve(context.Background()); err != nil { // the program, at its terminal
		t.Fatal(err)
	}
	if a := get(t, ts.URL, endpointToken, nil); a.status != 200 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	srv.Clock.Advance(61 * time.Minute) // the session and the hop have ended
	began := time.Now()
	a := get(t, ts.URL, endpointToken, nil)
	if took := time.Since(began); took > 500*time.Millisecond {
		t.Errorf("the 503 took %v, want it at once", took)
	}
	if a.status != 503 || a.Code != "MFACodeNeeded" || !strings.Contains(a.Message, "xacct login") {
		t.Errorf("%d %s, want 503 MFACodeNeeded saying to run xacct login", a.status, a.body)
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("the TokenFunc was called %d times, want once (by the program, never by a request)", n)
	}
	if _, err := hop.Retrieve(context.Background()); err != nil { // the program asks again
		t.Fatal(err)
	}
	if a := get(t, ts.URL, endpointToken, nil); a.status != 200 {
		t.Errorf("after a new session: %d %s", a.status, a.body)
	}
}

// TestCredentialsHandlerColdStorm: 200 requests at once on a cold chain
// make one AssumeRole per hop. Like the SDKs, a client retries a 503.
func TestCredentialsHandlerColdStorm(t *testing.T) {
	t.Parallel()
	srv, cfg := world(t)
	ts := httptest.NewServer(xacct.CredentialsHandler(hubChain(t, srv, cfg), endpointToken))
	defer ts.Close()
	var keys [200]string
	testutil.Parallel(200, func(i int) {
		for range 5 {
			a := get(t, ts.URL, endpointToken, nil)
			if a.status == 200 {
				keys[i] = a.AccessKeyID
				return
			}
			if a.status != 503 {
				t.Errorf("request %d: %d %s", i, a.status, a.body)
				return
			}
		}
	})
	for i, k := range keys {
		if k != keys[0] || k == "" {
			t.Fatalf("request %d got %q, request 0 %q: want the same credentials for all", i, k, keys[0])
		}
	}
	for _, role := range []string{hubRole, deployRole} {
		n := 0
		for _, c := range srv.Calls() {
			if c.Action == "AssumeRole" && c.RoleARN == role {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d AssumeRole calls of %s, want 1", n, role)
		}
	}
}

// TestCredentialsHandlerOtherProvider serves any provider's credentials as
// it gives them, and a panic of it is that request's 502.
func TestCredentialsHandlerOtherProvider(t *testing.T) {
	t.Parallel()
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	static := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDSTATIC", SecretAccessKey: "s", SessionToken: "t", CanExpire: true, Expires: exp}, nil
	})
	ts := httptest.NewServer(xacct.CredentialsHandler(static, endpointToken))
	defer ts.Close()
	if a := get(t, ts.URL, endpointToken, nil); a.status != 200 || a.Expiration != "2030-01-02T02:04:05Z" {
		t.Errorf("%d %s, want the provider's expiry in UTC", a.status, a.body)
	}
	panicky := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { panic("boom") })
	ts2 := httptest.NewServer(xacct.CredentialsHandler(panicky, endpointToken))
	defer ts2.Close()
	if a := get(t, ts2.URL, endpointToken, nil); a.status != 502 || a.Code != "CredentialsUnavailable" {
		t.Errorf("%d %s, want 502 CredentialsUnavailable", a.status, a.body)
	}
}
