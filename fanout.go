package xacct

// Fan-out: one function run in every account of a fleet, each with its
// own refresh-ahead hop, all sharing one STS rate. This file holds FanOut,
// its options and how one call runs; what it reports is in
// fanout_report.go. The mechanisms are internal: the shared rate and the
// Throttling retry (internal/stsrate), the workers that take the accounts
// in turn (internal/workpool), a panic in fn made an error
// (internal/recovered).

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct/internal/recovered"
	"github.com/xacct/xacct/internal/stsrate"
	"github.com/xacct/xacct/internal/validate"
	"github.com/xacct/xacct/internal/workpool"
)

// Defaults for FanOutOptions.
const (
	// DefaultConcurrency is how many fn calls run at once. Sixteen keeps a
	// fleet of short jobs bound by the STS rate, not by waiting on fn, on a
	// machine of a few cores.
	DefaultConcurrency = 16

	// DefaultSTSRate is the STS calls per second of a whole fan-out. STS
	// throttles per account and region, its quota cannot be raised, and
	// the caller's other programs share it: ten a second leaves most of it
	// to them and starts 1,000 accounts in 100 seconds.
	DefaultSTSRate = 10.0

	// DefaultSTSBurst is how many STS calls may leave at once: one, so
	// that calls are spread evenly and no second sees more than STSRate
	// (plus one).
	DefaultSTSBurst = 1

	// DefaultThrottleRetries is how many Throttling answers one STS call
	// retries before its account fails. With DefaultThrottleBackoff, the
	// eight waits add up to at most 32s, inside a hop's one-minute
	// RefreshTimeout.
	DefaultThrottleRetries = 8

	// DefaultThrottleBackoff is the wait after the first Throttling
	// answer; it doubles after each next one, up to 32 times itself, and
	// each wait is jittered between its half and its whole.
	DefaultThrottleBackoff = 250 * time.Millisecond
)

// FanOutOptions configures FanOut. Only one of RoleName and RoleARN is
// required.
type FanOutOptions struct {
	// RoleName is the role to assume in every account, such as
	// "OrganizationAccountAccessRole": the ARN is
	// arn:<partition>:iam::<account>:role/<RoleName>, with the partition
	// of cfg.Region (aws, aws-cn, aws-us-gov, ...).
	RoleName string

	// RoleARN gives the role ARN of each account, instead of RoleName:
	// for roles with a path, or with names that differ by account.
	RoleARN func(Account) string

	// ExternalID, SessionName and Duration are those of Role, the same
	// for every account. Zero values take Role's defaults.
	ExternalID  string
	SessionName string
	Duration    time.Duration

	// Concurrency is how many fn calls run at once. Zero:
	// DefaultConcurrency.
	Concurrency int

	// STSRate is the STS calls per second of the whole fan-out: first
	// assumes, refreshes and retries alike, every HTTP attempt. Zero:
	// DefaultSTSRate. A fan-out of 1,000 accounts at 40 calls/s takes at
	// least 25s, however short fn is.
	STSRate float64

	// STSBurst is how many STS calls may leave at once, above the steady
	// rate. Zero: DefaultSTSBurst.
	STSBurst int

	// ThrottleRetries is how many Throttling answers one STS call retries,
	// with jittered exponential backoff, before its account fails.
	// Throttled attempts wait for the rate too. Zero:
	// DefaultThrottleRetries. Negative: none.
	ThrottleRetries int

	// ThrottleBackoff is the wait after the first Throttling answer of a
	// call; it doubles after each next one, up to 32 times itself. Zero:
	// DefaultThrottleBackoff.
	ThrottleBackoff time.Duration

	// HopOptions configure the hop of every account (Options.Now, Logger,
	// OnRefresh, RefreshWindow, ...). An Options.NewSTSClient is called
	// once, for the fan-out's one STS client.
	HopOptions []func(*Options)

	// OnResult, when set, is called with each account's Result as soon as
	// it is known: when fn returns, when the role could not be assumed, or,
	// at the end, for accounts not run. Calls are serialized, never
	// concurrent; a slow OnResult holds up the fan-out.
	OnResult func(Result)
}

