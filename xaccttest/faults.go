package xaccttest

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Fault makes the server misbehave, as STS sometimes does, for the calls it
// matches. A fault applies before authentication.
type Fault struct {
	Action string        // only calls of this action; empty: any call
	Delay  time.Duration // wait this long (real time) before answering, or before the fault
	// Code answers with this error code: Throttling, InternalFailure,
	// ServiceUnavailable, RegionDisabledException, ...
	Code string
	// Status is the HTTP status for Code; 0: STS's (Throttling 400,
	// InternalFailure 500, ServiceUnavailable 503, others 400).
	Status int
	Drop   bool // close the connection without an answer
	// Count limits the fault to the next Count matching calls; 0: every
	// matching call until ClearFaults.
	Count int
	// Probability, in (0, 1], makes each matching call fail by chance, from a
	// generator seeded with Seed, so runs repeat; 0: every matching call.
	Probability float64
	Seed        uint64
}

// faults is the list of injected faults.
type faults struct {
	mu   sync.Mutex    // guards list and each faultState in it
	list []*faultState // in the order added
}

type faultState struct {
	f    Fault
	left int // remaining calls when f.Count > 0
	rnd  *rand.Rand
}

// InjectFault adds a fault. Several faults apply in the order added; the
// first that fires decides the answer.
func (s *Server) InjectFault(f Fault) {
	st := &faultState{f: f, left: f.Count}
	if f.Probability > 0 {
		// The second word of the seed is fixed: one Seed, one sequence.
		st.rnd = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.list = append(s.faults.list, st)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.list = nil
}

// fire returns the first fault that fires for action, spending one of its
// calls, or nil.
func (fs *faults) fire(action string) *Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, st := range fs.list {
		if st.f.Action != "" && st.f.Action != action {
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
		return &f
	}
	return nil
}

// applyFaults delays, fails or drops the call if a fault fires.
func (s *Server) applyFaults(w http.ResponseWriter, r *http.Request, call *Call) *apiError {
	f := s.faults.fire(call.Action)
	if f == nil {
		return nil
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return withReason(errClientGone, "client gave up during an injected delay")
		}
	}
	if f.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return errDropped
			}
		}
		call.ErrorCode, call.Reason = errDropped.code, errDropped.reason
		panic(http.ErrAbortHandler) // HTTP/2 or no hijacking: abort the stream
	}
	if f.Code == "" {
		return nil // a pure delay
	}
	serr := &apiError{code: f.Code, message: "injected fault " + f.Code, reason: "injected fault"}
	if f.Code == errThrottled.code {
		serr = withReason(errThrottled, "injected fault")
	}
	serr.status = f.Status
	if serr.status == 0 {
		serr.status = faultStatus(f.Code)
	}
	return serr
}

// faultStatus is STS's HTTP status for an error code.
func faultStatus(code string) int {
	switch code {
	case "InternalFailure", "InternalError":
		return http.StatusInternalServerError
	case "ServiceUnavailable":
		return http.StatusServiceUnavailable
	case "RegionDisabledException", "AccessDenied":
		return http.StatusForbidden
	}
	return http.StatusBadRequest
}
