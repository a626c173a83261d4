// Package fakeclock is the one settable clock of the module's tests and of
// the fake STS: xaccttest.Clock is this Clock, and the root package's own
// tests, which cannot import xaccttest (it imports the root), use it
// directly. It depends on nothing of the module.
package fakeclock

import (
	"sync"
	"time"
)

// Clock is a settable time. It runs in one of two modes:
//
//   - frozen (New): it reads the time it was given and moves only when
//     told to (Advance, Set). Go tests use it to step through hours of
//     simulated time in microseconds; xaccttest.NewServer starts one.
//   - real (NewReal): it follows the real time plus an offset. Advance
//     adds to the offset and Set sets it, so the clock then runs on from the
//     time set. `xacct fake-sts` uses it, as real STS runs on real time.
//
// The zero value is not usable. A Clock is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex    // guards t, real and offset
	t      time.Time     // the time of a frozen clock
	real   bool          // follows time.Now
	offset time.Duration // added to time.Now when real
}

// New returns a frozen clock that reads t until moved.
func New(t time.Time) *Clock { return &Clock{t: t} }

// NewReal returns a clock that follows the real time, with no offset.
func NewReal() *Clock { return &Clock{real: true} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.real {
		// Round(0) drops the monotonic reading: with an offset it would
		// describe a moment other than the wall time shown.
		return time.Now().Add(c.offset).Round(0)
	}
	return c.t
}

// Advance moves the clock forward by d (backward when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.real {
		c.offset += d
		return
	}
	c.t = c.t.Add(d)
}

// Set moves the clock to t. A real clock runs on from t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.real {
		c.offset = time.Until(t)
		return
	}
	c.t = t
}

// Offset returns how far a real clock is ahead of the real time (negative
// when behind); for a frozen clock, how far its time is from the real time.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.real {
		return c.offset
	}
	return time.Until(c.t)
}

// Real reports whether the clock follows the real time.
func (c *Clock) Real() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.real
}
