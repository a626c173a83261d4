package xacct

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/xacct/xacct/internal/fakeclock"
	"github.com/xacct/xacct/internal/testutil"
)

// newClock returns a frozen clock for Options.Now: the module's one fake
// clock, xaccttest.Clock's type (these tests cannot import xaccttest, which
// imports this package).
func newClock() *fakeclock.Clock { return fakeclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) }

const testSecret = "SECRET/wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
const testToken = "TOKEN/FwoGZXIvYXdzEXAMPLESESSIONTOKEN"

// provider is a scriptable aws.CredentialsProvider that counts its calls.
type provider struct {
	calls atomic.Int32
	fn    func(ctx context.Context, n int) (aws.Credentials, error)
}

func (p *provider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	n := int(p.calls.Add(1))
	return p.fn(ctx, n)
}

// expiring returns a provider of credentials valid for life on clk; the
// n-th call's key is "AKID<n>".
func expiring(clk *fakeclock.Clock, life time.Duration) *provider {
	return &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		return creds(n, clk.Now().Add(life)), nil
	}}
}

func creds(n int, exp time.Time) aws.Credentials {
	return aws.Credentials{
		AccessKeyID: fmt.Sprintf("AKID%d", n), SecretAccessKey: testSecret, SessionToken: testToken,
		CanExpire: true, Expires: exp,
	}
}

func apiError(code, msg string) error {
	return &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient}
}

// fakeSTS is a test double of the STS client: it records inputs and
// answers from a script. The full fake STS server is xaccttest.
type fakeSTS struct {
	clk   *fakeclock.Clock
	mu    sync.Mutex // guards calls, codes, devices
	calls []*sts.AssumeRoleInput
	// err, when set, decides the outcome of each call.
	err func(in *sts.AssumeRoleInput) error
	n   atomic.Int32

	sessionErr func(in *sts.GetSessionTokenInput) error
	sessions   atomic.Int32
	codes      []string // TokenCodes of GetSessionToken calls, guarded by mu
	devices    *devices // guarded by mu; see registry
}

func (f *fakeSTS) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, _ ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	f.mu.Lock()
	f.calls = append(f.calls, in)
	f.mu.Unlock()
	n := f.n.Add(1)
	if f.err != nil {
		if err := f.err(in); err != nil {
			return nil, err
		}
	}
	exp := f.clk.Now().Add(time.Duration(aws.ToInt32(in.DurationSeconds)) * time.Second)
	return &sts.AssumeRoleOutput{
		Credentials: &types.Credentials{
			AccessKeyId: aws.String(fmt.Sprintf("ASIA%d", n)), SecretAccessKey: aws.String(testSecret),
			SessionToken: aws.String(testToken), Expiration: aws.Time(exp),
		},
		AssumedRoleUser: &types.AssumedRoleUser{
			Arn:           aws.String(aws.ToString(in.RoleArn) + "/" + aws.ToString(in.RoleSessionName)),
			AssumedRoleId: aws.String("AROAEXAMPLE:" + aws.ToString(in.RoleSessionName)),
		},
	}, nil
}

func (f *fakeSTS) GetSessionToken(ctx context.Context, in *sts.GetSessionTokenInput, _ ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error) {
	n := f.sessions.Add(1)
	f.mu.Lock()
	f.codes = append(f.codes, aws.ToString(in.TokenCode))
	f.mu.Unlock()
	if f.sessionErr != nil {
		if err := f.sessionErr(in); err != nil {
			return nil, err
		}
	}
	exp := f.clk.Now().Add(time.Duration(aws.ToInt32(in.DurationSeconds)) * time.Second)
	return &sts.GetSessionTokenOutput{Credentials: &types.Credentials{
		AccessKeyId: aws.String(fmt.Sprintf("ASIASESSION%d", n)), SecretAccessKey: aws.String(testSecret),
		SessionToken: aws.String(testToken), Expiration: aws.Time(exp),
	}}, nil
}

// signingClient's GetSessionToken retrieves the caller's credentials too.
func (c signingClient) GetSessionToken(ctx context.Context, in *sts.GetSessionTokenInput, optFns ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error) {
	if _, err := c.creds.Retrieve(ctx); err != nil {
		return nil, err
	}
	return c.fakeSTS.GetSessionToken(ctx, in, optFns...)
}

