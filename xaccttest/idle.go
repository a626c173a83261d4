package xaccttest

import (
	"context"
	"sync"
	"time"
)

// activity counts the requests in progress, so that WaitIdle can tell when
// the server has been quiet.
type activity struct {
	mu       sync.Mutex    // guards inflight, lastDone and changed
	inflight int           // requests in ServeHTTP now
	lastDone time.Time     // real time the last request ended
	changed  chan struct{} // closed and replaced whenever inflight changes
}

func newActivity() *activity { return &activity{changed: make(chan struct{})} }

// begin marks a request as started; the function it returns marks it done.
func (a *activity) begin() func() {
	a.mu.Lock()
	a.inflight++
	a.signal()
	a.mu.Unlock()
	return func() {
		a.mu.Lock()
		a.inflight--
		a.lastDone = time.Now()
		a.signal()
		a.mu.Unlock()
	}
}

// signal wakes the waiters. a.mu must be held.
func (a *activity) signal() {
	close(a.changed)
	a.changed = make(chan struct{})
}

// WaitIdle returns once no request has been in progress for quiet, of real
// time, counted from the end of the last request or from the call of
// WaitIdle, whichever is later; so it always waits at least quiet. It
// returns ctx's error if ctx ends first (a server that is never quiet for
// that long).
//
// Use it after reading credentials from an xacct cache and before moving
// the simulated Clock: a background refresh started by the read is a
// request that reaches the server a little later, and moving the Clock
// under it would make the test depend on the scheduler. With quiet = 5ms: a
// refresh that arrives 2ms after the call and takes 1ms to answer makes
// WaitIdle return at about 8ms; with no refresh it returns at 5ms. Choose
// quiet longer than the gap between a read and the request it starts
// (a few milliseconds on a loaded machine; more under the race detector).
func (s *Server) WaitIdle(ctx context.Context, quiet time.Duration) error {
	a := s.active
	start := time.Now()
	for {
		a.mu.Lock()
		busy, changed := a.inflight > 0, a.changed
		since := start
		if a.lastDone.After(since) {
			since = a.lastDone
		}
		a.mu.Unlock()
		if busy {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-changed:
			}
			continue
		}
		left := quiet - time.Since(since)
		if left <= 0 {
			return nil
		}
		t := time.NewTimer(left)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-changed:
			t.Stop()
		case <-t.C:
		}
	}
}
