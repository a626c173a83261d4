package xaccttest

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestExpiredSessionsAreForgotten: the session table does not grow without
// bound, and an expired key says so (ExpiredToken) for expiredSessionMemory.
func TestExpiredSessionsAreForgotten(t *testing.T) {
	t.Parallel()
	srv := world(t)
	ctx := context.Background()
	jenkins := client(t, srv, "111111111111", "jenkins")
	longTerm := srv.sessionCount()
	var first *sts.Client
	for i := range 200 {
		out, err := assume(jenkins, crossRole, "ext-123", duration(900))
		must(t, err)
		if i == 0 {
			first = sessionClient(srv, out.Credentials)
		}
	}
	if got := srv.sessionCount() - longTerm; got != 200 {
		t.Fatalf("%d sessions held, want 200", got)
	}
	identity := func() string {
		_, err := first.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		c, _ := code(err)
		return c
	}

	// Just after expiry, and until expiredSessionMemory has passed: expired.
	srv.Clock.Advance(900 * time.Second)
	if c := identity(); c != "ExpiredToken" {
		t.Fatalf("at expiry: %q, want ExpiredToken", c)
	}
	srv.Clock.Advance(expiredSessionMemory - time.Second)
	_, err := assume(jenkins, crossRole, "ext-123", duration(900)) // sweeps
	must(t, err)
	if c := identity(); c != "ExpiredToken" {
		t.Fatalf("a second before it is forgotten: %q, want ExpiredToken", c)
	}
	if got := srv.sessionCount() - longTerm; got != 201 {
		t.Fatalf("%d sessions held before they are forgotten, want 201", got)
	}

	// Then issuing a session forgets them: the table holds the new ones only.
	srv.Clock.Advance(sweepEvery)
	_, err = assume(jenkins, crossRole, "ext-123", duration(900))
	must(t, err)
	if got := srv.sessionCount() - longTerm; got != 2 {
		t.Fatalf("%d sessions held after the sweep, want 2 (the two newest)", got)
	}
	if c := identity(); c != "InvalidClientTokenId" {
		t.Fatalf("a forgotten session: %q, want InvalidClientTokenId", c)
	}
	// Long-term keys are never forgotten.
	if _, err := jenkins.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("a long-term key after the sweep: %v", err)
	}
}

// sessionCount returns the number of keys the server knows.
func (s *Server) sessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.keys)
}
