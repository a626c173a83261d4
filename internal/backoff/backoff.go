// Package backoff computes delays between failed refresh attempts.
package backoff

import (
	"math/rand/v2"
	"time"
)

const (
	// Base is the delay after the first failure. Short, because a refresh
	// that fails inside the refresh window has minutes left to succeed.
	Base = 5 * time.Second
	// Max caps the delay, so that even after many failures an attempt is made
	// several times inside a ten-minute refresh window.
	Max = 2 * time.Minute
)

// Delay returns how long to wait after the n-th consecutive failure (n >= 1):
// exponential from Base to Max, with "equal jitter" (a random value between
// half the delay and the whole delay), so that processes that failed together
// do not retry together, and no retry comes sooner than half the nominal delay.
func Delay(n int) time.Duration {
	d := Max
	if n < 1 {
		n = 1
	}
	if n < 16 { // 5s << 15 is far beyond Max; avoid overflow beyond that
		d = min(Max, Base<<(n-1))
	}
	half := d / 2
	return half + rand.N(half+1)
}
