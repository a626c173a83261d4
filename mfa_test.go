package xacct

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xacct/xacct/internal/mfadevice"
)

func TestOnePromptAtATimePerDevice(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	p := &prompter{delay: 5 * time.Millisecond}
	serial := serialFor(t)
	var caches []*Cache
	for _, arn := range []string{roleB, roleC, roleD} {
		c, err := AssumeRole(baseConfig(), Role{ARN: arn, MFASerial: serial}, withFake(f), func(o *Options) { o.MFA = p.token })
		if err != nil {
			t.Fatal(err)
		}
		caches = append(caches, c)
	}
	parallel(300, func(i int) {
		if _, err := caches[i%3].Retrieve(context.Background()); err != nil {
			t.Error(err)
		}
	})
	if n, most := p.calls.Load(), p.maxInFlight.Load(); n != 3 || most != 1 {
		t.Fatalf("%d prompts, at most %d at once; want 3 prompts (one per cache), one at a time", n, most)
	}
}

func TestCodeIsNeverSentTwice(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	serial := serialFor(t)
	var mu sync.Mutex
	var asked []TokenRequest
	answers := []string{"111111", "111111", "222222"}
	token := func(ctx context.Context, req TokenRequest) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, req)
		return answers[len(asked)-1], nil
	}
	// Both hops of one chain need a code of the same device.
	c, err := Chain(baseConfig(), []Role{{ARN: roleB, MFASerial: serial}, {ARN: roleC, MFASerial: serial}}, withFake(f),
		func(o *Options) { o.MFA = token })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	var sent []string
	for _, in := range f.calls {
		sent = append(sent, aws.ToString(in.TokenCode))
	}
	if strings.Join(sent, ",") != "111111,222222" {
		t.Fatalf("codes sent to STS: %v, want 111111 then 222222", sent)
	}
	if len(asked) != 3 || asked[0].NeedNewCode || asked[1].NeedNewCode || !asked[2].NeedNewCode {
		t.Fatalf("requests %+v: want the third (after the reused code) to ask for a new code", asked)
	}
	if asked[0].Hop != 1 || asked[1].Hop != 2 || asked[1].RoleARN != roleC {
		t.Errorf("requests %+v: want hop 1 then hop 2", asked)
	}

	// A function that can only repeat itself gets a clear error, quickly.
	c2, _ := AssumeRole(baseConfig(), Role{ARN: roleD, MFASerial: serial}, withFake(f),
		func(o *Options) { o.MFA = func(context.Context, TokenRequest) (string, error) { return "222222", nil } })
	_, err = c2.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "returned the code just used 3 times") || strings.Contains(err.Error(), "222222") {
		t.Fatalf("Retrieve = %v; want the reuse error, without the code", err)
	}
	c3, _ := AssumeRole(baseConfig(), Role{ARN: roleD, MFASerial: serial}, withFake(f), func(o *Options) { o.MFA = StaticToken("222222") })
	if _, err := c3.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "StaticToken has one code, and it was used") {
		t.Fatalf("StaticToken with its code spent: %v", err)
	}
	// Two minutes later the same digits are a new code.
	f.clk.Advance(mfadevice.ReuseWindow)
	if _, err := c3.Retrieve(context.Background()); err != nil {
		t.Fatalf("the same digits after %v: %v", mfadevice.ReuseWindow, err)
	}
}

