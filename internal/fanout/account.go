package fanout

// How one account of a fan-out runs, and how its result is reported.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct/internal/partition"
	"github.com/xacct/xacct/internal/recovered"
	"github.com/xacct/xacct/internal/stsrate"
)

// run is one call of Run, with resolved options.
type run[A, R any] struct {
	job       Job[A, R]
	o         Options
	accounts  []A
	s         *Summary[R]
	stsCfg    aws.Config // job.Config with the shared rate, for the hops
	partition string     // job.Config.Region's, for role ARNs by name
	rate      *stsrate.Rate

	clients *sharedClient // the one STS client of the fan-out

	resultMu sync.Mutex // serializes OnResult

	succeeded, failed, notRunN atomic.Int64 // the counts of the Summary
}

// newRun prepares a fan-out: its rate and the config of its STS client.
func newRun[A, R any](job Job[A, R], o Options, accounts []A, s *Summary[R]) *run[A, R] {
	r := &run[A, R]{
		job: job, o: o, accounts: accounts, s: s,
		rate: stsrate.New(stsrate.Limits{
			PerSecond: o.STSRate, Burst: o.STSBurst, Retries: o.ThrottleRetries, Backoff: o.ThrottleBackoff,
		}),
		partition: partition.Of(job.Config.Region),
	}
	r.clients = &sharedClient{build: job.NewSTSClient, rate: r.rate}
	r.stsCfg = r.rate.Configure(job.Config)
	return r
}

// account assumes the role of the i-th account and runs fn there.
func (r *run[A, R]) account(ctx context.Context, i int) {
	out := Outcome{Started: time.Now()}
	st := &stsrate.Stats{}
	out.Err = r.assumeAndRun(ctx, r.accounts[i], st, &out.Ran)
	out.Took = time.Since(out.Started)
	out.Attempts, out.Throttled, out.Sessions = st.Attempts(), st.Throttled(), st.Sessions()
	r.report(i, out, false)
}

func (r *run[A, R]) assumeAndRun(ctx context.Context, a A, st *stsrate.Stats, ran *bool) error {
	creds, err := r.job.Assume(r.roleARN(a), r.stsCfg, Clients{shared: r.clients, stats: st})
	if err != nil {
		return err
	}
	if _, err := creds.Retrieve(ctx); err != nil {
		return err
	}
	cfg := r.job.Config.Copy()
	cfg.Credentials = creds
	*ran = true
	p, err := recovered.Call(func() error { return r.job.Fn(ctx, a, cfg) })
	if p != nil {
		return &fnPanicError{account: r.name(a), p: p}
	}
	return err
}

// notRun reports the i-th account, whose turn came after ctx ended.
func (r *run[A, R]) notRun(ctx context.Context, i int) {
	err := fmt.Errorf("xacct: FanOut: account %s: %w: the context ended before its turn: %w",
		r.name(r.accounts[i]), r.job.NotRun, context.Cause(ctx))
	r.report(i, Outcome{Err: err}, true)
}

// report makes the i-th result, passes it to OnResult, stores it and
// counts it.
func (r *run[A, R]) report(i int, out Outcome, notRun bool) {
	a := r.accounts[i]
	res := r.job.Result(a, out)
	if r.job.OnResult != nil {
		r.resultMu.Lock()
		if p, _ := recovered.Call(func() error { r.job.OnResult(res); return nil }); p != nil {
			out.Err = errors.Join(out.Err, fmt.Errorf("xacct: FanOut: OnResult panicked (value of type %s)", p.ValueType))
			res = r.job.Result(a, out)
		}
		r.resultMu.Unlock()
	}
	r.s.Results[i] = res
	switch {
	case notRun:
		r.notRunN.Add(1)
	case out.Err == nil:
		r.succeeded.Add(1)
	default:
		r.failed.Add(1)
	}
}

// name names an account in errors: its ID, and its name if known.
func (r *run[A, R]) name(a A) string {
	id, name := r.job.Identify(a)
	return accountName(id, name)
}

// Clients gives one account its STS client (Job.Assume's argument): the
// fan-out's one client, behind the shared rate and its Throttling retry,
// counting into the account's Outcome. A value, so that handing it over
// costs no allocation.
type Clients struct {
	shared *sharedClient
	stats  *stsrate.Stats // the account's
}

// For returns the account's STS client. The first call of the fan-out
// builds the shared client from cfg, with Job.NewSTSClient.
func (c Clients) For(cfg aws.Config) stsrate.Client {
	s := c.shared
	s.once.Do(func() { s.client = s.build(cfg) })
	return s.rate.Client(s.client, c.stats)
}

// sharedClient is the one STS client of a fan-out, built when the first
// account needs it.
type sharedClient struct {
	build  func(aws.Config) stsrate.Client // Job.NewSTSClient
	rate   *stsrate.Rate
	once   sync.Once      // builds client
	client stsrate.Client // set once, by once
}
