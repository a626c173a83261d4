package xacct

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

const (
	roleB = "arn:aws:iam::222222222222:role/CrossAccountRole"
	roleC = "arn:aws:iam::333333333333:role/team/Deploy"
	roleD = "arn:aws:iam::444444444444:role/ReadOnly"
)

func TestAssumeRolePassesEveryFieldToSTS(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	serial := serialFor(t)
	var asked TokenRequest
	var code string
	c, err := AssumeRole(baseConfig(), Role{
		ARN:               roleB,
		SessionName:       "build-42",
		ExternalID:        "ext-123",
		Duration:          2 * time.Hour,
		MFASerial:         serial,
		Policy:            `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
		PolicyARNs:        []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
		Tags:              map[string]string{"team": "platform", "env": "prod"},
		TransitiveTagKeys: []string{"team"},
		SourceIdentity:    "alice",
	}, withFake(f), func(o *Options) {
		o.MFA = func(ctx context.Context, req TokenRequest) (string, error) {
			asked = req
			code, _ = uniqueCodes()(ctx, req)
			return code, nil
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	cr, err := c.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	in := f.last(t)
	checks := []struct{ field, got, want string }{
		{"RoleArn", aws.ToString(in.RoleArn), roleB},
		{"RoleSessionName", aws.ToString(in.RoleSessionName), "build-42"},
		{"ExternalId", aws.ToString(in.ExternalId), "ext-123"},
		{"DurationSeconds", fmt.Sprint(aws.ToInt32(in.DurationSeconds)), "7200"},
		{"SerialNumber", aws.ToString(in.SerialNumber), serial},
		{"TokenCode", aws.ToString(in.TokenCode), code},
		{"Policy", aws.ToString(in.Policy)[:10], `{"Version"`},
		{"PolicyArns", aws.ToString(in.PolicyArns[0].Arn), "arn:aws:iam::aws:policy/ReadOnlyAccess"},
		{"Tags", fmt.Sprintf("%s=%s,%s=%s", *in.Tags[0].Key, *in.Tags[0].Value, *in.Tags[1].Key, *in.Tags[1].Value), "env=prod,team=platform"},
		{"TransitiveTagKeys", strings.Join(in.TransitiveTagKeys, ","), "team"},
		{"SourceIdentity", aws.ToString(in.SourceIdentity), "alice"},
		{"TokenRequest", fmt.Sprintf("%s %s %d", asked.SerialNumber, asked.RoleARN, asked.Hop), serial + " " + roleB + " 1"},
		{"Expires", cr.Expires.Sub(f.clk.Now()).String(), "2h0m0s"},
		{"AccountID", cr.AccountID, "222222222222"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
}

func TestAssumeRoleDefaults(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	c, err := AssumeRole(baseConfig(), Role{ARN: roleB}, withFake(f))
	if err != nil {
		t.Fatal(err)
	}
	c.Retrieve(context.Background())
	first := f.last(t)
	if got := aws.ToInt32(first.DurationSeconds); got != 3600 {
		t.Errorf("default DurationSeconds = %d, want 3600", got)
	}
	name := aws.ToString(first.RoleSessionName)
	if !regexp.MustCompile(`^xacct-[\w+=,.@-]+$`).MatchString(name) || len(name) > 64 {
		t.Errorf("default session name %q: want xacct-<user>, valid for STS", name)
	}
	if first.ExternalId != nil || first.SerialNumber != nil || first.Policy != nil || first.SourceIdentity != nil {
		t.Errorf("unset optional fields sent to STS: %+v", first)
	}
	c.Invalidate()
	c.Retrieve(context.Background())
	if again := aws.ToString(f.last(t).RoleSessionName); again != name {
		t.Errorf("session name changed from %q to %q: want it stable for the provider's life", name, again)
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 65)
	tags51 := map[string]string{}
	for i := range 51 {
		tags51[fmt.Sprintf("k%d", i)] = "v"
	}
	mfa := func(o *Options) { o.MFA = StaticToken("123456") }
	tests := []struct {
		name  string
		roles []Role
		cfg   func(*aws.Config)
		opts  func(*Options)
		want  string // substrings of the error, in order
	}{
		{"empty chain", nil, nil, nil, "Chain: the list of roles is empty"},
		{"empty ARN", []Role{{}}, nil, nil, "hop 1 (): ARN is empty"},
		{"garbage ARN", []Role{{ARN: "CrossAccountRole"}}, nil, nil, `ARN "CrossAccountRole" is not an ARN`},
		{"wrong service", []Role{{ARN: "arn:aws:s3:::bucket/role/x"}}, nil, nil, `names service "s3", not iam`},
		{"missing account", []Role{{ARN: "arn:aws:iam:::role/X"}}, nil, nil, `has account "", not 12 digits`},
		{"short account", []Role{{ARN: "arn:aws:iam::12345:role/X"}}, nil, nil, `has account "12345", not 12 digits`},
		{"user, not role", []Role{{ARN: "arn:aws:iam::222222222222:user/bob"}}, nil, nil, `names a "user", not a role`},
		{"region in IAM ARN", []Role{{ARN: "arn:aws:iam:us-east-1:222222222222:role/X"}}, nil, nil, `has region "us-east-1"`},
		{"empty role name", []Role{{ARN: "arn:aws:iam::222222222222:role/"}}, nil, nil, `has role name ""`},
		{"session name too short", []Role{{ARN: roleB, SessionName: "a"}}, nil, nil, `SessionName "a" is 1 characters long: it must be 2 to 64`},
		{"session name too long", []Role{{ARN: roleB, SessionName: long}}, nil, nil, "is 65 characters long"},
		{"session name bad char", []Role{{ARN: roleB, SessionName: "my session"}}, nil, nil, `contains ' ': only letters, digits and +=,.@_-`},
		{"external ID too short", []Role{{ARN: roleB, ExternalID: "x"}}, nil, nil, "ExternalID is 1 characters long: it must be 2 to 1224"},
		{"external ID too long", []Role{{ARN: roleB, ExternalID: strings.Repeat("x", 1225)}}, nil, nil, "ExternalID is 1225 characters long"},
		{"external ID bad char", []Role{{ARN: roleB, ExternalID: "ext 123"}}, nil, nil, "ExternalID contains ' '"},
		{"duration too short", []Role{{ARN: roleB, Duration: 10 * time.Minute}}, nil, nil, "Duration 10m0s is outside STS's range for AssumeRole: 15m to 12h"},
		{"duration too long", []Role{{ARN: roleB, Duration: 13 * time.Hour}}, nil, nil, "Duration 13h0m0s is outside"},
		{"duration not whole seconds", []Role{{ARN: roleB, Duration: time.Hour + time.Millisecond}}, nil, nil, "not a whole number of seconds"},
		{"chained hop above 1h", []Role{{ARN: roleB}, {ARN: roleC, Duration: 2 * time.Hour}}, nil, nil, "hop 2 (" + roleC + "): Duration 2h0m0s is above 1h, but this hop is role chaining"},
		{"first hop may be 12h", []Role{{ARN: roleB, Duration: 12 * time.Hour}, {ARN: roleC, Duration: 3 * time.Hour}}, nil, nil, "hop 2"},
		{"temporary static base credentials", []Role{{ARN: roleB, Duration: 2 * time.Hour}}, func(c *aws.Config) {
			c.Credentials = credentials.NewStaticCredentialsProvider("ASIAX", "secret", "token")
		}, nil, "hop 1 (" + roleB + "): Duration 2h0m0s is above 1h"},
		{"SDK assume-role base credentials", []Role{{ARN: roleB, Duration: 2 * time.Hour}}, func(c *aws.Config) {
			c.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.New(sts.Options{}), roleD))
		}, nil, "role chaining"},
		{"MFA serial without MFA", []Role{{ARN: roleB, MFASerial: "arn:aws:iam::111111111111:mfa/alice"}}, nil, nil, "MFASerial is set but Options.MFA is nil"},
		{"MFA serial malformed", []Role{{ARN: roleB, MFASerial: "abc"}}, nil, mfa, `MFASerial "abc" is 3 characters long`},
		{"51 tags", []Role{{ARN: roleB, Tags: tags51}}, nil, nil, "Tags has 51 tags: STS accepts at most 50"},
		{"reserved tag key", []Role{{ARN: roleB, Tags: map[string]string{"aws:x": "y"}}}, nil, nil, `key "aws:x" starts with "aws:"`},
		{"transitive key not a tag", []Role{{ARN: roleB, TransitiveTagKeys: []string{"team"}}}, nil, nil, `TransitiveTagKeys names "team", which is not a key of Tags`},
		{"11 policy ARNs", []Role{{ARN: roleB, PolicyARNs: make([]string, 11)}}, nil, nil, "PolicyARNs has 11 entries: STS accepts at most 10"},
		{"policy ARN not a policy", []Role{{ARN: roleB, PolicyARNs: []string{roleC}}}, nil, nil, "PolicyARNs[0]"},
		{"policy not JSON", []Role{{ARN: roleB, Policy: "allow all"}}, nil, nil, "Policy is not a JSON policy document"},
		{"policy too long", []Role{{ARN: roleB, Policy: `{"x":"` + strings.Repeat("a", 2100) + `"}`}}, nil, nil, "Policy is 2108 characters long"},
		{"source identity reserved", []Role{{ARN: roleB, SourceIdentity: "aws:me"}}, nil, nil, `SourceIdentity "aws:me" starts with "aws:"`},
		{"nil credentials", []Role{{ARN: roleB}}, func(c *aws.Config) { c.Credentials = nil }, nil, "aws.Config.Credentials is nil"},
		{"third hop named", []Role{{ARN: roleB}, {ARN: roleC}, {ARN: roleD, SessionName: "x"}}, nil, nil, "hop 3 (" + roleD + "): SessionName"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeSTS{clk: newClock()}
			cfg := baseConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			_, err := Chain(cfg, tt.roles, withFake(f), tt.opts)
			if err == nil {
				t.Fatalf("Chain succeeded, want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %q\nwant it to contain %q", err, tt.want)
			}
			if n := f.n.Load(); n != 0 {
				t.Fatalf("%d STS calls before validation failed, want 0", n)
			}
		})
	}
}

func TestValidRolesPass(t *testing.T) {
	t.Parallel()
	for _, arn := range []string{
		roleB, roleC,
		"arn:aws-cn:iam::222222222222:role/a",
		"arn:aws-us-gov:iam::222222222222:role/deep/path/to/Role+=,.@_-",
	} {
		if _, err := AssumeRole(baseConfig(), Role{ARN: arn, SessionName: "ok", ExternalID: "a:b/c"}); err != nil {
			t.Errorf("AssumeRole(%q) = %v", arn, err)
		}
	}
}

func TestChainRefreshesEachHopOnItsOwnSchedule(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	c, err := Chain(baseConfig(), []Role{
		{ARN: roleB, Duration: 12 * time.Hour},
		{ARN: roleC},
		{ARN: roleD, Duration: 15 * time.Minute},
	}, withFake(f), noJitter)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Retrieve(ctx); err != nil {
		t.Fatal(err)
	}
	// Over two simulated hours, read every 10 seconds.
	for range 720 {
		f.clk.Advance(10 * time.Second)
		cr, err := c.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !f.clk.Now().Before(cr.Expires) {
			t.Fatal("expired credentials returned")
		}
		// Background refreshes finish before the next simulated step.
		settle(t, c)
	}
	// Hop 3 (15m, refreshed at 11m15s) about 11 times; hop 2 (1h) about
	// twice; hop 1 (12h) never again.
	if n := f.callsFor(roleB); n != 1 {
		t.Errorf("hop 1 assumed %d times in 2h, want 1", n)
	}
	if n := f.callsFor(roleC); n != 3 {
		t.Errorf("hop 2 assumed %d times in 2h, want 3", n)
	}
	if n := f.callsFor(roleD); n < 10 || n > 12 {
		t.Errorf("hop 3 assumed %d times in 2h, want 10 to 12", n)
	}
}

func TestChainIsAFoldOfAssumeRole(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	cfg := baseConfig()
	b, err := AssumeRole(cfg, Role{ARN: roleB}, withFake(f))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Credentials = b
	_, err = AssumeRole(cfg, Role{ARN: roleC, Duration: 2 * time.Hour}, withFake(f))
	var he *HopError
	if !errors.As(err, &he) || he.Hop != 2 || !strings.Contains(err.Error(), "role chaining") {
		t.Fatalf("hand-built second hop: %v; want hop 2's chaining error", err)
	}
}

func TestRuntimeErrorsNameTheHopAndHint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		role   Role
		opts   func(*Options)
		code   string
		msg    string
		wants  []string
		noWant string
	}{
		{"access denied without external ID", Role{ARN: roleB}, nil, "AccessDenied", "User: arn:aws:iam::111111111111:user/jenkins is not authorized to perform: sts:AssumeRole",
			[]string{
				"xacct: hop 1 (" + roleB + "): AssumeRole:",
				"AccessDenied",
				"hint: the trust policy of " + roleB + " must allow the caller",
				"needs Role.ExternalID (none was passed)",
				"aws:MultiFactorAuthPresent needs MFA",
				"caller's own IAM policy must allow sts:AssumeRole on " + roleB,
			}, ""},
		{"access denied with external ID", Role{ARN: roleB, ExternalID: "wrong-id"}, nil, "AccessDenied", "not authorized",
			[]string{"needs Role.ExternalID (it must match exactly)"}, "wrong-id"},
		{"access denied with MFA", Role{ARN: roleB, MFASerial: "arn:aws:iam::111111111111:mfa/hint-test"}, func(o *Options) { o.MFA = uniqueCodes() }, "AccessDenied", "MultiFactorAuthentication failed",
			[]string{"arn:aws:iam::111111111111:mfa/hint-test", "clock", "not used before"}, "654321"},
		{"chaining duration", Role{ARN: roleB}, nil, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
			[]string{"role chaining and caps the session at 1h"}, ""},
		{"max session duration", Role{ARN: roleB, Duration: 4 * time.Hour}, nil, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
			[]string{"exceeds the MaxSessionDuration of " + roleB}, ""},
		{"region disabled", Role{ARN: roleB}, nil, "RegionDisabledException", "STS is not activated in this region for account:222222222222.",
			[]string{"activate the region"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeSTS{clk: newClock(), err: func(*sts.AssumeRoleInput) error { return apiError(tt.code, tt.msg) }}
			c, err := AssumeRole(baseConfig(), tt.role, withFake(f), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Retrieve(context.Background())
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
			if tt.noWant != "" && strings.Contains(err.Error(), tt.noWant) {
				t.Errorf("error %q shows %q", err, tt.noWant)
			}
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.code {
				t.Errorf("errors.As(smithy.APIError) does not give %s: %v", tt.code, err)
			}
			var he *HopError
			if !errors.As(err, &he) || he.Hop != 1 || he.RoleARN != tt.role.ARN {
				t.Errorf("want a *HopError for hop 1: %#v", he)
			}
		})
	}
}

func TestMFACodeIsAskedPerAssumeRoleWithContext(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	var prompts atomic.Int32
	c, err := AssumeRole(baseConfig(), Role{ARN: roleB, MFASerial: serialFor(t)}, withFake(f), func(o *Options) {
		o.MFA = func(ctx context.Context, req TokenRequest) (string, error) {
			if _, ok := ctx.Deadline(); !ok {
				t.Error("MFA called without a deadline")
			}
			return fmt.Sprintf("%06d", prompts.Add(1)), nil
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	parallel(100, func(int) { c.Retrieve(context.Background()) })
	if n := prompts.Load(); n != 1 {
		t.Fatalf("%d prompts for 100 concurrent callers, want 1", n)
	}
	f.clk.Advance(2 * time.Hour)
	c.Retrieve(context.Background())
	if n := prompts.Load(); n != 2 {
		t.Fatalf("%d prompts after expiry, want 2", n)
	}
}

func TestMFABadCodeIsRefusedWithoutQuotingIt(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	c, _ := AssumeRole(baseConfig(), Role{ARN: roleB, MFASerial: serialFor(t)}, withFake(f),
		func(o *Options) { o.MFA = StaticToken("12345x") })
	_, err := c.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "exactly six digits") || strings.Contains(err.Error(), "12345x") {
		t.Fatalf("error = %v; want a six-digit rule that does not quote the code", err)
	}
	if f.n.Load() != 0 {
		t.Fatal("a malformed code was sent to STS")
	}
}

func TestNoSecretsInFormattedValues(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	c, err := Chain(baseConfig(), []Role{{ARN: roleB}, {ARN: roleC}}, withFake(f))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf("%v|%+v|%#v|%s", c, c, c, c)
	if strings.Contains(out, testSecret) || strings.Contains(out, testToken) {
		t.Fatalf("secret in %s", out)
	}
	if !strings.Contains(out, "hop 2: "+roleC) {
		t.Errorf("String() = %q, want the hop and role", out)
	}
}

// TestAssumeRoleUsesTheConfigsSTSEndpoint drives the real sts.Client: the
// request goes to cfg.BaseEndpoint, signed with the base credentials.
func TestAssumeRoleUsesTheConfigsSTSEndpoint(t *testing.T) {
	t.Parallel()
	exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	var auth, action, role atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		auth.Store(r.Header.Get("Authorization"))
		action.Store(form.Get("Action"))
		role.Store(form.Get("RoleArn"))
		fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIAFROMFAKE</AccessKeyId><SecretAccessKey>s</SecretAccessKey>
<SessionToken>t</SessionToken><Expiration>%s</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/CrossAccountRole/x</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`, exp)
	}))
	defer srv.Close()
	cfg := baseConfig()
	cfg.BaseEndpoint = aws.String(srv.URL)
	c, err := AssumeRole(cfg, Role{ARN: roleB})
	if err != nil {
		t.Fatal(err)
	}
	cr, err := c.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cr.AccessKeyID != "ASIAFROMFAKE" || cr.AccountID != "222222222222" {
		t.Errorf("credentials %q account %q", cr.AccessKeyID, cr.AccountID)
	}
	if a := auth.Load().(string); !strings.Contains(a, "Credential=AKIAEXAMPLEBASE/") {
		t.Errorf("request signed with %q, want the base key", a)
	}
	if action.Load() != "AssumeRole" || role.Load() != roleB {
		t.Errorf("Action=%v RoleArn=%v", action.Load(), role.Load())
	}
}