func TestMFASessionPromptsOncePerSession(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	p := &prompter{}
	serial := serialFor(t)
	session, err := MFASession(baseConfig(), serial, p.token, withFake(f))
	if err != nil {
		t.Fatal(err)
	}
	cfg := baseConfig()
	cfg.Credentials = session
	chain, err := Chain(cfg, []Role{{ARN: roleB}, {ARN: roleC, Duration: 30 * time.Minute}, {ARN: roleD, Duration: 15 * time.Minute}}, withFake(f))
	if err != nil {
		t.Fatal(err)
	}
	read := func() {
		parallel(200, func(int) {
			cr, err := chain.Retrieve(context.Background())
			if err != nil {
				t.Error(err)
			} else if !f.clk.Now().Before(cr.Expires) {
				t.Error("expired credentials")
			}
		})
		settle(t, chain)
	}
	// Almost the whole 12-hour session, minute by simulated minute.
	for range 11*60 + 50 {
		read()
		f.clk.Advance(time.Minute)
	}
	if n := p.calls.Load(); n != 1 {
		t.Fatalf("%d prompts in 11h50m of a 12h MFA session, want 1", n)
	}
	if n := f.sessions.Load(); n != 1 {
		t.Fatalf("%d GetSessionToken calls, want 1", n)
	}
	if n := f.callsFor(roleD); n < 40 {
		t.Fatalf("hop 3 refreshed %d times, want one per 15-minute session", n)
	}
	req := p.reqs[0]
	if req.SerialNumber != serial || req.RoleARN != "" || req.Hop != 0 {
		t.Errorf("session prompt %+v: want the serial, no role, hop 0", req)
	}

	// The session expires at 12h, but hop 1's last session, assumed with it
	// shortly before, lasts an hour longer; hops 2 and 3 live on until it
	// ends. Background refreshes never prompt: the second prompt comes when
	// a caller needs the credentials, and it is the only one.
	for range 3 * 60 {
		read()
		if p.calls.Load() == 2 {
			break
		}
		f.clk.Advance(time.Minute)
	}
	if n := p.calls.Load(); n != 2 {
		t.Fatalf("%d prompts after the session expired, want 2", n)
	}
	if p.maxInFlight.Load() != 1 {
		t.Error("two prompts at once")
	}
	for _, c := range f.codes {
		if c == "" {
			t.Error("GetSessionToken without a code")
		}
	}
}

