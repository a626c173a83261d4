package xaccttest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
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

func (s *Server) record(c Call) {
	s.mu.Lock()
	s.calls = append(s.calls, c)
	fn := s.onCall
	s.mu.Unlock()
	if fn != nil {
		fn(c)
	}
}

// Fault makes the server misbehave, as STS sometimes does, for the calls it
// matches. A fault applies before authentication.
type Fault struct {
	Action string        // only calls of this action; empty: any call
	Delay  time.Duration // wait this long (real time) before answering, or before the fault
	Code   string        // answer with this STS error code: Throttling, InternalFailure, ServiceUnavailable, RegionDisabledException, ...
	Status int           // HTTP status for Code; 0: STS's (Throttling 400, InternalFailure 500, ServiceUnavailable 503, others 400)
	Drop   bool          // close the connection without an answer
	// Count limits the fault to the next Count matching calls; 0: every
	// matching call until ClearFaults.
	Count int
	// Probability, in (0, 1], makes each matching call fail by chance, from a
	// generator seeded with Seed, so runs repeat; 0: every matching call.
	Probability float64
	Seed        uint64
}

type faultState struct {
	f    Fault
	left int // remaining calls when f.Count > 0
	rnd  *rand.Rand
}

// InjectFault adds a fault. Several faults apply in the order added; the
// first that fires decides the answer.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &faultState{f: f, left: f.Count}
	if f.Probability > 0 {
		st.rnd = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
	}
	s.faults = append(s.faults, st)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

var errDropped = &stsError{status: 0, code: "ConnectionDropped", message: "connection dropped by an injected fault"}

// applyFaults delays, fails or drops the call if a fault fires.
func (s *Server) applyFaults(w http.ResponseWriter, r *http.Request, call *Call) *stsError {
	s.mu.Lock()
	var fired *Fault
	for _, st := range s.faults {
		if st.f.Action != "" && st.f.Action != call.Action {
			continue
		}
		if st.f.Count > 0 && st.left == 0 {
			continue
		}
		if st.rnd != nil && st.rnd.Float64() >= st.f.Probability {
			continue
		}
		if st.f.Count > 0 {
			st.left--
		}
		f := st.f
		fired = &f
		break
	}
	s.mu.Unlock()
	if fired == nil {
		return nil
	}
	if fired.Delay > 0 {
		t := time.NewTimer(fired.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return &stsError{status: 499, code: "RequestCanceled", message: "the client went away", reason: "client gave up during an injected delay"}
		}
	}
	if fired.Drop {
		call.ErrorCode, call.Reason = errDropped.code, "injected fault: connection dropped"
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return errDropped
			}
		}
		panic(http.ErrAbortHandler) // HTTP/2 or no hijacking: abort the stream
	}
	if fired.Code == "" {
		return nil // a pure delay
	}
	status := fired.Status
	if status == 0 {
		switch fired.Code {
		case "InternalFailure", "InternalError":
			status = 500
		case "ServiceUnavailable":
			status = 503
		case "RegionDisabledException", "AccessDenied":
			status = 403
		default:
			status = 400
		}
	}
	msg := "Rate exceeded"
	if fired.Code != "Throttling" {
		msg = "injected fault " + fired.Code
	}
	return &stsError{status: status, code: fired.Code, message: msg, reason: "injected fault"}
}
