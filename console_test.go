package xacct_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/testutil"
	"github.com/xacct/xacct/xaccttest"
)

// consoleWorld is the world with carol, whose keys may federate and
// assume Hub (with its External ID); hub is her one-hop session, deploy
// the chained one.
func consoleWorld(t *testing.T) (srv *xaccttest.Server, carol, hub, deploy aws.Config) {
	t.Helper()
	srv, _ = world(t)
	err := srv.AddUser("111111111111", "carol", xaccttest.User{AccessKeyID: "AKIAEXAMPLECAROL0001", SecretAccessKey: "carol-secret",
		Policies: []json.RawMessage{allow(hubRole), doc(`{"Version":"2012-10-17","Statement":{"Effect":"Allow",
			"Action":"sts:GetFederationToken","Resource":"arn:aws:sts::111111111111:federated-user/*"}}`)}})
	if err != nil {
		t.Fatal(err)
	}
	carol = srv.Config("AKIAEXAMPLECAROL0001", "carol-secret", "")
	now := func(o *xacct.Options) { o.Now = srv.Clock.Now }
	h, err := xacct.AssumeRole(carol, xacct.Role{ARN: hubRole, ExternalID: "ext-123", SessionName: "carol"}, now)
	if err != nil {
		t.Fatal(err)
	}
	d, err := xacct.AssumeRole(with(carol, h), xacct.Role{ARN: deployRole, SessionName: "carol"}, now)
	if err != nil {
		t.Fatal(err)
	}
	return srv, carol, with(carol, h), with(carol, d)
}

// federation points ConsoleURL at the fake's federation endpoint.
func federation(srv *xaccttest.Server) func(*xacct.ConsoleOptions) {
	return func(o *xacct.ConsoleOptions) { o.Endpoint = srv.URL + xaccttest.FederationPath }
}

// federationCalls returns the fake's calls of the federation endpoint and
// of GetFederationToken.
func federationCalls(srv *xaccttest.Server, from int) []xaccttest.Call {
	var out []xaccttest.Call
	for _, c := range srv.Calls()[from:] {
		switch c.Action {
		case "getSigninToken", "login", "GetFederationToken":
			out = append(out, c)
		}
	}
	return out
}

func TestConsoleURLBySessionKind(t *testing.T) {
	t.Parallel()
	srv, carol, hub, deploy := consoleWorld(t)
	home := "https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1"
	for _, c := range []struct {
		name     string
		cfg      aws.Config
		caller   string
		duration int    // SessionDuration sent
		fedFirst string // the federated user, when GetFederationToken comes first
	}{
		{"one-hop role", hub, "arn:aws:sts::222222222222:assumed-role/Hub/carol", 3600, ""},
		{"chained role", deploy, "arn:aws:sts::333333333333:assumed-role/Deploy/carol", 0, ""},
		{"IAM user", carol, "arn:aws:sts::111111111111:federated-user/console", 0, "console"},
	} {
		from := len(srv.Calls())
		login, err := xacct.ConsoleURL(context.Background(), c.cfg, federation(srv),
			func(o *xacct.ConsoleOptions) { o.FederationName = "console" })
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		calls := federationCalls(srv, from)
		if c.fedFirst != "" {
			if len(calls) == 0 || calls[0].Action != "GetFederationToken" || !calls[0].Allowed || calls[0].RoleSessionName != c.fedFirst {
				t.Fatalf("%s: calls %v, want GetFederationToken first", c.name, calls)
			}
			calls = calls[1:]
		}
		if len(calls) != 1 || calls[0].Action != "getSigninToken" || !calls[0].Allowed || calls[0].Caller != c.caller ||
			calls[0].DurationSeconds != c.duration {
			t.Fatalf("%s: calls %v, want getSigninToken by %s with SessionDuration %d", c.name, calls, c.caller, c.duration)
		}
		u, _ := url.Parse(login)
		if q := u.Query(); q.Get("Action") != "login" || q.Get("Issuer") != "xacct" || q.Get("Destination") != home ||
			q.Get("SigninToken") == "" {
			t.Errorf("%s: login URL query %v", c.name, q)
		}
		if loc, status := testutil.Redirect(t, login); status != http.StatusFound || loc != home {
			t.Errorf("%s: login answered %d, Location %q", c.name, status, loc)
		}
		if calls := federationCalls(srv, from); calls[len(calls)-1].Action != "login" || !calls[len(calls)-1].Allowed {
			t.Errorf("%s: the login was not recorded as allowed: %v", c.name, calls[len(calls)-1])
		}
	}
	// The sign-in token lasts 15 minutes.
	login, err := xacct.ConsoleURL(context.Background(), hub, federation(srv))
	if err != nil {
		t.Fatal(err)
	}
	srv.Clock.Advance(15 * time.Minute)
	if _, status := testutil.Redirect(t, login); status != http.StatusBadRequest {
		t.Errorf("a login 15 minutes late answered %d, want 400", status)
	}
}

