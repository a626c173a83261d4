package xacct

// One STS rate for a whole fan-out. STS throttles per account and region
// (its quota cannot be raised), so a fleet of hops that each call STS on
// their own schedule overruns it as soon as enough accounts start or
// refresh together. Every HTTP attempt of every hop of a fan-out waits here
// first, and Throttling answers are retried here, so that a hop's cache
// sees a failure only when the retries are spent.
//
// Two retry loops meet in a fan-out's STS client:
//
//	the SDK's retryer   retries transient errors (5xx, resets, timeouts) as
//	                    configured in cfg, but no longer Throttling: its
//	                    backoff (up to 20s) and its client-side retry quota
//	                    are shared by every account of the client, and 100
//	                    throttled retries would empty that quota and fail
//	                    healthy accounts with "retry quota exceeded".
//	stsRate.call        retries Throttling with jittered exponential backoff,
//	                    up to FanOutOptions.ThrottleRetries times.
//
// The limiter sits inside the SDK's retry loop (a Finalize middleware after
// "Retry"), so it counts every HTTP attempt, retries of either loop alike:
// the rate STS sees is never above FanOutOptions.STSRate (plus its burst).

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"
)

// stsRate is the shared limiter and throttle retry of one fan-out.
type stsRate struct {
	lim     *rate.Limiter
	retries int           // Throttling answers retried per call
	backoff time.Duration // first delay after a Throttling answer

	// done ends every call in flight when the fan-out returns: no
	// goroutine of a fan-out outlives it, and the cfg given to fn works
	// only while fn runs.
	done   context.Context
	finish context.CancelFunc

	// A call may start at any time, a hop's background refresh included,
	// even while close waits: a WaitGroup's Add must not race its Wait
	// when the count is zero, so a call counts itself in under mu, and
	// only while the rate is not closed.
	mu     sync.Mutex     // guards closed, and calls.Add against close
	closed bool           // close has begun: no call starts
	calls  sync.WaitGroup // calls in flight, for close to wait on

	attempts  atomic.Int64 // HTTP attempts of the whole fan-out
	throttled atomic.Int64 // of those, answered Throttling
}

func newSTSRate(perSecond float64, burst, retries int, backoff time.Duration) *stsRate {
	done, finish := context.WithCancel(context.Background())
	return &stsRate{
		lim: rate.NewLimiter(rate.Limit(perSecond), burst), retries: retries, backoff: backoff,
		done: done, finish: finish,
	}
}

// close ends the calls still in flight and waits for them; no call
// starts after it begins.
func (r *stsRate) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.finish()
	r.calls.Wait()
}

// enter counts a call in; false when the rate is closed, and the call
// must not start. A call that entered calls r.calls.Done when it ends.
func (r *stsRate) enter() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.calls.Add(1)
	return true
}