// FanOut runs fn once per account with an aws.Config whose Credentials act
// in that account, and returns a Report with one Result per account.
//
// An account's role is assumed when its turn comes, just before its fn
// runs, and not before: a fleet of thousands starts at once and holds
// sessions only for the accounts under way. Its credentials are a *Cache
// that refreshes ahead of expiry while fn runs, so an fn longer than a
// session (one hour when role chaining) keeps working. Every STS call of
// the fan-out goes through one STS client built from cfg and waits for
// one shared rate (STSRate); Throttling answers are retried apart from the
// SDK's retryer (ThrottleRetries), and an account fails only once they are
// spent. Errors that retrying cannot fix (AccessDenied, which is also what
// a suspended account answers, a disabled region) fail the account at
// once, with a hint.
//
// One account never stops the others: each has its own Result, and a
// panic in fn becomes that account's error. When ctx ends, no new account
// starts, the fn calls running see the cancellation through their
// context, and the accounts not started are marked not run. FanOut
// returns when every fn it called has returned; the aws.Config given to fn
// calls STS only until then.
//
// Bad options (no role, a negative rate, ...) fail every account with the
// same error, naming the field, and make no STS call.
func FanOut(ctx context.Context, cfg aws.Config, accounts []Account,
	fn func(ctx context.Context, a Account, cfg aws.Config) error, optFns ...func(*FanOutOptions)) *Report {
	started := time.Now()
	var o FanOutOptions
	for _, f := range optFns {
		if f != nil {
			f(&o)
		}
	}
	rep := newReport(accounts)
	if err := o.resolve(fn); err != nil {
		rep.failAll(err)
		rep.Took = time.Since(started)
		return rep
	}
	f := newFanOut(cfg, fn, o, rep)
	workpool.Run(ctx, len(accounts), o.Concurrency,
		func(i int) { f.account(ctx, i) }, func(i int) { f.notRun(ctx, i) })
	f.rate.Close()
	rep.count(f.rate)
	rep.Took = time.Since(started)
	return rep
}

// resolve checks the options and fills in defaults.
func (o *FanOutOptions) resolve(fn func(context.Context, Account, aws.Config) error) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("xacct: FanOut: "+format, args...)
	}
	switch {
	case fn == nil:
		return bad("fn is nil: FanOut needs a function to run in each account")
	case o.RoleName == "" && o.RoleARN == nil:
		return bad("FanOutOptions has no role: set RoleName (such as \"OrganizationAccountAccessRole\") or RoleARN")
	case o.RoleName != "" && o.RoleARN != nil:
		return bad("FanOutOptions sets both RoleName %q and RoleARN: set one", o.RoleName)
	case strings.Contains(o.RoleName, "/"):
		return bad("FanOutOptions.RoleName %q contains \"/\": a name has no path; for a role with a path, set RoleARN", o.RoleName)
	case o.Concurrency < 0:
		return bad("FanOutOptions.Concurrency %d is negative: want at least 1, or 0 for %d", o.Concurrency, DefaultConcurrency)
	case o.STSRate < 0 || math.IsNaN(o.STSRate) || math.IsInf(o.STSRate, 0):
		return bad("FanOutOptions.STSRate %g: want STS calls per second above 0, or 0 for %g", o.STSRate, DefaultSTSRate)
	case o.STSBurst < 0:
		return bad("FanOutOptions.STSBurst %d is negative: want at least 1, or 0 for %d", o.STSBurst, DefaultSTSBurst)
	case o.ThrottleBackoff < 0:
		return bad("FanOutOptions.ThrottleBackoff %v is negative: want a duration above 0, or 0 for %v",
			o.ThrottleBackoff, DefaultThrottleBackoff)
	}
	if o.RoleName != "" {
		if err := validate.IAMName("RoleName", o.RoleName); err != nil {
			return bad("FanOutOptions.%v", err)
		}
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.STSRate == 0 {
		o.STSRate = DefaultSTSRate
	}
	if o.STSBurst == 0 {
		o.STSBurst = DefaultSTSBurst
	}
	switch {
	case o.ThrottleRetries == 0:
		o.ThrottleRetries = DefaultThrottleRetries
	case o.ThrottleRetries < 0:
		o.ThrottleRetries = 0
	}
	if o.ThrottleBackoff == 0 {
		o.ThrottleBackoff = DefaultThrottleBackoff
	}
	return nil
}

// fanOut is one call of FanOut.
type fanOut struct {
	cfg       aws.Config // the caller's, for fn
	stsCfg    aws.Config // cfg with the shared rate, for the hops
	partition string
	fn        func(context.Context, Account, aws.Config) error
	o         FanOutOptions
	hop       Options // resolved once, for every account's hop
	rate      *stsrate.Rate
	rep       *Report

	clientOnce sync.Once // builds client
	client     STSClient // the one STS client of the fan-out

	resultMu sync.Mutex // serializes OnResult
}

