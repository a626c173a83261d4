package xaccttest

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Call records one request, like a CloudTrail event: who called, what was
// asked, and whether it was allowed or why not. It holds no secrets: no
// secret keys, session tokens or MFA codes.
type Call struct {
	Time time.Time // on the server's Clock
	// Received is when the request came in, in real time (Time may be
	// simulated): for rates, see MaxCallsWithin.
	Received  time.Time
	RequestID string
	// Action is the STS action (AssumeRole, AssumeRoleWithWebIdentity,
	// GetSessionToken, GetCallerIdentity) or Organizations operation
	// (ListAccounts, ListAccountsForParent, ListOrganizationalUnitsForParent,
	// ListRoots), or IAM Identity Center operation (RegisterClient,
	// StartDeviceAuthorization, CreateToken, Authorize, GetRoleCredentials,
	// ListAccounts, ListAccountRoles, Logout).
	Action      string
	AccessKeyID string // the key that signed the request
	// Caller is the caller's ARN, empty when authentication failed; for
	// AssumeRoleWithWebIdentity, the OIDC provider's ARN once the token is
	// verified.
	Caller          string
	RoleARN         string
	RoleSessionName string
	ExternalID      string
	SerialNumber    string
	MFA             bool // a valid MFA code came with the call
	DurationSeconds int
	SourceIdentity  string
	Subject         string // AssumeRoleWithWebIdentity: the token's sub, once verified
	Allowed         bool
	ErrorCode       string // STS's error code when not allowed
	Reason          string // why it was refused, in the fake's words (more than STS tells)
}

// String formats the call as one log line.
func (c Call) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", c.Time.UTC().Format(time.RFC3339), c.Action)
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, " %s=%s", k, v)
		}
	}
	field("caller", c.Caller)
	if c.Caller == "" {
		field("key", c.AccessKeyID)
	}
	field("role", c.RoleARN)
	field("session", c.RoleSessionName)
	field("external_id", c.ExternalID)
	field("serial", c.SerialNumber)
	if c.MFA {
		b.WriteString(" mfa=ok")
	}
	if c.DurationSeconds != 0 {
		fmt.Fprintf(&b, " duration=%ds", c.DurationSeconds)
	}
	field("source_identity", c.SourceIdentity)
	field("subject", c.Subject)
	if c.Allowed {
		b.WriteString(" => allowed")
	} else {
		fmt.Fprintf(&b, " => %s: %s", c.ErrorCode, c.Reason)
	}
	return b.String()
}

// DefaultCallLimit is how many calls a server keeps in its record until
// SetCallLimit says otherwise: about 5 MB of calls.
const DefaultCallLimit = 10_000

// callLog is the record of calls: the newest ones whole, and counts of all.
type callLog struct {
	// mu guards ring, next, limit, total, byAction and onCall.
	mu       sync.Mutex
	ring     []Call // the newest calls; a circular buffer once full
	next     int    // where the next call goes once ring is full
	limit    int    // how many calls ring keeps
	total    int    // every call ever recorded
	byAction map[string]int
	onCall   func(Call)
}

// record adds a call to the record and passes it to the OnCall function.
func (s *Server) record(c *Call) {
	l := &s.calls
	l.mu.Lock()
	if len(l.ring) < l.limit {
		l.ring = append(l.ring, *c)
	} else {
		l.ring[l.next] = *c
		l.next = (l.next + 1) % l.limit
	}
	l.total++
	if l.byAction == nil {
		l.byAction = map[string]int{}
	}
	l.byAction[c.Action]++
	fn := l.onCall
	l.mu.Unlock()
	if fn != nil {
		fn(*c)
	}
}

// Calls returns the calls in the record, oldest first: every call the
// server answered, or, past the call limit (DefaultCallLimit), the newest
// ones. Dropped says how many older calls were let go.
func (s *Server) Calls() []Call {
	l := &s.calls
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Call, 0, len(l.ring))
	out = append(out, l.ring[l.next:]...)
	return append(out, l.ring[:l.next]...)
}

// CallCount returns how many calls of an action ("" for all) were made.
// It counts every call since the start, also those Calls no longer holds.
func (s *Server) CallCount(action string) int {
	l := &s.calls
	l.mu.Lock()
	defer l.mu.Unlock()
	if action == "" {
		return l.total
	}
	return l.byAction[action]
}

// Dropped returns how many calls the record let go to stay within the call
// limit: CallCount("") - len(Calls()).
func (s *Server) Dropped() int {
	l := &s.calls
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total - len(l.ring)
}

// SetCallLimit sets how many calls the record keeps (the newest); n < 1
// restores DefaultCallLimit. A server left running keeps its memory bounded
// this way; counts (CallCount) are exact whatever the limit.
func (s *Server) SetCallLimit(n int) {
	if n < 1 {
		n = DefaultCallLimit
	}
	l := &s.calls
	l.mu.Lock()
	defer l.mu.Unlock()
	calls := make([]Call, 0, len(l.ring))
	calls = append(calls, l.ring[l.next:]...)
	calls = append(calls, l.ring[:l.next]...)
	if len(calls) > n {
		calls = append([]Call(nil), calls[len(calls)-n:]...) // oldest first, so next = 0
	}
	l.ring, l.next, l.limit = calls, 0, n
}

// OnCall sets a function called after every call with its record (the
// `xacct fake-sts` command logs them). It runs on the request's goroutine.
func (s *Server) OnCall(fn func(Call)) {
	l := &s.calls
	l.mu.Lock()
	defer l.mu.Unlock()
	l.onCall = fn
}
