package xacct_test

// End-to-end tests: hops, chains, the cache and MFA through the real
// sts.Client, against the fake STS of package xaccttest, which checks
// signatures, trust and identity policies, MFA and durations as STS does.

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/xaccttest"
)

func TestEndToEndChain(t *testing.T) {
	t.Parallel()
	srv, cfg := world(t)
	clock := func(o *xacct.Options) { o.Now = srv.Clock.Now }

	chain, err := xacct.Chain(cfg, []xacct.Role{
		{ARN: hubRole, ExternalID: "ext-123", SessionName: "e2e", Duration: 4 * time.Hour},
		{ARN: deployRole, SessionName: "e2e"},
	}, clock)
	if err != nil {
		t.Fatal(err)
	}
	if arn := whoAmI(with(cfg, chain)); arn != "arn:aws:sts::333333333333:assumed-role/Deploy/e2e" {
		t.Fatalf("caller %q", arn)
	}

	// 200 goroutines read for 5 simulated hours: never an error, never
	// expired credentials, and one STS call per session of each hop.
	for range 5 * 60 {
		now := srv.Clock.Now()
		var bad atomic.Int32
		done := make(chan struct{})
		for range 200 {
			go func() {
				defer func() { done <- struct{}{} }()
				cr, err := chain.Retrieve(context.Background())
				if err != nil || !now.Before(cr.Expires) {
					bad.Add(1)
				}
			}()
		}
		for range 200 {
			<-done
		}
		if bad.Load() > 0 {
			t.Fatalf("at %v: %d bad reads", now, bad.Load())
		}
		waitIdle(t, srv)
		srv.Clock.Advance(time.Minute)
	}
	hub, deploy := 0, 0
	for _, c := range srv.Calls() {
		switch {
		case c.Action == "AssumeRole" && c.RoleARN == hubRole && c.Allowed:
			hub++
		case c.Action == "AssumeRole" && c.RoleARN == deployRole && c.Allowed:
			deploy++
		}
	}
	// Hub: 4h sessions refreshed ~10 minutes early: 2 in 5h. Deploy: 1h, ~6.
	if hub != 2 || deploy < 5 || deploy > 7 {
		t.Errorf("AssumeRole calls: Hub %d (want 2), Deploy %d (want 5 to 7)", hub, deploy)
	}
}

func TestEndToEndTrustErrors(t *testing.T) {
	t.Parallel()
	_, cfg := world(t)
	for _, tt := range []struct {
		name string
		role xacct.Role
		want string
	}{
		{"no External ID", xacct.Role{ARN: hubRole}, "needs Role.ExternalID (none was passed)"},
		{"wrong External ID", xacct.Role{ARN: hubRole, ExternalID: "ext-999"}, "it must match exactly"},
		{"over the role's maximum", xacct.Role{ARN: hubRole, ExternalID: "ext-123", Duration: 12*time.Hour + 0}, ""},
		{"role in an account the policy does not cover", xacct.Role{ARN: deployRole}, "caller's own IAM policy must allow sts:AssumeRole on " + deployRole},
		{"MFA required", xacct.Role{ARN: adminRole}, "aws:MultiFactorAuthPresent needs MFA"},
	} {
		c, err := xacct.AssumeRole(cfg, tt.role)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		_, err = c.Retrieve(context.Background())
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		var apiErr smithy.APIError
		if err == nil || !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v; want AccessDenied with %q", tt.name, err, tt.want)
		}
	}
	// A chain whose first hop is refused: the error names hop 1, not hop 2.
	chain, _ := xacct.Chain(cfg, []xacct.Role{{ARN: hubRole, ExternalID: "wrong-id"}, {ARN: deployRole}})
	_, err := chain.Retrieve(context.Background())
	var he *xacct.HopError
	if !errors.As(err, &he) || he.Hop != 1 || !strings.Contains(err.Error(), "it must match exactly") || strings.Contains(err.Error(), deployRole) {
		t.Errorf("chain with hop 1 refused: %v", err)
	}
	// A duration the fake refuses for chaining, caught by xacct first.
	hub, _ := xacct.AssumeRole(cfg, xacct.Role{ARN: hubRole, ExternalID: "ext-123"})
	cfg.Credentials = hub
	if _, err := xacct.AssumeRole(cfg, xacct.Role{ARN: deployRole, Duration: 2 * time.Hour}); err == nil || !strings.Contains(err.Error(), "role chaining") {
		t.Errorf("chained 2h: %v", err)
	}
}

func TestEndToEndMFASession(t *testing.T) {
	t.Parallel()
	srv, cfg := world(t)
	clock := func(o *xacct.Options) { o.Now = srv.Clock.Now }

	// Without MFA the trust policy refuses; on an MFA session it allows.
	plain, _ := xacct.AssumeRole(cfg, xacct.Role{ARN: adminRole})
	if _, err := plain.Retrieve(context.Background()); err == nil {
		t.Fatal("Admin assumed without MFA")
	}
	var prompts atomic.Int32
	device := srv.TokenFunc()
	token := func(ctx context.Context, req xacct.TokenRequest) (string, error) {
		prompts.Add(1)
		return device(ctx, req)
	}
	session, err := xacct.MFASession(cfg, aliceMFA, token, clock)
	if err != nil {
		t.Fatal(err)
	}
	base := cfg
	base.Credentials = session
	admin, err := xacct.AssumeRole(base, xacct.Role{ARN: adminRole, SessionName: "e2e"}, clock)
	if err != nil {
		t.Fatal(err)
	}
	// Ten simulated hours of reads: Admin refreshed about ten times, one prompt.
	for range 10 * 60 {
		if _, err := admin.Retrieve(context.Background()); err != nil {
			t.Fatal(err)
		}
		waitIdle(t, srv)
		srv.Clock.Advance(time.Minute)
	}
	if n := prompts.Load(); n != 1 {
		t.Errorf("%d prompts in 10h, want 1", n)
	}
	if n := srv.CallCount("GetSessionToken"); n != 1 {
		t.Errorf("%d GetSessionToken calls, want 1", n)
	}
	if arn := whoAmI(with(cfg, admin)); arn != "arn:aws:sts::222222222222:assumed-role/Admin/e2e" {
		t.Fatalf("caller %q", arn)
	}
}

