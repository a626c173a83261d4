package xaccttest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const (
	issuer      = "https://oidc.example.com/cluster1"
	deployer    = "arn:aws:iam::444444444444:role/Deployer"
	targetRole  = "arn:aws:iam::555555555555:role/Target"
	ciSubject   = "system:serviceaccount:ci:builder"
	stsAudience = "sts.amazonaws.com"
)

// webWorld starts the web identity scenario of testdata.
func webWorld(t testing.TB) *Server {
	t.Helper()
	sc, err := LoadScenarioFile("testdata/webidentity.json")
	must(t, err)
	srv, err := NewServerWithScenario(sc)
	must(t, err)
	t.Cleanup(srv.Close)
	return srv
}

// anonymous is an STS client without credentials: AssumeRoleWithWebIdentity
// is unsigned.
func anonymous(srv *Server) *sts.Client {
	cfg := srv.Config("", "", "")
	cfg.Credentials = nil
	return sts.NewFromConfig(cfg, func(o *sts.Options) { o.RetryMaxAttempts = 1 })
}

func webAssume(srv *Server, role, token string, opt ...func(*sts.AssumeRoleWithWebIdentityInput)) (
	*sts.AssumeRoleWithWebIdentityOutput, error) {
	in := &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(role), RoleSessionName: aws.String("web"),
		WebIdentityToken: aws.String(token)}
	for _, o := range opt {
		o(in)
	}
	return anonymous(srv).AssumeRoleWithWebIdentity(context.Background(), in)
}

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	t.Parallel()
	srv := webWorld(t)
	ctx := context.Background()
	token, err := srv.WebIdentityToken(issuer, ciSubject, stsAudience, time.Hour)
	must(t, err)
	out, err := webAssume(srv, deployer, token)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SubjectFromWebIdentityToken) != ciSubject || aws.ToString(out.Audience) != stsAudience ||
		aws.ToString(out.Provider) != issuer ||
		aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::444444444444:assumed-role/Deployer/web" {
		t.Fatalf("answer %+v %+v", out, out.AssumedRoleUser)
	}
	if exp := aws.ToTime(out.Credentials.Expiration); !exp.Equal(srv.Clock.Now().Add(time.Hour)) {
		t.Errorf("expires %v, want an hour on", exp)
	}
	session := sessionClient(srv, out.Credentials)
	id, err := session.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != "444444444444" {
		t.Fatalf("the session: %v %v", id, err)
	}
	// The session is a role session: AssumeRole with it is role chaining.
	if _, err := assume(session, targetRole, "", duration(7200)); err == nil ||
		!strings.Contains(err.Error(), errChainedDuration.message) {
		t.Errorf("chaining 2h from a web identity session: %v", err)
	}
	if _, err := assume(session, targetRole, ""); err != nil {
		t.Errorf("chaining 1h from a web identity session: %v", err)
	}
	// The call record names the provider and the subject, never the token.
	var web Call
	for _, c := range srv.Calls() {
		if c.Action == "AssumeRoleWithWebIdentity" {
			web = c
		}
		if strings.Contains(fmt.Sprintf("%v %+v %#v", c, c, c), token) {
			t.Fatalf("the token is in the call record: %v", c)
		}
	}
	if !web.Allowed || web.Caller != "arn:aws:iam::444444444444:oidc-provider/oidc.example.com/cluster1" || web.Subject != ciSubject {
		t.Errorf("recorded %+v", web)
	}
}

