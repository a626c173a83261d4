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
	Time            time.Time // on the server's Clock
	RequestID       string
	Action          string // AssumeRole, GetSessionToken, GetCallerIdentity
	AccessKeyID     string // the key that signed the request
	Caller          string // the caller's ARN; empty when authentication failed
	RoleARN         string
	RoleSessionName string
	ExternalID      string
	SerialNumber    string
	MFA             bool // a valid MFA code came with the call
	DurationSeconds int
	SourceIdentity  string
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
	if c.Allowed {
		b.WriteString(" => allowed")
	} else {
		fmt.Fprintf(&b, " => %s: %s", c.ErrorCode, c.Reason)
	}
	return b.String()
}

// callLog is the record of calls.
type callLog struct {
	mu     sync.Mutex // guards calls and onCall
	calls  []Call
	onCall func(Call)
}

// record adds a call to the record and passes it to the OnCall function.
func (s *Server) record(c *Call) {
	l := &s.calls
	l.mu.Lock()
	l.calls = append(l.calls, *c)
	fn := l.onCall
	l.mu.Unlock()
	if fn != nil {
		fn(*c)
	}
}

// Calls returns every call the server answered so far, oldest first.
func (s *Server) Calls() []Call {
	l := &s.calls
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Call(nil), l.calls...)
}

// CallCount returns how many calls of an action ("" for all) were made.
func (s *Server) CallCount(action string) int {
	l := &s.calls
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.calls {
		if action == "" || c.Action == action {
			n++
		}
	}
	return n
}

// OnCall sets a function called after every call with its record (the
// `xacct fake-sts` command logs them). It runs on the request's goroutine.
func (s *Server) OnCall(fn func(Call)) {
	l := &s.calls
	l.mu.Lock()
	defer l.mu.Unlock()
	l.onCall = fn
}