// newFanOut prepares a call of FanOut with resolved options: its rate, the
// hop options of every account, and the config of its STS client.
func newFanOut(cfg aws.Config, fn func(context.Context, Account, aws.Config) error, o FanOutOptions, rep *Report) *fanOut {
	f := &fanOut{
		cfg: cfg, fn: fn, o: o, rep: rep,
		rate: stsrate.New(stsrate.Limits{
			PerSecond: o.STSRate, Burst: o.STSBurst, Retries: o.ThrottleRetries, Backoff: o.ThrottleBackoff,
		}),
		hop:       resolveOptions(o.HopOptions),
		partition: partitionOf(cfg.Region),
	}
	f.stsCfg = f.rate.Configure(cfg)
	return f
}

// account assumes the role of the i-th account and runs fn there.
func (f *fanOut) account(ctx context.Context, i int) {
	res := f.rep.Results[i]
	res.Started = time.Now()
	st := &stsrate.Stats{}
	res.Err = f.assumeAndRun(ctx, res.Account, st, &res.Ran)
	res.Took = time.Since(res.Started)
	res.Attempts = st.Attempts()
	res.Throttled = st.Throttled()
	res.Sessions = st.Sessions()
	f.report(i, res)
}

func (f *fanOut) assumeAndRun(ctx context.Context, a Account, st *stsrate.Stats, ran *bool) error {
	o := f.hop
	o.NewSTSClient = func(cfg aws.Config) STSClient {
		f.clientOnce.Do(func() { f.client = f.hop.NewSTSClient(cfg) })
		return f.rate.Client(f.client, st)
	}
	creds, err := assumeRole(f.stsCfg, Role{
		ARN: f.roleARN(a), ExternalID: f.o.ExternalID, SessionName: f.o.SessionName, Duration: f.o.Duration,
	}, o)
	if err != nil {
		return err
	}
	if _, err := creds.Retrieve(ctx); err != nil {
		return err
	}
	cfg := f.cfg.Copy()
	cfg.Credentials = creds
	*ran = true
	return callFn(ctx, f.fn, a, cfg)
}

// roleARN is the role to assume in account a.
func (f *fanOut) roleARN(a Account) string {
	if f.o.RoleARN != nil {
		return f.o.RoleARN(a)
	}
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", f.partition, a.ID, f.o.RoleName)
}

// callFn calls fn, turning a panic into the account's error.
func callFn(ctx context.Context, fn func(context.Context, Account, aws.Config) error, a Account, cfg aws.Config) error {
	p, err := recovered.Call(func() error { return fn(ctx, a, cfg) })
	if p != nil {
		return &fnPanicError{account: accountName(a), p: p}
	}
	return err
}

// notRun records an account whose turn came after ctx ended.
func (f *fanOut) notRun(ctx context.Context, i int) {
	res := f.rep.Results[i]
	res.Err = fmt.Errorf("xacct: FanOut: account %s: %w: the context ended before its turn: %w",
		accountName(res.Account), ErrNotRun, context.Cause(ctx))
	f.report(i, res)
}

// report stores the i-th result and passes it to OnResult.
func (f *fanOut) report(i int, res Result) {
	if f.o.OnResult != nil {
		f.resultMu.Lock()
		func() {
			defer func() {
				if v := recover(); v != nil {
					res.Err = errors.Join(res.Err, fmt.Errorf("xacct: FanOut: OnResult panicked (value of type %T)", v))
				}
			}()
			f.o.OnResult(res)
		}()
		f.resultMu.Unlock()
	}
	f.rep.Results[i] = res
}

// partitionOf returns the partition of an AWS region, by the prefixes of
// AWS's region names: role ARNs in China or GovCloud name their partition.
func partitionOf(region string) string {
	for _, p := range []struct{ prefix, partition string }{
		{"cn-", "aws-cn"},
		{"us-gov-", "aws-us-gov"},
		{"us-isob-", "aws-iso-b"},
		{"us-isof-", "aws-iso-f"},
		{"us-iso-", "aws-iso"},
		{"eu-isoe-", "aws-iso-e"},
		{"eusc-", "aws-eusc"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return "aws"
}
