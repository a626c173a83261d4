package xaccttest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

const (
	crossRole  = "arn:aws:iam::222222222222:role/CrossAccountRole"
	jenkinsMFA = "arn:aws:iam::111111111111:mfa/jenkins"
)

// world starts the scenario plus roles for the other rules.
func world(t *testing.T) *Server {
	t.Helper()
	sc, err := LoadScenarioFile("testdata/issue.json")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServerWithScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	must(t, srv.AddUser("111111111111", "alice", User{
		AccessKeyID: "AKIAEXAMPLEALICE0001", SecretAccessKey: "alice-secret", MFATOTPSecret: "JBSWY3DPEHPK3PXQ",
		Policies: []json.RawMessage{
			json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`),
			json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"arn:aws:iam::222222222222:role/Forbidden"}]}`),
		},
	}))
	must(t, srv.AddUser("111111111111", "nopolicy", User{AccessKeyID: "AKIAEXAMPLENOPOLICY1", SecretAccessKey: "s"}))
	trustRoot := json.RawMessage(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}}`)
	must(t, srv.AddRole("222222222222", "Forbidden", Role{Trust: trustRoot}))
	allowAll := []json.RawMessage{json.RawMessage(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`)}
	must(t, srv.AddRole("222222222222", "Long", Role{Trust: trustRoot, MaxSessionDurationSeconds: 43200, Path: "/ops/", Policies: allowAll}))
	must(t, srv.AddRole("333333333333", "MFAChained", Role{Trust: json.RawMessage(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:role/NeedsMFA"},"Action":"sts:AssumeRole",
		"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}}`)}))
	must(t, srv.AddRole("222222222222", "NeedsMFA", Role{Trust: json.RawMessage(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole",
		"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}}`),
		Policies: []json.RawMessage{json.RawMessage(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`)}}))
	must(t, srv.AddRole("111111111111", "SameAccount", Role{Trust: json.RawMessage(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/nopolicy"},"Action":"sts:AssumeRole"}}`)}))
	must(t, srv.AddRole("333333333333", "Deploy", Role{Trust: json.RawMessage(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:role/ops/Long"},"Action":"sts:AssumeRole"}}`)}))
	return srv
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func client(t *testing.T, srv *Server, account, user string) *sts.Client {
	t.Helper()
	cfg, err := srv.UserConfig(account, user)
	if err != nil {
		t.Fatal(err)
	}
	return sts.NewFromConfig(cfg)
}

func sessionClient(srv *Server, c *types.Credentials) *sts.Client {
	return sts.NewFromConfig(srv.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken))
}

// code returns the STS error code and HTTP status of err ("" for nil).
func code(err error) (string, int) {
	if err == nil {
		return "", 200
	}
	var apiErr smithy.APIError
	var re *awshttp.ResponseError
	c, status := "?", 0
	if errors.As(err, &apiErr) {
		c = apiErr.ErrorCode()
	}
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return c, status
}

func assume(c *sts.Client, role, ext string, opt ...func(*sts.AssumeRoleInput)) (*sts.AssumeRoleOutput, error) {
	in := &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("test")}
	if ext != "" {
		in.ExternalId = aws.String(ext)
	}
	for _, o := range opt {
		o(in)
	}
	return c.AssumeRole(context.Background(), in)
}

func duration(s int32) func(*sts.AssumeRoleInput) {
	return func(in *sts.AssumeRoleInput) { in.DurationSeconds = aws.Int32(s) }
}

func TestCrossAccountTrust(t *testing.T) {
	srv := world(t)
	jenkins := client(t, srv, "111111111111", "jenkins")
	tests := []struct {
		name, role, ext, code, reason string
		status                        int
	}{
		{"no External ID", crossRole, "", "AccessDenied", "condition StringEquals sts:ExternalId fails: the request has no sts:ExternalId", 403},
		{"wrong External ID", crossRole, "ext-999", "AccessDenied", "condition StringEquals sts:ExternalId fails", 403},
		{"right External ID", crossRole, "ext-123", "", "", 200},
		{"identity policy does not cover the role", "arn:aws:iam::222222222222:role/ops/Long", "", "AccessDenied", "identity policies of arn:aws:iam::111111111111:user/jenkins: no statement allows it", 403},
		{"role does not exist", "arn:aws:iam::222222222222:role/Nope", "", "AccessDenied", "does not exist", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := assume(jenkins, tt.role, tt.ext)
			if c, status := code(err); c != tt.code || status != tt.status {
				t.Fatalf("AssumeRole = %s/%d (%v), want %s/%d", c, status, err, tt.code, tt.status)
			}
			calls := srv.Calls()
			last := calls[len(calls)-1]
			if !strings.Contains(last.Reason, tt.reason) {
				t.Errorf("recorded reason %q lacks %q", last.Reason, tt.reason)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "User: arn:aws:iam::111111111111:user/jenkins is not authorized to perform: sts:AssumeRole on resource: "+tt.role) {
					t.Errorf("message = %v", err)
				}
				return
			}
			id, err := sessionClient(srv, out.Credentials).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(id.Arn); got != "arn:aws:sts::222222222222:assumed-role/CrossAccountRole/test" {
				t.Errorf("caller ARN %s", got)
			}
			if aws.ToString(id.Account) != "222222222222" || !strings.HasPrefix(aws.ToString(id.UserId), "AROA") {
				t.Errorf("identity %+v", id)
			}
			if exp := aws.ToTime(out.Credentials.Expiration); !exp.Equal(srv.Clock.Now().Add(time.Hour)) {
				t.Errorf("expires %v, want an hour after %v", exp, srv.Clock.Now())
			}
		})
	}
}

func TestIdentityPolicyRules(t *testing.T) {
	srv := world(t)
	alice := client(t, srv, "111111111111", "alice")
	if _, err := assume(alice, "arn:aws:iam::222222222222:role/Forbidden", ""); !strings.Contains(fmt.Sprint(srv.Calls()[len(srv.Calls())-1].Reason), "denies explicitly") {
		t.Errorf("explicit Deny: %v; %s", err, srv.Calls()[len(srv.Calls())-1].Reason)
	}
	if _, err := assume(alice, "arn:aws:iam::222222222222:role/ops/Long", ""); err != nil {
		t.Errorf("wildcard Resource: %v", err)
	}
	nopolicy := client(t, srv, "111111111111", "nopolicy")
	if _, err := assume(nopolicy, "arn:aws:iam::222222222222:role/ops/Long", ""); err == nil {
		t.Error("cross-account with no identity policy was allowed")
	}
	if _, err := assume(nopolicy, "arn:aws:iam::111111111111:role/SameAccount", ""); err != nil {
		t.Errorf("same account, trust naming the user: %v", err)
	}
}

func TestAuthentication(t *testing.T) {
	srv := world(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name, key, secret, code string
		status                  int
	}{
		{"unknown key", "AKIAUNKNOWNKEY000001", "x", "InvalidClientTokenId", 403},
		{"wrong secret", "AKIAEXAMPLEJENKINS01", "wrong", "SignatureDoesNotMatch", 403},
		{"right secret", "AKIAEXAMPLEJENKINS01", "any-string", "", 200},
	} {
		_, err := sts.NewFromConfig(srv.Config(tt.key, tt.secret, "")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if c, status := code(err); c != tt.code || status != tt.status {
			t.Errorf("%s: %s/%d, want %s/%d (%v)", tt.name, c, status, tt.code, tt.status, err)
		}
	}

	out, err := assume(client(t, srv, "111111111111", "jenkins"), crossRole, "ext-123", duration(900))
	must(t, err)
	sess := sessionClient(srv, out.Credentials)
	_, err = sts.NewFromConfig(srv.Config(*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, "forged")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if c, _ := code(err); c != "InvalidClientTokenId" {
		t.Errorf("forged session token: %v", err)
	}
	srv.Clock.Advance(899 * time.Second)
	if _, err := sess.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("session before expiry: %v", err)
	}
	srv.Clock.Advance(time.Second)
	_, err = sess.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if c, status := code(err); c != "ExpiredToken" || status != 400 {
		t.Errorf("expired session: %s/%d (%v)", c, status, err)
	}

	// Raw requests: no signature at all, an unknown action, a wrong version.
	for _, tt := range []struct{ body, auth, code string }{
		{"Action=GetCallerIdentity&Version=2011-06-15", "", "MissingAuthenticationToken"},
		{"Action=GetCallerIdentity&Version=2011-06-15", "AWS4-HMAC-SHA256 garbage", "IncompleteSignature"},
		{"Action=DeleteEverything&Version=2011-06-15", "", "InvalidAction"},
		{"Action=GetCallerIdentity&Version=2010-01-01", "", "InvalidAction"},
		{"Version=2011-06-15", "", "MissingAction"},
	} {
		req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(tt.body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		resp, err := srv.Client().Do(req)
		must(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), "<Code>"+tt.code+"</Code>") || !strings.Contains(string(b), "<ErrorResponse") {
			t.Errorf("%s: %d %s", tt.body, resp.StatusCode, b)
		}
	}
}

func TestDurations(t *testing.T) {
	srv := world(t)
	alice := client(t, srv, "111111111111", "alice")
	long := "arn:aws:iam::222222222222:role/ops/Long"
	for _, tt := range []struct {
		name string
		role string
		dur  int32
		msg  string
	}{
		{"below 900", long, 600, "1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"above 43200", long, 99999, "Value '99999' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"},
		{"above the role's maximum", "arn:aws:iam::111111111111:role/SameAccount", 7200, ""},
		{"12h on a 12h role", long, 43200, ""},
	} {
		_, err := assume(alice, tt.role, "", duration(tt.dur))
		if tt.msg == "" {
			continue
		}
		if c, status := code(err); c != "ValidationError" || status != 400 || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: %s/%d %v", tt.name, c, status, err)
		}
	}
	// CrossAccountRole has a 1h maximum.
	_, err := assume(client(t, srv, "111111111111", "jenkins"), crossRole, "ext-123", duration(7200))
	if err == nil || !strings.Contains(err.Error(), "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.") {
		t.Errorf("above max: %v", err)
	}
	// Role chaining: A → Long (12h allowed) → Deploy, at most 1h.
	out, err := assume(alice, long, "", duration(43200))
	must(t, err)
	hop2 := sessionClient(srv, out.Credentials)
	_, err = assume(hop2, "arn:aws:iam::333333333333:role/Deploy", "", duration(7200))
	if err == nil || !strings.Contains(err.Error(), "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.") {
		t.Errorf("chaining 2h: %v", err)
	}
	if _, err := assume(hop2, "arn:aws:iam::333333333333:role/Deploy", "", duration(3600)); err != nil {
		t.Errorf("chaining 1h: %v", err)
	}
	// GetSessionToken: users only, 900 to 129600 seconds.
	ctx := context.Background()
	for _, d := range []int32{899, 129601} {
		_, err := alice.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(d)})
		if c, _ := code(err); c != "ValidationError" {
			t.Errorf("GetSessionToken %d s: %v", d, err)
		}
	}
	_, err = hop2.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err == nil || !strings.Contains(err.Error(), "Cannot call GetSessionToken with session credentials") {
		t.Errorf("GetSessionToken with a role session: %v", err)
	}
	gst, err := alice.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	must(t, err)
	if exp := aws.ToTime(gst.Credentials.Expiration); !exp.Equal(srv.Clock.Now().Add(12 * time.Hour)) {
		t.Errorf("GetSessionToken default expiry %v", exp)
	}
	// A GetSessionToken session is role chaining for AssumeRole too.
	_, err = assume(sessionClient(srv, gst.Credentials), long, "", duration(7200))
	if err == nil || !strings.Contains(err.Error(), "role chaining") {
		t.Errorf("AssumeRole 2h with GetSessionToken credentials: %v", err)
	}
}

func TestMFA(t *testing.T) {
	srv := world(t)
	ctx := context.Background()
	alice := client(t, srv, "111111111111", "alice")
	needsMFA := "arn:aws:iam::222222222222:role/NeedsMFA"
	aliceMFA := "arn:aws:iam::111111111111:mfa/alice"
	withCode := func(serial, code string) func(*sts.AssumeRoleInput) {
		return func(in *sts.AssumeRoleInput) { in.SerialNumber, in.TokenCode = aws.String(serial), aws.String(code) }
	}

	if _, err := assume(alice, needsMFA, ""); err == nil {
		t.Fatal("long-term keys without MFA passed a MultiFactorAuthPresent condition")
	}
	code1, err := srv.TOTP(aliceMFA)
	must(t, err)
	if _, err := assume(alice, needsMFA, "", withCode(aliceMFA, code1)); err != nil {
		t.Fatalf("with a valid code: %v", err)
	}
	if _, err := assume(alice, needsMFA, "", withCode(aliceMFA, code1)); err == nil || !strings.Contains(err.Error(), "invalid MFA one time pass code") {
		t.Fatalf("a code used twice: %v", err)
	}
	if !strings.Contains(srv.Calls()[len(srv.Calls())-1].Reason, "used before") {
		t.Errorf("reason: %s", srv.Calls()[len(srv.Calls())-1].Reason)
	}
	if _, err := assume(alice, needsMFA, "", withCode(jenkinsMFA, "000000")); err == nil || !strings.Contains(err.Error(), "associated with this user") {
		t.Fatalf("another user's device: %v", err)
	}
	if _, err := assume(alice, needsMFA, "", withCode(aliceMFA, "12ab56")); err == nil || !strings.Contains(err.Error(), "tokenCode") {
		t.Fatalf("malformed code: %v", err)
	}

	// An MFA session: one code, then AssumeRole with MFA presence and age.
	srv.Clock.Advance(30 * time.Second)
	code2, _ := srv.TOTP(aliceMFA)
	gst, err := alice.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(aliceMFA), TokenCode: aws.String(code2)})
	must(t, err)
	mfaSession := sessionClient(srv, gst.Credentials)
	out, err := assume(mfaSession, needsMFA, "")
	if err != nil {
		t.Fatalf("AssumeRole with an MFA session: %v", err)
	}
	// The MFA carries through a chain: NeedsMFA's session assumes MFAChained.
	if _, err := assume(sessionClient(srv, out.Credentials), "arn:aws:iam::333333333333:role/MFAChained", ""); err != nil {
		t.Fatalf("chained from an MFA-authenticated role session: %v", err)
	}
	// aws:MultiFactorAuthAge < 3600 fails an hour later.
	srv.Clock.Advance(time.Hour)
	if _, err := assume(mfaSession, needsMFA, ""); err == nil || !strings.Contains(srv.Calls()[len(srv.Calls())-1].Reason, "aws:MultiFactorAuthAge") {
		t.Fatalf("MFA too old: %v %s", err, srv.Calls()[len(srv.Calls())-1].Reason)
	}
	// A session without MFA has MultiFactorAuthPresent=false.
	plain, err := alice.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	must(t, err)
	if _, err := assume(sessionClient(srv, plain.Credentials), needsMFA, ""); err == nil {
		t.Fatal("a session without MFA passed")
	}
	for _, c := range srv.Calls() {
		if strings.Contains(c.String(), code1) || strings.Contains(c.String(), code2) {
			t.Fatalf("a code in the call record: %s", c)
		}
	}
}

func TestInputValidation(t *testing.T) {
	srv := world(t)
	jenkins := client(t, srv, "111111111111", "jenkins")
	for _, tt := range []struct {
		name string
		in   func(*sts.AssumeRoleInput)
		want string
	}{
		{"session name with a space", func(in *sts.AssumeRoleInput) { in.RoleSessionName = aws.String("a b") }, "at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"session name short", func(in *sts.AssumeRoleInput) { in.RoleSessionName = aws.String("a") }, "Member must have length greater than or equal to 2"},
		{"external ID short", func(in *sts.AssumeRoleInput) { in.ExternalId = aws.String("x") }, "at 'externalId'"},
		{"serial short", func(in *sts.AssumeRoleInput) { in.SerialNumber, in.TokenCode = aws.String("abc"), aws.String("123456") }, "at 'serialNumber'"},
		{"two errors", func(in *sts.AssumeRoleInput) { in.RoleSessionName = aws.String("a"); in.DurationSeconds = aws.Int32(1) }, "2 validation errors detected"},
		{"session policy not JSON", func(in *sts.AssumeRoleInput) { in.Policy = aws.String("{") }, "MalformedPolicyDocument"},
		{"transitive key not in tags", func(in *sts.AssumeRoleInput) { in.TransitiveTagKeys = []string{"team"} }, "Transitive tag key team must be included in the requested tags."},
		{"tags need sts:TagSession", func(in *sts.AssumeRoleInput) {
			in.ExternalId = aws.String("ext-123")
			in.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("x")}}
		}, "AccessDenied"},
	} {
		_, err := assume(jenkins, crossRole, "", tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestScenarioErrors(t *testing.T) {
	for _, tt := range []struct{ doc, want string }{
		{`{"accounts":{},"extra":1}`, `unknown field "extra"`},
		{`{"accounts":{"111111111111":{"users":{"u":{"access_key_id":"AKIAEXAMPLE000000001","secret_access_key":"s","polices":[]}}}}}`, `unknown field "polices"`},
		{`{"accounts":{"1111":{"users":{}}}}`, ""},
		{`{"accounts":{"111111111111":{"roles":{"R":{"trust":{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEqualsIgnoreCase":{"sts:ExternalId":"x"}}}}}}}}}`, `account 111111111111 role "R": trust: trust policy: statement 1: Condition: unknown condition operator "StringEqualsIgnoreCase"`},
		{`{"accounts":{"111111111111":{"roles":{"R":{"trust":{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceIp":"x"}}}}}}}}}`, `unknown condition key "aws:SourceIp"`},
		{`{"accounts":{"111111111111":{"roles":{"R":{}}}}}`, "trust is missing"},
		{`{"accounts":{"111111111111":{"roles":{"R":{"trust":{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}},"max_session_duration_seconds":50000}}}}}`, "max_session_duration_seconds 50000"},
		{`{"accounts":{"111111111111":{"users":{"u":{"access_key_id":"short","secret_access_key":"s"}}}}}`, "access_key_id"},
		{`{"accounts":{"111111111111":{"users":{"u":{"access_key_id":"AKIAEXAMPLE000000001","secret_access_key":"s","mfa_totp_secret":"!!"}}}}}`, "mfa_totp_secret"},
	} {
		sc, err := LoadScenario(strings.NewReader(tt.doc))
		if err == nil {
			var srv *Server
			srv, err = NewServerWithScenario(sc)
			if srv != nil {
				srv.Close()
			}
		}
		if tt.want == "" {
			if err == nil {
				t.Errorf("%s: accepted", tt.doc)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s:\n got %v\nwant %q", tt.doc, err, tt.want)
		}
	}
}

func TestFaults(t *testing.T) {
	srv := world(t)
	ctx := context.Background()
	jenkins := client(t, srv, "111111111111", "jenkins")

	srv.InjectFault(Fault{Code: "Throttling", Count: 2})
	if _, err := jenkins.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("the SDK should retry through two throttles: %v", err)
	}
	if n := srv.CallCount("GetCallerIdentity"); n != 3 {
		t.Errorf("%d calls, want 3 (two throttled, one answered)", n)
	}

	srv.InjectFault(Fault{Action: "AssumeRole", Code: "InternalFailure"})
	_, err := assume(jenkins, crossRole, "ext-123")
	if c, status := code(err); c != "InternalFailure" || status != 500 {
		t.Errorf("5xx: %s/%d", c, status)
	}
	srv.ClearFaults()

	srv.InjectFault(Fault{Drop: true, Count: 1})
	noRetry := sts.NewFromConfig(srv.Config("AKIAEXAMPLEJENKINS01", "any-string", ""), func(o *sts.Options) { o.RetryMaxAttempts = 1 })
	if _, err := noRetry.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
		t.Error("a dropped connection gave an answer")
	}
	if _, err := noRetry.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("after the one dropped connection: %v", err)
	}

	srv.InjectFault(Fault{Delay: 50 * time.Millisecond, Count: 1})
	start := time.Now()
	must(t, func() error { _, err := noRetry.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); return err }())
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("delay fault took %v", d)
	}

	// A seeded probability repeats.
	pattern := func() string {
		s := world(t)
		s.InjectFault(Fault{Code: "Throttling", Probability: 0.5, Seed: 7})
		c := sts.NewFromConfig(s.Config("AKIAEXAMPLEJENKINS01", "any-string", ""), func(o *sts.Options) { o.RetryMaxAttempts = 1 })
		var b strings.Builder
		for range 20 {
			_, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			b.WriteString(map[bool]string{true: "x", false: "."}[err != nil])
		}
		return b.String()
	}
	p1, p2 := pattern(), pattern()
	if p1 != p2 || !strings.Contains(p1, "x") || !strings.Contains(p1, ".") {
		t.Errorf("seeded faults: %s vs %s", p1, p2)
	}
}

func TestCallRecordHasNoSecrets(t *testing.T) {
	srv := world(t)
	out, err := assume(client(t, srv, "111111111111", "jenkins"), crossRole, "ext-123")
	must(t, err)
	for _, c := range srv.Calls() {
		s := fmt.Sprintf("%v %+v", c, c)
		for _, secret := range []string{"any-string", *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken} {
			if strings.Contains(s, secret) {
				t.Fatalf("secret in call record: %s", s)
			}
		}
	}
}

func FuzzServeHTTP(f *testing.F) {
	f.Add("Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::222222222222:role/CrossAccountRole&RoleSessionName=x", "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEJENKINS01/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "20260101T000000Z")
	f.Add("Action=GetSessionToken&Version=2011-06-15&DurationSeconds=abc", "", "")
	f.Add("%zz", "AWS4-HMAC-SHA256 ", "x")
	sc, _ := LoadScenarioFile("testdata/issue.json")
	srv := newServer()
	if err := srv.Load(sc); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body, auth, date string) {
		req, err := http.NewRequest("POST", "http://127.0.0.1/", strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", auth)
		req.Header.Set("X-Amz-Date", date)
		rec := &recorder{header: http.Header{}}
		srv.ServeHTTP(rec, req)
		if rec.status == 200 {
			t.Fatalf("an unsigned request was answered: %q", body)
		}
		if !strings.Contains(rec.body.String(), "<ErrorResponse") {
			t.Fatalf("not an XML error: %q", rec.body.String())
		}
	})
}

type recorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(s int)           { r.status = s }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
