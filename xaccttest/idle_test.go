package xaccttest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xacct/xacct/internal/testutil"
)

func TestWaitIdle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("waits at least quiet", func(t *testing.T) {
		t.Parallel()
		srv := world(t)
		start := time.Now()
		must(t, srv.WaitIdle(ctx, 20*time.Millisecond))
		if d := time.Since(start); d < 20*time.Millisecond {
			t.Fatalf("returned after %v, before the quiet time", d)
		}
	})

	t.Run("waits for requests in progress and those that arrive within quiet", func(t *testing.T) {
		t.Parallel()
		srv := world(t)
		srv.InjectFault(Fault{Delay: 30 * time.Millisecond})
		c := keyClient(srv, jenkinsKey, jenkinsSecret, "")
		const n = 50
		done := make(chan struct{})
		go func() {
			defer close(done)
			testutil.Parallel(n, func(int) { c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}) })
		}()
		// Some requests are under way, some not yet sent: a quiet time of
		// 200ms covers the gap between a goroutine's start and its request.
		must(t, srv.WaitIdle(ctx, 200*time.Millisecond))
		if got := srv.CallCount("GetCallerIdentity"); got != n {
			t.Errorf("WaitIdle returned with %d of %d calls answered", got, n)
		}
		<-done
	})

	t.Run("a server never quiet returns the context's error", func(t *testing.T) {
		t.Parallel()
		srv := world(t)
		srv.InjectFault(Fault{Delay: 2 * time.Second})
		c := keyClient(srv, jenkinsKey, jenkinsSecret, "")
		reqCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		done := make(chan struct{})
		go func() {
			defer close(done)
			c.GetCallerIdentity(reqCtx, &sts.GetCallerIdentityInput{})
		}()
		for srv.active.busy() == 0 {
			time.Sleep(time.Millisecond)
		}
		waitCtx, stop := context.WithTimeout(ctx, 50*time.Millisecond)
		defer stop()
		if err := srv.WaitIdle(waitCtx, time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("WaitIdle with a request in progress = %v, want the context's deadline", err)
		}
		cancel()
		<-done
	})
}

// busy returns the number of requests in progress.
func (a *activity) busy() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.inflight
}
