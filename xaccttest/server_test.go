package xaccttest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

func TestCrossAccountTrust(t *testing.T) {
	t.Parallel()
	srv := world(t)
	jenkins := client(t, srv, "111111111111", "jenkins")
	tests := []struct {
		name, role, ext, code, reason string
		status                        int
	}{
		{"no External ID", crossRole, "", "AccessDenied",
			"condition StringEquals sts:ExternalId fails: the request has no sts:ExternalId", 403},
		{"wrong External ID", crossRole, "ext-999", "AccessDenied", "condition StringEquals sts:ExternalId fails", 403},
		{"right External ID", crossRole, "ext-123", "", "", 200},
		{"identity policy does not cover the role", "arn:aws:iam::222222222222:role/ops/Long", "", "AccessDenied",
			"identity policies of arn:aws:iam::111111111111:user/jenkins: no statement allows it", 403},
		{"role does not exist", "arn:aws:iam::222222222222:role/Nope", "", "AccessDenied", "does not exist", 403},
	}
	for _, tt := range tests {
		// Not parallel: the subtests share a server and read its last call.
		t.Run(tt.name, func(t *testing.T) {
			out, err := assume(jenkins, tt.role, tt.ext)
			if c, status := code(err); c != tt.code || status != tt.status {
				t.Fatalf("AssumeRole = %s/%d (%v), want %s/%d", c, status, err, tt.code, tt.status)
			}
			if last := lastCall(t, srv); !strings.Contains(last.Reason, tt.reason) {
				t.Errorf("recorded reason %q lacks %q", last.Reason, tt.reason)
			}
			if err != nil {
				const msg = "User: arn:aws:iam::111111111111:user/jenkins is not authorized to perform: " +
					"sts:AssumeRole on resource: "
				if !strings.Contains(err.Error(), msg+tt.role) {
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
	t.Parallel()
	srv := world(t)
	alice := client(t, srv, "111111111111", "alice")
	_, err := assume(alice, "arn:aws:iam::222222222222:role/Forbidden", "")
	if last := lastCall(t, srv); !strings.Contains(last.Reason, "denies explicitly") {
		t.Errorf("explicit Deny: %v; %s", err, last.Reason)
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
	t.Parallel()
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
		_, err := keyClient(srv, tt.key, tt.secret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if c, status := code(err); c != tt.code || status != tt.status {
			t.Errorf("%s: %s/%d, want %s/%d (%v)", tt.name, c, status, tt.code, tt.status, err)
		}
	}

	out, err := assume(client(t, srv, "111111111111", "jenkins"), crossRole, "ext-123", duration(900))
	must(t, err)
	sess := sessionClient(srv, out.Credentials)
	forged := keyClient(srv, *out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, "forged")
	_, err = forged.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
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
	t.Parallel()
	srv := world(t)
	alice := client(t, srv, "111111111111", "alice")
	long := "arn:aws:iam::222222222222:role/ops/Long"
	for _, tt := range []struct {
		name string
		role string
		dur  int32
		msg  string
	}{
		{"below 900", long, 600, "1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy constraint: " +
			"Member must have value greater than or equal to 900"},
		{"above 43200", long, 99999, "Value '99999' at 'durationSeconds' failed to satisfy constraint: " +
			"Member must have value less than or equal to 43200"},
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
	if err == nil || !strings.Contains(err.Error(), errRoleDuration.message) {
		t.Errorf("above max: %v", err)
	}
	// Role chaining: A → Long (12h allowed) → Deploy, at most 1h.
	out, err := assume(alice, long, "", duration(43200))
	must(t, err)
	hop2 := sessionClient(srv, out.Credentials)
	_, err = assume(hop2, "arn:aws:iam::333333333333:role/Deploy", "", duration(7200))
	if err == nil || !strings.Contains(err.Error(), errChainedDuration.message) {
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
	t.Parallel()
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
	_, err = assume(alice, needsMFA, "", withCode(aliceMFA, code1))
	if err == nil || !strings.Contains(err.Error(), "invalid MFA one time pass code") {
		t.Fatalf("a code used twice: %v", err)
	}
	if last := lastCall(t, srv); !strings.Contains(last.Reason, "used before") {
		t.Errorf("reason: %s", last.Reason)
	}
	_, err = assume(alice, needsMFA, "", withCode(jenkinsMFA, "000000"))
	if err == nil || !strings.Contains(err.Error(), "associated with this user") {
		t.Fatalf("another user's device: %v", err)
	}
	_, err = assume(alice, needsMFA, "", withCode(aliceMFA, "12ab56"))
	if err == nil || !strings.Contains(err.Error(), "tokenCode") {
		t.Fatalf("malformed code: %v", err)
	}

	// An MFA session: one code, then AssumeRole with MFA presence and age.
	srv.Clock.Advance(30 * time.Second)
	code2, _ := srv.TOTP(aliceMFA)
	gst, err := alice.GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber: aws.String(aliceMFA), TokenCode: aws.String(code2)})
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
	_, err = assume(mfaSession, needsMFA, "")
	if last := lastCall(t, srv); err == nil || !strings.Contains(last.Reason, "aws:MultiFactorAuthAge") {
		t.Fatalf("MFA too old: %v %s", err, last.Reason)
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
	t.Parallel()
	srv := world(t)
	jenkins := client(t, srv, "111111111111", "jenkins")
	for _, tt := range []struct {
		name string
		in   func(*sts.AssumeRoleInput)
		want string
	}{
		{"session name with a space", func(in *sts.AssumeRoleInput) { in.RoleSessionName = aws.String("a b") },
			"at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"session name short", func(in *sts.AssumeRoleInput) { in.RoleSessionName = aws.String("a") },
			"Member must have length greater than or equal to 2"},
		{"external ID short", func(in *sts.AssumeRoleInput) { in.ExternalId = aws.String("x") }, "at 'externalId'"},
		{"serial short", func(in *sts.AssumeRoleInput) {
			in.SerialNumber, in.TokenCode = aws.String("abc"), aws.String("123456")
		}, "at 'serialNumber'"},
		{"two errors", func(in *sts.AssumeRoleInput) {
			in.RoleSessionName = aws.String("a")
			in.DurationSeconds = aws.Int32(1)
		}, "2 validation errors detected"},
		{"session policy not JSON", func(in *sts.AssumeRoleInput) { in.Policy = aws.String("{") }, "MalformedPolicyDocument"},
		{"transitive key not in tags", func(in *sts.AssumeRoleInput) { in.TransitiveTagKeys = []string{"team"} },
			"Transitive tag key team must be included in the requested tags."},
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
	t.Parallel()
	// account wraps the JSON of one account 111111111111; role the JSON of
	// its role "R" with a trust policy of one statement.
	account := func(a string) string { return `{"accounts":{"111111111111":` + a + `}}` }
	role := func(stmt, extra string) string {
		return account(`{"roles":{"R":{"trust":{"Statement":` + stmt + `}` + extra + `}}}`)
	}
	const anyone = `"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"`
	huge := strings.Repeat("x", 20<<10)
	for _, tt := range []struct{ doc, want string }{
		{`{"accounts":{},"extra":1}`, `unknown field "extra"`},
		{account(`{"users":{"u":{"access_key_id":"AKIAEXAMPLE000000001","secret_access_key":"s","polices":[]}}}`),
			`unknown field "polices"`},
		{`{"accounts":{"1111":{"users":{}}}}`, ""},
		{role(`{`+anyone+`,"Condition":{"StringEqualsIgnoreCase":{"sts:ExternalId":"x"}}}`, ""),
			`account 111111111111 role "R": trust: trust policy: statement 1: Condition: ` +
				`unknown condition operator "StringEqualsIgnoreCase"`},
		{role(`{`+anyone+`,"Condition":{"StringEquals":{"aws:SourceIp":"x"}}}`, ""), `unknown condition key "aws:SourceIp"`},
		{account(`{"roles":{"R":{}}}`), "trust is missing"},
		// A huge name is quoted cut, not whole.
		{account(`{"roles":{"` + huge + `":{}}}`), `role name "` + huge[:64] + `…(20416 more bytes)" is 20480 characters long`},
		{role(`{`+anyone+`}`, `,"max_session_duration_seconds":50000`), "max_session_duration_seconds 50000"},
		{account(`{"users":{"u":{"access_key_id":"short","secret_access_key":"s"}}}`), "access_key_id"},
		{account(`{"users":{"u":{"access_key_id":"AKIAEXAMPLE000000001","secret_access_key":"s","mfa_totp_secret":"!!"}}}`),
			"mfa_totp_secret"},
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
	t.Parallel()
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
	noRetry := keyClient(srv, jenkinsKey, jenkinsSecret, "")
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
		c := keyClient(s, jenkinsKey, jenkinsSecret, "")
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

// TestFaultDelayClientGone: a client that gives up during an injected
// delay gets no answer, and the record says it went away.
func TestFaultDelayClientGone(t *testing.T) {
	t.Parallel()
	srv := world(t)
	srv.InjectFault(Fault{Delay: time.Minute, Count: 1})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := keyClient(srv, jenkinsKey, jenkinsSecret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		done <- err
	}()
	for srv.active.busy() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a cancelled call was answered")
	}
	idleCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	must(t, srv.WaitIdle(idleCtx, time.Millisecond))
	if last := lastCall(t, srv); last.ErrorCode != errClientGone.code || last.Reason != "client gave up during an injected delay" {
		t.Errorf("recorded %+v", last)
	}
}

// TestBodyTooLarge: a body over 1 MiB is refused with 413 in the protocol
// of the request, before anything else is read from it.
func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	srv := world(t)
	for _, tt := range []struct{ name, target, want string }{
		{"STS", "", "<Code>RequestEntityTooLarge</Code>"},
		{"Organizations", "AWSOrganizationsV20161128.ListAccounts", `"__type":"RequestEntityTooLarge"`},
		{"Organizations, unknown operation", "AWSOrganizationsV20161128.Nope", `"__type":"RequestEntityTooLarge"`},
	} {
		req := httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("a", maxBodyBytes+1)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tt.target != "" {
			req.Header.Set("X-Amz-Target", tt.target)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("%s: %d %s, want 413 and %s", tt.name, rec.Code, rec.Body, tt.want)
		}
		if last := lastCall(t, srv); last.ErrorCode != "RequestEntityTooLarge" {
			t.Errorf("%s: recorded %+v", tt.name, last)
		}
	}
}

func TestCallRecordHasNoSecrets(t *testing.T) {
	t.Parallel()
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
	f.Add("Action=AssumeRole&Version=2011-06-15&RoleArn="+crossRole+"&RoleSessionName=x",
		"AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEJENKINS01/20260101/us-east-1/sts/aws4_request, "+
			"SignedHeaders=host;x-amz-date, Signature=00",
		"20260101T000000Z", "")
	f.Add("Action=GetSessionToken&Version=2011-06-15&DurationSeconds=abc", "", "", "")
	f.Add("%zz", "AWS4-HMAC-SHA256 ", "x", "")
	f.Add(`{"MaxResults": 5}`, "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEJENKINS01/20260101/us-east-1/organizations/aws4_request, "+
		"SignedHeaders=host;x-amz-date, Signature=00", "20260101T000000Z", "AWSOrganizationsV20161128.ListAccounts")
	f.Add(`{"ParentId": "r-ab12", "NextToken": "eA"}`, "", "", "AWSOrganizationsV20161128.ListAccountsForParent")
	f.Add("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn="+crossRole+"&RoleSessionName=x&WebIdentityToken="+
		"eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJodHRwczovL2kiLCJzdWIiOiJzIiwiYXVkIjoiYSIsImV4cCI6OTk5OTk5OTk5OX0.AAAA", "", "", "")
	sc, _ := LoadScenarioFile("testdata/issue.json")
	srv := NewUnstartedServer()
	if err := srv.Load(sc); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body, auth, date, target string) {
		req, err := http.NewRequest("POST", "http://127.0.0.1/", strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", auth)
		req.Header.Set("X-Amz-Date", date)
		if target != "" {
			req.Header.Set("X-Amz-Target", target) // Organizations' JSON protocol
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK {
			t.Fatalf("an unsigned request was answered: %q", body)
		}
		if target == "" && !strings.Contains(rec.Body.String(), "<ErrorResponse") ||
			target != "" && !strings.Contains(rec.Body.String(), `"__type":`) {
			t.Fatalf("not an error of the protocol: %q", rec.Body.String())
		}
	})
}
