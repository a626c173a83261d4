package xaccttest

import (
	"time"

	"github.com/xacct/xacct/internal/fakeclock"
)

// Clock is the server's time. It runs in one of two modes:
//
//   - frozen (NewClock): it reads the time it was given and moves only when
//     told to (Advance, Set). Go tests use it to step through hours of
//     simulated time in microseconds; NewServer starts one.
//   - real (NewRealClock): it follows the real time plus an offset. Advance
//     adds to the offset and Set sets it, so the clock then runs on from the
//     time set. `xacct fake-sts` uses it, as real STS runs on real time.
//
// Its methods (go doc lists them under fakeclock.Clock):
//
//	Now() time.Time            the clock's time
//	Advance(d time.Duration)   moves it by d (back when d is negative)
//	Set(t time.Time)           moves it to t; a real clock runs on from t
//	Offset() time.Duration     how far it is ahead of the real time (negative when behind)
//	Real() bool                whether it follows the real time
//
// The zero value is not usable. A Clock is safe for concurrent use.
//
// Clock is an alias of the module's one fake clock, which lives in an
// internal package so that the library's own tests, which cannot import
// xaccttest (it imports the library), use the same type.
type Clock = fakeclock.Clock

// NewClock returns a frozen clock that reads t until moved.
func NewClock(t time.Time) *Clock { return fakeclock.New(t) }

// NewRealClock returns a clock that follows the real time, with no offset.
func NewRealClock() *Clock { return fakeclock.NewReal() }