func TestWebIdentityRefusals(t *testing.T) {
	t.Parallel()
	srv := webWorld(t)
	mint := func(issuer, subject, audience string, ttl time.Duration) string {
		t.Helper()
		tok, err := srv.WebIdentityToken(issuer, subject, audience, ttl)
		must(t, err)
		return tok
	}
	good := mint(issuer, ciSubject, stsAudience, time.Hour)
	parts := strings.Split(good, ".")
	otherIssuer := mint("https://other.example.com", ciSubject, stsAudience, time.Hour)
	// A token of the right issuer signed with another issuer's key.
	forged := parts[0] + "." + parts[1] + "." + strings.Split(otherIssuer, ".")[2]
	for _, tt := range []struct {
		name, role, token string
		opt               func(*sts.AssumeRoleWithWebIdentityInput)
		code              string
		status            int
		msg               string
	}{
		{"malformed", deployer, "not-a-jwt", nil, "InvalidIdentityToken", 400, "could not be validated"},
		{"bad signature", deployer, forged, nil, "InvalidIdentityToken", 400, "could not be validated"},
		{"unknown issuer", deployer, otherIssuer, nil, "InvalidIdentityToken", 400,
			"No OpenIDConnect provider found in your account for https://other.example.com"},
		// The provider is checked before the signature, as STS orders them.
		{"unknown issuer, bad signature", deployer, strings.Join(strings.Split(otherIssuer, ".")[:2], ".") + "." + parts[2], nil,
			"InvalidIdentityToken", 400, "No OpenIDConnect provider found in your account for https://other.example.com"},
		{"audience not registered", deployer, mint(issuer, ciSubject, "someone-else", time.Hour), nil,
			"InvalidIdentityToken", 400, "Incorrect token audience"},
		{"trust policy: subject", deployer, mint(issuer, "system:serviceaccount:prod:x", stsAudience, time.Hour), nil,
			"AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
		{"role of an account without the provider", targetRole, good, nil, "InvalidIdentityToken", 400,
			"No OpenIDConnect provider found"},
		{"role does not exist", "arn:aws:iam::444444444444:role/Nope", good, nil, "AccessDenied", 403, "Not authorized"},
		{"not a role ARN", "arn:aws:iam::444444444444:user/Deployer", good, nil, "AccessDenied", 403, "Not authorized"},
		{"duration above the role's maximum", deployer, good,
			func(in *sts.AssumeRoleWithWebIdentityInput) { in.DurationSeconds = aws.Int32(10800) },
			"ValidationError", 400, errRoleDuration.message},
		{"session name", deployer, good,
			func(in *sts.AssumeRoleWithWebIdentityInput) { in.RoleSessionName = aws.String("a b") },
			"ValidationError", 400, "at 'roleSessionName'"},
		{"token too short", deployer, "abc", nil, "ValidationError", 400, "at 'webIdentityToken'"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []func(*sts.AssumeRoleWithWebIdentityInput)
			if tt.opt != nil {
				opts = append(opts, tt.opt)
			}
			_, err := webAssume(srv, tt.role, tt.token, opts...)
			if c, status := code(err); c != tt.code || status != tt.status || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("%s/%d %v; want %s/%d %q", c, status, err, tt.code, tt.status, tt.msg)
			}
			if strings.Contains(err.Error(), tt.token) && len(tt.token) > 3 {
				t.Fatal("the token is quoted in the error")
			}
		})
	}
	t.Run("expired on the server's clock", func(t *testing.T) {
		t.Parallel()
		srv := webWorld(t)
		tok, err := srv.WebIdentityToken(issuer, ciSubject, stsAudience, time.Minute)
		must(t, err)
		srv.Clock.Advance(time.Minute)
		_, err = webAssume(srv, deployer, tok)
		want := fmt.Sprintf("Token expired: current date/time %d must be before the expiration date/time %d",
			srv.Clock.Now().Unix(), srv.Clock.Now().Unix())
		if c, status := code(err); c != "ExpiredTokenException" || status != 400 || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s/%d %v", c, status, err)
		}
	})
}

// TestWebIdentityThrottle: the unsigned call counts against the role's
// account.
func TestWebIdentityThrottle(t *testing.T) {
	t.Parallel()
	srv := webWorld(t)
	srv.SetThrottle(0.001, 1)
	token, err := srv.WebIdentityToken(issuer, ciSubject, stsAudience, time.Hour)
	must(t, err)
	_, err = webAssume(srv, deployer, token)
	must(t, err)
	_, err = webAssume(srv, deployer, token)
	if c, status := code(err); c != "Throttling" || status != 400 {
		t.Fatalf("%s/%d %v, want Throttling/400", c, status, err)
	}
	if last := lastCall(t, srv); last.Reason != "account 444444444444 is over its rate (SetThrottle)" {
		t.Errorf("recorded %+v", last)
	}
}

func TestWebIdentityTokenArguments(t *testing.T) {
	t.Parallel()
	srv := NewServer()
	defer srv.Close()
	for _, tt := range []struct {
		issuer, subject, audience string
		ttl                       time.Duration
		want                      string
	}{
		{"http://oidc.example.com", "s", "a", time.Hour, "https://host[/path]"},
		{"https://oidc.example.com/", "s", "a", time.Hour, "does not end with /"},
		{issuer, "", "a", time.Hour, "subject is empty"},
		{issuer, "s", "", time.Hour, "audience is empty"},
		{issuer, "s", "a", 0, "ttl 0s"},
	} {
		if _, err := srv.WebIdentityToken(tt.issuer, tt.subject, tt.audience, tt.ttl); err == nil ||
			!strings.Contains(err.Error(), tt.want) {
			t.Errorf("WebIdentityToken(%q, %q, %q, %v) = %v, want %q", tt.issuer, tt.subject, tt.audience, tt.ttl, err, tt.want)
		}
	}
}

// TestWebIdentityRoleProvider: the SDK's own provider, reading a token
// file, gets and refreshes credentials from the fake.
func TestWebIdentityRoleProvider(t *testing.T) {
	t.Parallel()
	srv := webWorld(t)
	token, err := srv.WebIdentityToken(issuer, ciSubject, stsAudience, 24*time.Hour)
	must(t, err)
	cfg := srv.Config("", "", "")
	cfg.Credentials = nil
	p := stscreds.NewWebIdentityRoleProvider(sts.NewFromConfig(cfg), deployer, stscreds.IdentityTokenFile(writeToken(t, token)),
		func(o *stscreds.WebIdentityRoleOptions) { o.RoleSessionName = "sdk" })
	creds, err := aws.NewCredentialsCache(p).Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !creds.CanExpire || !creds.Expires.Equal(srv.Clock.Now().Add(time.Hour)) {
		t.Errorf("credentials expire %v", creds.Expires)
	}
	id, err := keyClient(srv, creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken).
		GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::444444444444:assumed-role/Deployer/sdk" {
		t.Fatalf("%v %v", id, err)
	}
}

func writeToken(t *testing.T, token string) string {
	t.Helper()
	path := t.TempDir() + "/token"
	must(t, os.WriteFile(path, []byte(token), 0o600))
	return path
}
