package xaccttest

import (
	"math"
	"sync"

	"golang.org/x/time/rate"
)

// throttle limits each caller account's request rate, in real time, as
// STS and Organizations do.
type throttle struct {
	mu       sync.Mutex // guards limit, burst and limiters
	limit    rate.Limit // 0: no throttling
	burst    int
	limiters map[string]*rate.Limiter // by caller account, made on first call
}

// SetThrottle makes the server throttle each caller account to perRate
// requests a second on average, with bursts of up to burst, in real time (a
// token bucket per account): a call beyond that gets Throttling ("Rate
// exceeded", HTTP 400), or TooManyRequestsException from Organizations.
// perRate <= 0 turns throttling off; burst < 1 means the ceiling of perRate.
// With SetThrottle(50, 50), an account that fires 80 calls at once gets 50
// answers and 30 Throttling errors, and then one more answer each 20ms.
//
// The caller account is the account of the signing key; for the unsigned
// AssumeRoleWithWebIdentity, the role's account. Calls that fail before
// the account is known (bad input, unknown keys) are not throttled.
// Settings apply to new callers and to accounts already seen alike.
func (s *Server) SetThrottle(perRate float64, burst int) {
	t := &s.throttle
	t.mu.Lock()
	defer t.mu.Unlock()
	if perRate <= 0 {
		t.limit, t.burst, t.limiters = 0, 0, nil
		return
	}
	if burst < 1 {
		burst = int(math.Ceil(perRate))
	}
	t.limit, t.burst, t.limiters = rate.Limit(perRate), burst, map[string]*rate.Limiter{}
}

// allow reports whether the account may make a call now, spending a token.
func (t *throttle) allow(account string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.limit == 0 {
		return true
	}
	l, ok := t.limiters[account]
	if !ok {
		l = rate.NewLimiter(t.limit, t.burst)
		t.limiters[account] = l
	}
	return l.Allow()
}

// throttled returns e, the service's error for it, when the account is over
// its rate: errThrottled for STS, errOrgThrottled for Organizations.
func (s *Server) throttled(account string, e *apiError) *apiError {
	if s.throttle.allow(account) {
		return nil
	}
	return withReason(e, "account %s is over its rate (SetThrottle)", account)
}