func TestBackgroundRefreshDefersPrompts(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	p := &prompter{}
	var mu sync.Mutex
	var deferred int
	c, err := Chain(baseConfig(), []Role{{ARN: roleB, MFASerial: serialFor(t)}, {ARN: roleC, Duration: 15 * time.Minute}}, withFake(f),
		func(o *Options) {
			o.MFA = p.token
			o.OnRefresh = func(ev RefreshEvent) {
				if errors.Is(ev.Err, errNeedsPerson) {
					mu.Lock()
					deferred++
					mu.Unlock()
				}
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	// Hop 1 (MFA, 1h) under hop 2 (15m, refreshed ahead in the background):
	// over five hours, a prompt may come only while a caller waits for hop
	// 2 (due or expired), never from a background refresh.
	for minute := 0; minute < 5*60; minute++ {
		now := f.clk.Now()
		e := c.cur.Load()
		callerWaits := e == nil || !now.Before(e.blockAt)
		before := p.calls.Load()
		for range 20 {
			cr, err := c.Retrieve(context.Background())
			if err != nil {
				t.Fatalf("minute %d: %v", minute, err)
			}
			if !now.Before(cr.Expires) {
				t.Fatalf("minute %d: expired credentials", minute)
			}
		}
		settle(t, c)
		if p.calls.Load() != before && !callerWaits {
			t.Fatalf("minute %d: a prompt while hop 2 was fresh or stale: it came from a background refresh", minute)
		}
		f.clk.Advance(time.Minute)
	}
	if n := p.calls.Load(); n < 4 {
		t.Errorf("%d prompts in 5h of 1h MFA sessions, want at least 4", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if deferred == 0 {
		t.Error("no background refresh was deferred for want of a person")
	}
}

func TestCanceledCallerLeavesNoPrompt(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	promptCtxErr := make(chan error, 1)
	var prompts atomic.Int32
	token := func(ctx context.Context, req TokenRequest) (string, error) {
		if prompts.Add(1) == 1 {
			<-ctx.Done() // nobody answers the first prompt
			promptCtxErr <- ctx.Err()
			return "", ctx.Err()
		}
		return uniqueCodes()(ctx, req)
	}
	c, _ := AssumeRole(baseConfig(), Role{ARN: roleB, MFASerial: serialFor(t)}, withFake(f), func(o *Options) { o.MFA = token })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := c.Retrieve(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Retrieve = %v, want the caller's deadline", err)
	}
	select {
	case err := <-promptCtxErr:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the prompt ended with %v, want canceled", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the prompt is still pending after its only caller left")
	}
	// The next caller is prompted afresh, and the abandoned attempt counted
	// as no failure.
	if _, err := c.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := prompts.Load(); n != 2 {
		t.Fatalf("%d prompts, want 2", n)
	}
}

func TestPromptTimeout(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	token := func(ctx context.Context, req TokenRequest) (string, error) { <-ctx.Done(); return "", ctx.Err() }
	c, _ := AssumeRole(baseConfig(), Role{ARN: roleB, MFASerial: serialFor(t)}, withFake(f), func(o *Options) {
		o.MFA, o.MFATimeout = token, 20*time.Millisecond
	})
	_, err := c.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no answer within 20ms (Options.MFATimeout)") {
		t.Fatalf("Retrieve = %v", err)
	}
}

func TestMFASessionValidation(t *testing.T) {
	t.Parallel()
	serial := "arn:aws:iam::111111111111:mfa/alice"
	temp := baseConfig()
	temp.Credentials = credentials.NewStaticCredentialsProvider("ASIAX", "s", "token")
	nilCreds := baseConfig()
	nilCreds.Credentials = nil
	for _, tt := range []struct {
		name   string
		cfg    aws.Config
		serial string
		token  TokenFunc
		opts   func(*Options)
		want   string
	}{
		{"nil token", baseConfig(), serial, nil, nil, "token is nil"},
		{"bad serial", baseConfig(), "abc", StaticToken("123456"), nil, `serial "abc" is 3 characters long`},
		{"temporary credentials", temp, serial, StaticToken("123456"), nil, "cfg.Credentials are temporary"},
		{"nil credentials", nilCreds, serial, StaticToken("123456"), nil, "Credentials is nil"},
		{"too short", baseConfig(), serial, StaticToken("123456"), func(o *Options) { o.SessionDuration = 10 * time.Minute }, "SessionDuration 10m0s is outside"},
		{"too long", baseConfig(), serial, StaticToken("123456"), func(o *Options) { o.SessionDuration = 37 * time.Hour }, "15m to 36h"},
	} {
		_, err := MFASession(tt.cfg, tt.serial, tt.token, tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "xacct: MFA session of "+tt.serial) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	// Hops on a session are role chaining: at most 1h.
	f := &fakeSTS{clk: newClock()}
	s, err := MFASession(baseConfig(), serial, StaticToken("123456"), withFake(f))
	if err != nil {
		t.Fatal(err)
	}
	cfg := baseConfig()
	cfg.Credentials = s
	if _, err := AssumeRole(cfg, Role{ARN: roleB, Duration: 2 * time.Hour}, withFake(f)); err == nil || !strings.Contains(err.Error(), "role chaining") {
		t.Errorf("2h hop on an MFA session: %v", err)
	}
}

func TestMFASessionErrorHint(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock(), sessionErr: func(*sts.GetSessionTokenInput) error {
		return apiError("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
	}}
	serial := serialFor(t)
	s, _ := MFASession(baseConfig(), serial, uniqueCodes(), withFake(f))
	_, err := s.Retrieve(context.Background())
	var se *SessionError
	if !errors.As(err, &se) || se.SerialNumber != serial || !strings.Contains(se.Hint, "clock") {
		t.Fatalf("Retrieve = %v; want a SessionError with a hint", err)
	}
	if !strings.Contains(err.Error(), "GetSessionToken: ") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("error %q", err)
	}
	f.mu.Lock()
	code := f.codes[0]
	f.mu.Unlock()
	if strings.Contains(err.Error(), code) {
		t.Errorf("the code %s appears in %q", code, err)
	}
	_ = fmt.Sprint
}
