package xaccttest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xacct/xacct/internal/testutil"
)

// TestCallRecordIsBounded: a server left running keeps the newest calls
// only, and counts every call exactly, from many goroutines.
func TestCallRecordIsBounded(t *testing.T) {
	t.Parallel()
	srv := world(t)
	srv.SetCallLimit(100)
	c := keyClient(srv, jenkinsKey, jenkinsSecret, "")
	bad := keyClient(srv, jenkinsKey, "wrong", "")
	const goroutines, each = 20, 25 // 500 calls, 250 of each kind
	testutil.Parallel(goroutines, func(g int) {
		for range each {
			if g%2 == 0 {
				c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
			} else {
				bad.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
			}
		}
	})
	calls := srv.Calls()
	if len(calls) != 100 || srv.Dropped() != 400 || srv.CallCount("") != 500 || srv.CallCount("GetCallerIdentity") != 500 {
		t.Fatalf("kept %d calls, dropped %d, counted %d (GetCallerIdentity %d); want 100, 400, 500, 500",
			len(calls), srv.Dropped(), srv.CallCount(""), srv.CallCount("GetCallerIdentity"))
	}
	seen := map[string]bool{}
	for _, c := range calls {
		if seen[c.RequestID] {
			t.Fatalf("call %s kept twice", c.RequestID)
		}
		seen[c.RequestID] = true
	}
	// The newest call is the last one made.
	last := lastCall(t, srv)
	if _, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if now := lastCall(t, srv); now.RequestID <= last.RequestID || len(srv.Calls()) != 100 {
		t.Errorf("after one more call: newest %s (was %s), %d kept", now.RequestID, last.RequestID, len(srv.Calls()))
	}
	// A smaller limit keeps the newest; a larger one keeps what there is.
	srv.SetCallLimit(10)
	if got := srv.Calls(); len(got) != 10 || got[9].RequestID != lastCall(t, srv).RequestID || srv.Dropped() != 491 {
		t.Errorf("after SetCallLimit(10): %d calls, dropped %d", len(got), srv.Dropped())
	}
	srv.SetCallLimit(0)
	c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if got := srv.Calls(); len(got) != 11 || srv.CallCount("") != 502 {
		t.Errorf("after SetCallLimit(0) (the default) and one call: %d calls, %d counted", len(got), srv.CallCount(""))
	}
}