func TestConsoleURLRefusals(t *testing.T) {
	t.Parallel()
	srv, _, _, deploy := consoleWorld(t)
	alice, err := srv.UserConfig("111111111111", "alice")
	if err != nil {
		t.Fatal(err)
	}
	var prompts atomic.Int32
	mfa, err := xacct.MFASession(alice, aliceMFA, counted(srv, &prompts))
	if err != nil {
		t.Fatal(err)
	}
	// Chained credentials that claim to be a one-hop role's: the fake refuses
	// their SessionDuration, as the federation endpoint does.
	chained, err := deploy.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	lying := srv.Config(chained.AccessKeyID, chained.SecretAccessKey, chained.SessionToken)
	for _, c := range []struct {
		name string
		cfg  aws.Config
		opt  func(*xacct.ConsoleOptions)
		want string
	}{
		{"MFA session", with(alice, mfa), nil, "sign in with a role's session"},
		{"chained with SessionDuration", deploy, func(o *xacct.ConsoleOptions) { o.SessionDuration = 2 * time.Hour },
			"refuses a SessionDuration"},
		{"a claim against the facts", lying, func(o *xacct.ConsoleOptions) { o.SessionKind = "role" },
			"HTTP 400: SessionDuration is refused for a session obtained by role chaining"},
		{"user not allowed to federate", alice, nil, "must allow sts:GetFederationToken"},
		{"SessionDuration out of range", deploy, func(o *xacct.ConsoleOptions) { o.SessionKind, o.SessionDuration = "", 13*time.Hour },
			"refuses a SessionDuration"},
		{"bad destination", deploy, func(o *xacct.ConsoleOptions) { o.Destination = "https://evil.example.com/" },
			"not on the console of partition aws"},
		{"http endpoint", deploy, func(o *xacct.ConsoleOptions) { o.Endpoint = "http://signin.example.com/federation" },
			"http is for loopback only"},
	} {
		opts := []func(*xacct.ConsoleOptions){federation(srv)}
		if c.opt != nil {
			opts = append(opts, c.opt)
		}
		_, err := xacct.ConsoleURL(context.Background(), c.cfg, opts...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
			continue
		}
		for _, secret := range []string{chained.SecretAccessKey, chained.SessionToken, "carol-secret"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: the error shows a secret: %v", c.name, err)
			}
		}
	}
	if n := prompts.Load(); n != 0 {
		t.Errorf("the MFA session was refused after %d prompts, want none", n)
	}
}

// hostRecorder sends every request to the fake, recording the host it was
// meant for.
type hostRecorder struct {
	fake  *url.URL
	mu    sync.Mutex // guards hosts
	hosts []string
}

func (h *hostRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts = append(h.hosts, r.URL.Host+r.URL.Path)
	h.mu.Unlock()
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = h.fake.Scheme, h.fake.Host, ""
	return http.DefaultTransport.RoundTrip(r)
}

func TestConsoleURLSignInHostFollowsThePartition(t *testing.T) {
	t.Parallel()
	srv, _, hub, _ := consoleWorld(t)
	fake, _ := url.Parse(srv.URL)
	for _, c := range []struct{ region, host, home string }{
		{"us-gov-west-1", "signin.amazonaws-us-gov.com", "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"},
		{"cn-north-1", "signin.amazonaws.cn", "https://console.amazonaws.cn/console/home?region=cn-north-1"},
		{"eu-west-1", "eu-west-1.signin.aws.amazon.com", "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"},
		{"us-east-1", "signin.aws.amazon.com", "https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1"},
	} {
		rec := &hostRecorder{fake: fake}
		cfg := hub
		cfg.Region, cfg.HTTPClient = c.region, &http.Client{Transport: rec}
		login, err := xacct.ConsoleURL(context.Background(), cfg)
		if err != nil {
			t.Fatalf("%s: %v", c.region, err)
		}
		if len(rec.hosts) != 1 || rec.hosts[0] != c.host+"/federation" {
			t.Errorf("%s: requests to %v, want %s/federation", c.region, rec.hosts, c.host)
		}
		if !strings.HasPrefix(login, "https://"+c.host+"/federation?") || !strings.Contains(login, url.QueryEscape(c.home)) {
			t.Errorf("%s: login URL %.80s…, want %s with destination %s", c.region, login, c.host, c.home)
		}
	}
}

func TestConsoleDestinations(t *testing.T) {
	t.Parallel()
	srv, _, hub, _ := consoleWorld(t)
	for dest, want := range map[string]string{
		"s3": "https://us-east-1.console.aws.amazon.com/s3/home?region=us-east-1",
		"https://us-east-1.console.aws.amazon.com/ec2/home#Instances": "https://us-east-1.console.aws.amazon.com/ec2/home#Instances",
	} {
		login, err := xacct.ConsoleURL(context.Background(), hub, federation(srv),
			func(o *xacct.ConsoleOptions) { o.Destination = dest })
		if err != nil {
			t.Fatal(err)
		}
		if loc, _ := testutil.Redirect(t, login); loc != want {
			t.Errorf("destination %q: redirected to %q, want %q", dest, loc, want)
		}
	}
}

func TestSessionKind(t *testing.T) {
	t.Parallel()
	srv, carol, hub, deploy := consoleWorld(t)
	mfa, _ := xacct.MFASession(carol, aliceMFA, srv.TokenFunc())
	for _, c := range []struct {
		p    aws.CredentialsProvider
		want string
	}{
		{xacct.NewCache(carol.Credentials), "long-term"}, {hub.Credentials, "role"},
		{deploy.Credentials, "role-chained"}, {mfa, "mfa-session"},
	} {
		if got := c.p.(*xacct.Cache).SessionKind(); got != c.want {
			t.Errorf("%v: SessionKind %q, want %q", c.p, got, c.want)
		}
	}
}