// callsFor counts the AssumeRole calls made for roleARN.
func (f *fakeSTS) callsFor(roleARN string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, in := range f.calls {
		if aws.ToString(in.RoleArn) == roleARN {
			n++
		}
	}
	return n
}

func (f *fakeSTS) last(t *testing.T) *sts.AssumeRoleInput {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		t.Fatal("no AssumeRole call")
	}
	return f.calls[len(f.calls)-1]
}

// baseConfig returns a config with static long-term credentials.
func baseConfig() aws.Config {
	return aws.Config{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIAEXAMPLEBASE", SecretAccessKey: testSecret}, nil
		}),
	}
}

// withFake wires a fakeSTS, its fake clock and its own MFA device
// registry into Options.
func withFake(f *fakeSTS) func(*Options) {
	return func(o *Options) {
		o.Now = f.clk.Now
		o.NewSTSClient = func(cfg aws.Config) STSClient { return signingClient{f, cfg.Credentials} }
		o.devices = f.registry()
	}
}

// registry returns the MFA device registry of the caches built on f, so
// that tests run in parallel without sharing the process-wide one.
func (f *fakeSTS) registry() *devices {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.devices == nil {
		f.devices = newDevices()
	}
	return f.devices
}

// signingClient retrieves the caller's credentials before each call, as the
// SDK's signer does, so that chained hops are exercised.
type signingClient struct {
	*fakeSTS
	creds aws.CredentialsProvider
}

func (c signingClient) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	cr, err := c.creds.Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	if cr.CanExpire && !c.clk.Now().Before(cr.Expires) {
		return nil, apiError("ExpiredToken", "The security token included in the request is expired")
	}
	return c.fakeSTS.AssumeRole(ctx, in, optFns...)
}

// parallel runs fn in n goroutines started together and waits for all.
func parallel(n int, fn func(i int)) { testutil.Parallel(n, fn) }

func noJitter(o *Options) { o.RefreshJitter = -1 }

func withClock(clk *fakeclock.Clock) func(*Options) { return func(o *Options) { o.Now = clk.Now } }

// prevHop returns the hop a hop's cache runs on, or nil.
func prevHop(c *Cache) *Cache {
	if rp, ok := c.provider.(*roleProvider); ok {
		prev, _ := rp.base.(*Cache)
		return prev
	}
	return nil
}

// settle waits until no background refresh runs on c or the hops and MFA
// session below it, so that the simulated clock can move on: the one wait
// for background refreshes of these tests.
func settle(t *testing.T, c *Cache) {
	t.Helper()
	eventually(t, "background refreshes", func() bool {
		for h := c; h != nil; h = prevHop(h) {
			if h.bgRunning.Load() {
				return false
			}
		}
		return true
	})
}

// prompter is a TokenFunc that counts prompts and the most at once.
type prompter struct {
	calls, inFlight, maxInFlight atomic.Int32
	delay                        time.Duration
	mu                           sync.Mutex // guards reqs
	reqs                         []TokenRequest
}

func (p *prompter) token(ctx context.Context, req TokenRequest) (string, error) {
	p.calls.Add(1)
	n := p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	for old := p.maxInFlight.Load(); n > old && !p.maxInFlight.CompareAndSwap(old, n); old = p.maxInFlight.Load() {
	}
	p.mu.Lock()
	p.reqs = append(p.reqs, req)
	p.mu.Unlock()
	select {
	case <-time.After(p.delay):
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return uniqueCodes()(ctx, req)
}

// eventually polls cond for up to two seconds of real time; for waiting on
// a background goroutine, never for simulated time.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.WaitFor(t, 2*time.Second, what, cond)
}

// serialFor returns an MFA serial of the test's own: xacct remembers the last
// code of each device process-wide, so tests must not share devices.
func serialFor(t *testing.T) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, t.Name())
	if len(name) > 64 {
		name = name[len(name)-64:]
	}
	return "arn:aws:iam::111111111111:mfa/" + name
}

var codeCounter atomic.Int64

// uniqueCodes returns a TokenFunc whose every code differs from all others
// in the process.
func uniqueCodes() TokenFunc {
	return func(context.Context, TokenRequest) (string, error) {
		return fmt.Sprintf("%06d", codeCounter.Add(1)%1_000_000), nil
	}
}
