package stsrate

// The Throttling retry: the Rate's, with jittered exponential backoff, and
// the SDK retryer that leaves Throttling to it.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// ErrClosed is the error of an STS call made with the cfg of an account
// after its fan-out returned (after Rate.Close).
var ErrClosed = errors.New("the fan-out has returned: the aws.Config that FanOut gives fn " +
	"is valid only while fn runs")

// call makes one STS call, retrying Throttling answers with jittered
// exponential backoff. It ends when ctx does or when the fan-out returns.
// Its attempts are counted into st.
func call[T any](ctx context.Context, r *Rate, st *Stats, do func(context.Context) (T, error)) (T, error) {
	var zero T
	if !r.enter() {
		return zero, ErrClosed
	}
	defer r.calls.Done()
	ctx, cancel := context.WithCancelCause(context.WithValue(ctx, statsKey{}, st))
	defer cancel(nil)
	stop := context.AfterFunc(r.done, func() { cancel(ErrClosed) })
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
