package xacct

// Fan-out: one function run in every account of a fleet, each with its
// own refresh-ahead hop, all sharing one STS rate. This file holds FanOut,
// its options and what it reports; FanOut gives internal/fanout the
// accounts, a hop per account (assumeRole, through the fan-out's STS
// client) and how to make a Result, and internal/fanout runs them.

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct/internal/fanout"
	"github.com/xacct/xacct/internal/stsrate"
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
	hop := resolveOptions(o.HopOptions) // every account's
	s := fanout.Run(ctx, accounts, fanout.Job[Account, Result]{
		Options: fanout.Options{RoleName: o.RoleName, Concurrency: o.Concurrency, STSRate: o.STSRate,
			STSBurst: o.STSBurst, ThrottleRetries: o.ThrottleRetries, ThrottleBackoff: o.ThrottleBackoff},
		Defaults: fanout.Options{Concurrency: DefaultConcurrency, STSRate: DefaultSTSRate, STSBurst: DefaultSTSBurst,
			ThrottleRetries: DefaultThrottleRetries, ThrottleBackoff: DefaultThrottleBackoff},
		Config: cfg, Fn: fn, RoleARN: o.RoleARN, Identify: func(a Account) (string, string) { return a.ID, a.Name },
		NewSTSClient: func(cfg aws.Config) stsrate.Client { return hop.NewSTSClient(cfg) },
		Assume: func(arn string, stsCfg aws.Config, clients fanout.Clients) (aws.CredentialsProvider, error) {
			h := hop
			h.NewSTSClient = func(cfg aws.Config) STSClient { return clients.For(cfg) }
			return assumeRole(stsCfg, Role{ARN: arn, ExternalID: o.ExternalID, SessionName: o.SessionName, Duration: o.Duration}, h)
		},
		Result: func(a Account, r fanout.Outcome) Result {
			return Result{Account: a, Err: r.Err, Ran: r.Ran, Attempts: r.Attempts, Throttled: r.Throttled,
				Sessions: r.Sessions, Started: r.Started, Took: r.Took}
		},
		OnResult: o.OnResult, NotRun: ErrNotRun,
	})
	return &Report{Results: s.Results, Succeeded: s.Succeeded, Failed: s.Failed, NotRun: s.NotRun,
		STSAttempts: s.STSAttempts, Throttled: s.Throttled, Took: time.Since(started)}
}

// ErrNotRun is wrapped by the Result.Err of an account whose turn never
// came: the fan-out's context ended first. errors.Is finds the context's
// error in it too.
var ErrNotRun = errors.New("not run")

// Result is the outcome of one account of a fan-out.
type Result struct {
	Account Account

	// Err is nil on success. Otherwise: a *HopError when the role could
	// not be assumed (with a hint for AccessDenied and the like); fn's
	// error; the error of a panic in fn (its type, and where it happened);
	// or, for an account not run, an error wrapping ErrNotRun and the
	// context's error.
	Err error

	// Ran reports whether fn was called: the role was assumed.
	Ran bool

	// Attempts counts the HTTP attempts of this account's STS calls: the
	// first AssumeRole, the refreshes while fn ran, and their retries.
	Attempts int
	// Throttled counts the Attempts that STS answered with Throttling.
	Throttled int
	// Sessions counts the sessions assumed: one, and one per refresh.
	Sessions int

	// Started is when the account's turn came; zero when it did not.
	Started time.Time
	// Took is the time from Started to fn's return (or to the failure to
	// assume the role): the assume and fn.
	Took time.Duration
}

// Report is the outcome of a fan-out.
type Report struct {
	// Results has one Result per account, in the order given to FanOut.
	Results []Result

	Succeeded int // accounts whose fn returned nil
	Failed    int // accounts whose role or fn failed
	NotRun    int // accounts whose turn never came

	STSAttempts int           // HTTP attempts to STS of the whole fan-out
	Throttled   int           // of those, answered with Throttling
	Took        time.Duration // from FanOut's call to its return
}

// Err returns nil when every account succeeded, and otherwise an error
// that counts the failures and quotes the first. errors.Is and errors.As
// look into every account's error.
func (r *Report) Err() error {
	return fanout.ReportError(r.Results, func(res Result) (string, string, error) {
		return res.Account.ID, res.Account.Name, res.Err
	}, r.Failed, r.NotRun)
}
