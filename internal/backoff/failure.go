package backoff

import (
	"fmt"
	"time"
)

// Failure is an immutable snapshot of a cache's last failed fetch. Until
// RetryAt no fetch starts: callers with valid credentials keep them, and
// callers without get Err at once.
type Failure struct {
	Err     error     // the fetch's error, wrapped in an *Error that says when the next attempt is
	N       int       // consecutive failed fetches
	RetryAt time.Time // on the cache's clock
}

// BackingOff reports whether f holds fetches back at now; a nil f (the
// last fetch succeeded) never does.
func (f *Failure) BackingOff(now time.Time) bool {
	return f != nil && now.Before(f.RetryAt)
}

// Next returns the snapshot after f when one more fetch fails with err at
// now: Delay's exponential backoff with jitter, and at least minWait for
// an error that retrying cannot fix (retryable false).
func (f *Failure) Next(err error, now time.Time, retryable bool, minWait time.Duration) *Failure {
	n := 1
	if f != nil {
		n = f.N + 1
	}
	wait := Delay(n)
	if minWait > 0 && !retryable {
		wait = max(wait, minWait)
	}
	retryAt := now.Add(wait)
	return &Failure{Err: &Error{Err: err, Failures: n, RetryAt: retryAt}, N: n, RetryAt: retryAt}
}

// Error is what callers get at once while a cache with no valid
// credentials backs off after a failed fetch: that fetch's error, and when
// the next attempt is.
type Error struct {
	Err      error
	Failures int       // consecutive failed fetches
	RetryAt  time.Time // on the cache's clock
}

func (e *Error) Error() string {
	attempts := "attempts"
	if e.Failures == 1 {
		attempts = "attempt"
	}
	return fmt.Sprintf("%s [xacct: no new attempt before %s, backing off after %d failed %s; "+
		"Cache.Invalidate forces one]", text(e.Err), e.RetryAt.UTC().Format(time.RFC3339), e.Failures, attempts)
}

// Unwrap returns the fetch's error.
func (e *Error) Unwrap() error { return e.Err }

// GoString shows the wrapped error as its message, for %#v.
func (e *Error) GoString() string {
	return fmt.Sprintf("&xacct.backoffError{err:%q, failures:%d, retryAt:%q}",
		text(e.Err), e.Failures, e.RetryAt.UTC().Format(time.RFC3339))
}

func text(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
