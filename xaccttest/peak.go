package xaccttest

import (
	"slices"
	"sync"
	"time"
)

// peakRate finds the most requests received in any one second, sliding,
// over the server's life: it keeps the receive times of the last second
// only, so its memory is bounded by the peak itself.
type peakRate struct {
	mu     sync.Mutex  // guards recent and peak
	recent []time.Time // receive times within one second of the newest
	peak   int
}

// observe records a request received at t (real time, monotonic), and
// returns t. Times are taken under the lock, so that they are in order.
func (p *peakRate) observe() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := time.Now()
	cut := 0
	for cut < len(p.recent) && t.Sub(p.recent[cut]) >= time.Second {
		cut++
	}
	p.recent = append(p.recent[cut:], t)
	p.peak = max(p.peak, len(p.recent))
	return t
}

// MaxCallsPerSecond returns the most calls the server received within any
// one second of real time since it started: a sliding window, not calendar
// seconds, counting every call however it was answered (throttled ones
// too). It is exact and never forgets, whatever the call limit: the fake
// keeps the receive times of the last second only.
func (s *Server) MaxCallsPerSecond() int {
	p := &s.peak
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peak
}

// MaxCallsWithin returns the most calls of calls (such as Server.Calls)
// received within any window of real time, by their Received times: the
// peak rate over windows other than a second. It sees only the calls given,
// so past the call limit only the newest (SetCallLimit).
func MaxCallsWithin(calls []Call, window time.Duration) int {
	times := make([]time.Time, 0, len(calls))
	for _, c := range calls {
		if !c.Received.IsZero() {
			times = append(times, c.Received)
		}
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	most, lo := 0, 0
	for hi, t := range times {
		for t.Sub(times[lo]) >= window {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	return most
}
