// Package stsrate is the one STS rate of a fan-out: a limiter that every
// HTTP attempt of every hop waits for, and the retry of Throttling
// answers, so that a hop's cache sees a failure only when the retries are
// spent.
//
// STS throttles per account and region (its quota cannot be raised), so a
// fleet of hops that each call STS on their own schedule overruns it as
// soon as enough accounts start or refresh together. Two retry loops meet
// in a fan-out's STS client:
//
//	the SDK's retryer   retries transient errors (5xx, resets, timeouts) as
//	                    configured in cfg, but no longer Throttling: its
//	                    backoff (up to 20s) and its client-side retry quota
//	                    are shared by every account of the client, and 100
//	                    throttled retries would empty that quota and fail
//	                    healthy accounts with "retry quota exceeded".
//	Rate.Client         retries Throttling with jittered exponential
//	                    backoff, up to Limits.Retries times.
//
// The limiter sits inside the SDK's retry loop (a Finalize middleware after
// "Retry"), so it counts every HTTP attempt, retries of either loop alike:
// the rate STS sees is never above Limits.PerSecond (plus its burst).
//
// Files: stsrate.go holds the Rate, its lifetime and the limiter's
// middleware; retry.go the Throttling retry and the SDK retryer that leaves
// Throttling to it; client.go the STS client of one account and its Stats.
package stsrate

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"
)

// Limits are the figures of a Rate, resolved by the caller: none of them
// has a default here.
type Limits struct {
	PerSecond float64       // HTTP attempts per second, above 0
	Burst     int           // attempts that may leave at once, at least 1
	Retries   int           // Throttling answers retried per call; 0: none
	Backoff   time.Duration // the wait after the first Throttling answer of a call
}

// Rate is the shared limiter and Throttling retry of one fan-out. Its
// methods are safe for concurrent use by multiple goroutines.
type Rate struct {
	lim     *rate.Limiter
	retries int           // Throttling answers retried per call
	backoff time.Duration // first delay after a Throttling answer

	// done ends every call in flight when the fan-out returns: no
	// goroutine of a fan-out outlives it, and the cfg given to fn works
	// only while fn runs.
	done   context.Context
	finish context.CancelFunc

	// A call may start at any time, a hop's background refresh included,
	// even while Close waits: a WaitGroup's Add must not race its Wait
	// when the count is zero, so a call counts itself in under mu, and
	// only while the rate is not closed.
	mu     sync.Mutex     // guards closed, and calls.Add against Close
	closed bool           // Close has begun: no call starts
	calls  sync.WaitGroup // calls in flight, for Close to wait on

	attempts  atomic.Int64 // HTTP attempts of the whole fan-out
	throttled atomic.Int64 // of those, answered Throttling
}

// New returns the Rate of one fan-out. Close it when the fan-out returns.
func New(l Limits) *Rate {
	done, finish := context.WithCancel(context.Background())
	return &Rate{
		lim: rate.NewLimiter(rate.Limit(l.PerSecond), l.Burst), retries: l.Retries, backoff: l.Backoff,
		done: done, finish: finish,
	}
}

// Configure returns the config a fan-out's STS client is built from: cfg,
// with the limiter counting each HTTP attempt and an SDK retryer that
// leaves Throttling to the Rate's clients.
func (r *Rate) Configure(cfg aws.Config) aws.Config {
	cfg = cfg.Copy()
	cfg.APIOptions = append(slices.Clip(cfg.APIOptions), r.addWait)
	base := cfg.Retryer
	if base == nil {
		// What sts.NewFromConfig would pick for a config without a retryer.
		mode := cfg.RetryMode
		base = func() aws.Retryer {
			if mode == aws.RetryModeAdaptive {
				return retry.NewAdaptiveMode()
			}
			return retry.NewStandard()
		}
	}
	cfg.Retryer = func() aws.Retryer { return throttleNotRetried{asRetryerV2(base())} }
	return cfg
}

// Close ends the calls still in flight and waits for them; no call starts
// after it begins: one fails with ErrClosed.
func (r *Rate) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.finish()
	r.calls.Wait()
}

// Attempts returns the HTTP attempts of the whole fan-out so far.
func (r *Rate) Attempts() int { return int(r.attempts.Load()) }

// Throttled returns how many of the Attempts STS answered with Throttling.
func (r *Rate) Throttled() int { return int(r.throttled.Load()) }

// enter counts a call in; false when the rate is closed, and the call must
// not start. A call that entered calls r.calls.Done when it ends.
func (r *Rate) enter() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.calls.Add(1)
	return true
}

// waitID names the limiter's middleware in the SDK's stack.
const waitID = "xacct.FanOutSTSRate"

// addWait puts the limiter into a client's stack after the SDK's retry
// middleware, so that each HTTP attempt waits for it, and before signing,
// so that a request is signed when it leaves, not when it began waiting.
func (r *Rate) addWait(stack *middleware.Stack) error {
	if _, ok := stack.Finalize.Get(waitID); ok {
		return nil
	}
	mw := middleware.FinalizeMiddlewareFunc(waitID, r.wait)
	if _, ok := stack.Finalize.Get("Retry"); ok {
		return stack.Finalize.Insert(mw, "Retry", middleware.After)
	}
	return stack.Finalize.Add(mw, middleware.After)
}

// wait is the limiter's middleware: one HTTP attempt waits for the rate,
// and is counted, with its Throttling answer, into the fan-out's figures
// and the Stats of the account whose call it is.
func (r *Rate) wait(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
	middleware.FinalizeOutput, middleware.Metadata, error,
) {
	if err := r.lim.Wait(ctx); err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{},
			fmt.Errorf("waiting for the fan-out's STS rate (%g calls/s): %w", float64(r.lim.Limit()), err)
	}
	r.attempts.Add(1)
	st := statsFrom(ctx)
	if st != nil {
		st.attempts.Add(1)
	}
	out, md, err := next.HandleFinalize(ctx, in)
	if isThrottle(err) {
		r.throttled.Add(1)
		if st != nil {
			st.throttled.Add(1)
		}
	}
	return out, md, err
}