func TestEndToEndReusedCode(t *testing.T) {
	t.Parallel()
	srv, cfg := world(t)
	code, err := srv.TOTP(aliceMFA)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := xacct.AssumeRole(cfg, xacct.Role{ARN: adminRole, MFASerial: aliceMFA},
		func(o *xacct.Options) { o.MFA = xacct.StaticToken(code); o.Now = srv.Clock.Now })
	if _, err := first.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The fake refuses the same code from another client...
	c := sts.NewFromConfig(cfg)
	_, err = c.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(adminRole), RoleSessionName: aws.String("e2e-replay"),
		SerialNumber: aws.String(aliceMFA), TokenCode: aws.String(code)})
	if err == nil || !strings.Contains(err.Error(), "invalid MFA one time pass code") {
		t.Fatalf("the fake accepted a used code: %v", err)
	}
	before := srv.CallCount("AssumeRole")
	// ...and xacct never sends it: a second hop with the same fixed code fails
	// before any call.
	second, _ := xacct.AssumeRole(cfg, xacct.Role{ARN: adminRole, MFASerial: aliceMFA},
		func(o *xacct.Options) { o.MFA = xacct.StaticToken(code); o.Now = srv.Clock.Now })
	if _, err := second.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "StaticToken has one code, and it was used") {
		t.Fatalf("second use: %v", err)
	}
	if n := srv.CallCount("AssumeRole"); n != before {
		t.Fatalf("xacct sent the used code: %d AssumeRole calls, want %d", n, before)
	}
	// With the device as the TokenFunc, xacct asks for a new code and succeeds.
	third, _ := xacct.AssumeRole(cfg, xacct.Role{ARN: adminRole, MFASerial: aliceMFA},
		func(o *xacct.Options) { o.MFA = srv.TokenFunc(); o.Now = srv.Clock.Now })
	if _, err := third.Retrieve(context.Background()); err != nil {
		t.Fatalf("with the device: %v", err)
	}
}

func TestEndToEndFaults(t *testing.T) {
	t.Parallel()
	srv, cfg := world(t)
	events := make(chan xacct.RefreshEvent, 100)
	c, err := xacct.AssumeRole(cfg, xacct.Role{ARN: hubRole, ExternalID: "ext-123"}, func(o *xacct.Options) {
		o.Now = srv.Clock.Now
		o.RefreshJitter = -1
		o.OnRefresh = func(ev xacct.RefreshEvent) { events <- ev }
	})
	if err != nil {
		t.Fatal(err)
	}
	// next reads until a refresh ends: the goroutine of the last one may
	// still be winding down when the first read comes.
	next := func() xacct.RefreshEvent {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for {
			if _, err := c.Retrieve(context.Background()); err != nil {
				t.Fatalf("a read failed: %v", err)
			}
			select {
			case ev := <-events:
				return ev
			case <-deadline:
				t.Fatal("no refresh")
			case <-time.After(time.Millisecond):
			}
		}
	}
	if _, err := c.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	next()
	// STS is down while the credentials are stale: callers see nothing.
	srv.InjectFault(xaccttest.Fault{Code: "ServiceUnavailable"})
	srv.Clock.Advance(52 * time.Minute)
	for range 100 {
		if _, err := c.Retrieve(context.Background()); err != nil {
			t.Fatalf("a failed background refresh reached a caller: %v", err)
		}
	}
	if ev := next(); ev.Err == nil || !ev.Background || !strings.Contains(ev.Err.Error(), "ServiceUnavailable") {
		t.Fatalf("refresh during the outage: %+v", ev)
	}
	// STS recovers; after the backoff the next refresh succeeds.
	srv.ClearFaults()
	srv.Clock.Advance(3 * time.Minute)
	if ev := next(); ev.Err != nil || ev.Expires.Sub(srv.Clock.Now()) != time.Hour {
		t.Fatalf("refresh after the outage: %+v", ev)
	}
}

func TestNoGoroutineLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	srv, cfg := world(t)
	chain, err := xacct.Chain(cfg, []xacct.Role{{ARN: hubRole, ExternalID: "ext-123"}, {ARN: deployRole, Duration: 15 * time.Minute}},
		func(o *xacct.Options) { o.Now = srv.Clock.Now })
	if err != nil {
		t.Fatal(err)
	}
	for range 3 * 60 { // background refreshes come and go
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if _, err := chain.Retrieve(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
		waitIdle(t, srv)
		srv.Clock.Advance(time.Minute)
	}
	srv.Close()
	noGoroutineLeft(t, before)
}
