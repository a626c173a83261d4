// Package fanout runs one function in every account of a fleet, what
// xacct.FanOut does behind its API: the options' rules, the workers that
// take the accounts in turn (internal/workpool), the one STS client and
// rate of the fan-out with its Throttling retry (internal/stsrate), each
// account's assume-then-run, a panic in fn made that account's error
// (internal/recovered), the accounts not run once the context ends, the
// serialized OnResult, and the counts of the report.
//
// The package knows nothing of xacct's types: the caller gives the
// accounts (of any type A), how to assume a role through a given STS
// client, and how to make its result (of any type R) from an Outcome.
//
// Files: fanout.go holds Job and Run; account.go how one account runs and
// is reported; options.go the options' rules and defaults, and role ARNs;
// report.go the errors of a fan-out and of its report.
package fanout

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct/internal/stsrate"
	"github.com/xacct/xacct/internal/workpool"
)

// Options are the figures of xacct.FanOutOptions that the fan-out itself
// reads; their docs are there.
type Options struct {
	RoleName        string
	Concurrency     int
	STSRate         float64
	STSBurst        int
	ThrottleRetries int
	ThrottleBackoff time.Duration
}

// Job is one fan-out over accounts of type A, whose results are of type R.
type Job[A, R any] struct {
	// Options are the caller's, as given: Run checks them, and fills in
	// a zero field from Defaults (RoleName has none).
	Options, Defaults Options

	// Config is the caller's: each fn gets a copy whose Credentials act
	// in its account, and the fan-out's STS client is built from it.
	Config aws.Config

	// Fn is the function run in each account. Nil is an error of the
	// options.
	Fn func(ctx context.Context, a A, cfg aws.Config) error

	// RoleARN gives the role to assume in each account. Nil: the role
	// named Options.RoleName in the account, in Config.Region's partition.
	RoleARN func(A) string

	// Identify returns an account's ID, and its name (may be empty), for
	// role ARNs and errors.
	Identify func(A) (id, name string)

	// NewSTSClient builds the fan-out's one STS client, from the config
	// that the first account passes to Clients.For.
	NewSTSClient func(cfg aws.Config) stsrate.Client

	// Assume returns the credentials of roleARN, built from stsCfg (Config
	// with the shared rate), whose STS calls go through clients.For(cfg),
	// the account's STS client. Run retrieves them once before Fn runs.
	Assume func(roleARN string, stsCfg aws.Config, clients Clients) (aws.CredentialsProvider, error)

	// Result makes an account's result from its Outcome.
	Result func(A, Outcome) R

	// OnResult, when set, is called with each account's result as soon as
	// it is known, one call at a time. A panic in it joins its error (which
	// keeps nothing of the panic's value) to the account's.
	OnResult func(R)

	// NotRun is wrapped by the error of an account whose turn never came.
	NotRun error
}

// Outcome is what happened in one account.
type Outcome struct {
	Err                           error
	Ran                           bool // fn was called: the role was assumed
	Attempts, Throttled, Sessions int  // the account's STS figures (stsrate.Stats)
	Started                       time.Time
	Took                          time.Duration
}

// Summary is the outcome of a fan-out: one result per account, in the
// order of the accounts, and the counts.
type Summary[R any] struct {
	Results                   []R
	Succeeded, Failed, NotRun int
	STSAttempts, Throttled    int // the HTTP attempts to STS of the whole fan-out
}

// Run runs job in every account, at most Options.Concurrency at a time,
// in the accounts' order, and returns when every fn it called has
// returned and every STS call of the fan-out has ended. Once ctx ends, no
// new account starts: the rest get an error wrapping job.NotRun and
// ctx's cause. Bad options fail every account with one error that names
// the field, and make no STS call (and no OnResult call).
func Run[A, R any](ctx context.Context, accounts []A, job Job[A, R]) Summary[R] {
	s := Summary[R]{Results: make([]R, len(accounts))}
	o, err := resolve(job)
	if err != nil {
		for i, a := range accounts {
			s.Results[i] = job.Result(a, Outcome{Err: err})
		}
		s.Failed = len(accounts)
		return s
	}
	r := newRun(job, o, accounts, &s)
	workpool.Run(ctx, len(accounts), o.Concurrency,
		func(i int) { r.account(ctx, i) }, func(i int) { r.notRun(ctx, i) })
	r.rate.Close()
	s.STSAttempts, s.Throttled = r.rate.Attempts(), r.rate.Throttled()
	s.Succeeded, s.Failed, s.NotRun = int(r.succeeded.Load()), int(r.failed.Load()), int(r.notRunN.Load())
	return s
}