func TestChainErrorNamesTheHopAtFault(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock(), err: func(in *sts.AssumeRoleInput) error {
		if aws.ToString(in.RoleArn) == roleB {
			return apiError("AccessDenied", "not authorized")
		}
		return nil
	}}
	for _, mfa := range []string{"", serialFor(t)} {
		c, err := Chain(baseConfig(), []Role{{ARN: roleB, ExternalID: "ext-1"}, {ARN: roleC}, {ARN: roleD, MFASerial: mfa}}, withFake(f),
			func(o *Options) { o.MFA = uniqueCodes() })
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Retrieve(context.Background())
		var he *HopError
		if !errors.As(err, &he) || he.Hop != 1 || he.RoleARN != roleB || !strings.Contains(he.Hint, "trust policy of "+roleB) {
			t.Fatalf("MFA %q: error %v; want hop 1's error with its hint", mfa, err)
		}
		if strings.Contains(err.Error(), roleC) || strings.Contains(err.Error(), roleD) {
			t.Errorf("MFA %q: error %q names later hops", mfa, err)
		}
	}
}

// When the base of an MFA hop fails before any code is asked for, the
// hop's error carries no hint about MFA codes: the hop made no call.
func TestMFAHopBaseFailureHasNoHint(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	cfg := baseConfig()
	cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, apiError("AccessDenied", "the base refused")
	})
	c, err := AssumeRole(cfg, Role{ARN: roleB, MFASerial: serialFor(t)}, withFake(f),
		func(o *Options) { o.MFA = uniqueCodes() })
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Retrieve(context.Background())
	var he *HopError
	if !errors.As(err, &he) || he.Hint != "" || f.n.Load() != 0 {
		t.Fatalf("Retrieve = %v; want the hop's error, with no hint, and no call", err)
	}
}