// configure returns the config a fan-out's STS client is built from: cfg,
// with the limiter counting each HTTP attempt and an SDK retryer that
// leaves Throttling to stsRate.call.
func (r *stsRate) configure(cfg aws.Config) aws.Config {
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

// rateWaitID names the limiter's middleware in the SDK's stack.
const rateWaitID = "xacct.FanOutSTSRate"

// addWait puts the limiter into a client's stack after the SDK's retry
// middleware, so that each HTTP attempt waits for it, and before signing,
// so that a request is signed when it leaves, not when it began waiting.
func (r *stsRate) addWait(stack *middleware.Stack) error {
	if _, ok := stack.Finalize.Get(rateWaitID); ok {
		return nil
	}
	mw := middleware.FinalizeMiddlewareFunc(rateWaitID, func(ctx context.Context, in middleware.FinalizeInput,
		next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
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
	})
	if _, ok := stack.Finalize.Get("Retry"); ok {
		return stack.Finalize.Insert(mw, "Retry", middleware.After)
	}
	return stack.Finalize.Add(mw, middleware.After)
}

// isThrottle reports whether err is an answer that asks the caller to slow
// down (Throttling, RequestLimitExceeded, TooManyRequestsException, ...), by
// the SDK's own list of codes.
func isThrottle(err error) bool {
	if err == nil {
		return false
	}
	return retry.ThrottleErrorCode{Codes: retry.DefaultThrottleErrorCodes}.IsErrorThrottle(err).Bool()
}

// throttleNotRetried is the SDK's retryer for everything but Throttling.
type throttleNotRetried struct{ aws.RetryerV2 }

func (t throttleNotRetried) IsErrorRetryable(err error) bool {
	return !isThrottle(err) && t.RetryerV2.IsErrorRetryable(err)
}

// asRetryerV2 adapts a retryer of the older interface, as the SDK does.
func asRetryerV2(r aws.Retryer) aws.RetryerV2 {
	if v2, ok := r.(aws.RetryerV2); ok {
		return v2
	}
	return retryerV1{r}
}

type retryerV1 struct{ aws.Retryer }

func (r retryerV1) GetAttemptToken(context.Context) (func(error) error, error) {
	return r.GetInitialToken(), nil
}

// accountStats counts the STS traffic of one account of a fan-out.
type accountStats struct {
	attempts  atomic.Int64 // HTTP attempts
	throttled atomic.Int64 // of those, answered Throttling
	sessions  atomic.Int64 // successful AssumeRole calls
}

type statsKey struct{}

func statsFrom(ctx context.Context) *accountStats {
	st, _ := ctx.Value(statsKey{}).(*accountStats)
	return st
}

// rateClient is the STS client of one account's hop: the fan-out's shared
// client, behind the throttle retry, counting into the account's stats.
type rateClient struct {
	inner STSClient
	rate  *stsRate
	stats *accountStats
}

func (c *rateClient) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (
	*sts.AssumeRoleOutput, error,
) {
	out, err := call(ctx, c, func(ctx context.Context) (*sts.AssumeRoleOutput, error) {
		return c.inner.AssumeRole(ctx, in, optFns...)
	})
	if err == nil {
		c.stats.sessions.Add(1)
	}
	return out, err
}

func (c *rateClient) GetSessionToken(ctx context.Context, in *sts.GetSessionTokenInput, optFns ...func(*sts.Options)) (
	*sts.GetSessionTokenOutput, error,
) {
	return call(ctx, c, func(ctx context.Context) (*sts.GetSessionTokenOutput, error) {
		return c.inner.GetSessionToken(ctx, in, optFns...)
	})
}

// errFanOutEnded is the error of an STS call made with the cfg of an
// account after its fan-out returned.
var errFanOutEnded = errors.New("the fan-out has returned: the aws.Config that FanOut gives fn " +
	"is valid only while fn runs")

// call makes one STS call, retrying Throttling answers with jittered
// exponential backoff. It ends when ctx does or when the fan-out returns.
func call[T any](ctx context.Context, c *rateClient, do func(context.Context) (T, error)) (T, error) {
	var zero T
	r := c.rate
	if !r.enter() {
		return zero, errFanOutEnded
	}
	defer r.calls.Done()
	ctx, cancel := context.WithCancelCause(context.WithValue(ctx, statsKey{}, c.stats))
	defer cancel(nil)
	stop := context.AfterFunc(r.done, func() { cancel(errFanOutEnded) })
	defer stop()

	for n := 1; ; n++ {
		out, err := do(ctx)
		if !isThrottle(err) {
			return out, err
		}
		if n > r.retries {
			return zero, &throttledError{err: err, attempts: n, rate: float64(r.lim.Limit())}
		}
		t := time.NewTimer(throttleDelay(r.backoff, n))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return zero, fmt.Errorf("retrying after Throttling: %w (last answer: %w)", context.Cause(ctx), err)
		}
	}
}

// maxThrottleDoublings caps the backoff at backoff<<5: 250ms grows to 8s.
const maxThrottleDoublings = 5

// throttleDelay is the wait after the n-th Throttling answer (n >= 1):
// exponential from base, capped, with equal jitter (half fixed, half
// random), so that accounts throttled together do not retry together.
func throttleDelay(base time.Duration, n int) time.Duration {
	d := base << min(n-1, maxThrottleDoublings)
	half := d / 2
	return half + rand.N(half+1)
}

// throttledError is the error of a call that STS throttled on every
// attempt. It wraps STS's last answer, so errors.As finds its code.
type throttledError struct {
	err      error
	attempts int
	rate     float64
}

func (e *throttledError) Error() string {
	return fmt.Sprintf("STS throttled all %d attempts, at a fan-out rate of %g calls/s: "+
		"other callers in this account share STS's quota; lower FanOutOptions.STSRate or raise ThrottleRetries: %v",
		e.attempts, e.rate, e.err)
}

func (e *throttledError) Unwrap() error { return e.err }
