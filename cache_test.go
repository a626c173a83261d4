package xacct

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/xacct/xacct/internal/backoff"
)

func TestCacheFreshIsServedWithoutCallsOrAllocations(t *testing.T) {
	clk := newClock()
	p := expiring(clk, time.Hour)
	c := NewCache(p, withClock(clk))
	ctx := context.Background()
	first, err := c.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		got, err := c.Retrieve(ctx)
		if err != nil || got.AccessKeyID != first.AccessKeyID {
			t.Fatalf("Retrieve = %v, %v", got.AccessKeyID, err)
		}
	})
	if allocs != 0 {
		t.Errorf("fresh Retrieve allocates %v times per call, want 0", allocs)
	}
	if n := p.calls.Load(); n != 1 {
		t.Errorf("provider called %d times, want 1", n)
	}
}

func TestCacheColdStartMakesOneCallForManyGoroutines(t *testing.T) {
	t.Parallel()
	clk := newClock()
	release := make(chan struct{})
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		<-release
		return creds(n, clk.Now().Add(time.Hour)), nil
	}}
	c := NewCache(p, withClock(clk))
	var got atomic.Int32
	go func() {
		eventually(t, "first call", func() bool { return p.calls.Load() == 1 })
		time.Sleep(20 * time.Millisecond) // let the rest pile up behind it
		close(release)
	}()
	parallel(500, func(int) {
		cr, err := c.Retrieve(context.Background())
		if err == nil && cr.AccessKeyID == "AKID1" {
			got.Add(1)
		}
	})
	if n := p.calls.Load(); n != 1 {
		t.Errorf("provider called %d times for 500 concurrent cold callers, want 1", n)
	}
	if got.Load() != 500 {
		t.Errorf("%d of 500 callers got the credentials", got.Load())
	}
}

func TestCacheCanceledCallerStopsWaitingAndFetchGoesOn(t *testing.T) {
	t.Parallel()
	clk := newClock()
	release := make(chan struct{})
	var fetchCtxErr atomic.Value
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		<-release
		fetchCtxErr.Store(fmt.Sprint(ctx.Err()))
		return creds(n, clk.Now().Add(time.Hour)), nil
	}}
	c := NewCache(p, withClock(clk))

	ctx, cancel := context.WithCancel(context.Background())
	firstErr := make(chan error)
	go func() { _, err := c.Retrieve(ctx); firstErr <- err }()
	eventually(t, "first call", func() bool { return p.calls.Load() == 1 })

	second := make(chan aws.Credentials)
	go func() { cr, _ := c.Retrieve(context.Background()); second <- cr }()

	cancel()
	select {
	case err := <-firstErr:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("canceled caller got %v, want context.Canceled", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("canceled caller still waiting")
	}
	close(release)
	if cr := <-second; cr.AccessKeyID != "AKID1" {
		t.Fatalf("second caller got %q, want the shared fetch's AKID1", cr.AccessKeyID)
	}
	if e := fetchCtxErr.Load(); e != "<nil>" {
		t.Errorf("the fetch's context ended with the first caller's: %v", e)
	}
	if n := p.calls.Load(); n != 1 {
		t.Errorf("provider called %d times, want 1", n)
	}
}

func TestCacheFetchHasItsOwnTimeout(t *testing.T) {
	t.Parallel()
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		<-ctx.Done()
		return aws.Credentials{}, ctx.Err()
	}}
	c := NewCache(p, func(o *Options) { o.RefreshTimeout = 20 * time.Millisecond })
	_, err := c.Retrieve(context.Background()) // no deadline of its own
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Retrieve = %v, want the refresh timeout's DeadlineExceeded", err)
	}
}

func TestCacheStaleServesCachedAndRefreshesOnceInBackground(t *testing.T) {
	t.Parallel()
	clk := newClock()
	release := make(chan struct{})
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		if n > 1 {
			<-release
		}
		return creds(n, clk.Now().Add(time.Hour)), nil
	}}
	c := NewCache(p, withClock(clk), noJitter)
	if _, err := c.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(51 * time.Minute) // inside the 10-minute refresh window of 1h credentials

	parallel(300, func(int) {
		cr, err := c.Retrieve(context.Background())
		if err != nil || cr.AccessKeyID != "AKID1" {
			t.Errorf("stale Retrieve = %q, %v; want the cached AKID1 at once", cr.AccessKeyID, err)
		}
	})
	eventually(t, "the background refresh's call", func() bool { return p.calls.Load() >= 2 })
	close(release)
	eventually(t, "background refresh", func() bool {
		cr, _ := c.Retrieve(context.Background())
		return cr.AccessKeyID == "AKID2"
	})
	if n := p.calls.Load(); n != 2 {
		t.Errorf("provider called %d times, want 2", n)
	}
}

func TestCacheWindows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		life         time.Duration
		opts         func(*Options)
		refresh, blk time.Duration // before expiry
		jitterAtMost time.Duration
	}{
		{"1h credentials: refresh 10m before, block 1m before", time.Hour, noJitter, 10 * time.Minute, time.Minute, 0},
		{"15m credentials: refresh at a quarter, block at a tenth", 15 * time.Minute, noJitter, 225 * time.Second, 60 * time.Second, 0},
		{"5m credentials: block at a tenth", 5 * time.Minute, noJitter, 75 * time.Second, 30 * time.Second, 0},
		{"12h credentials: capped at the defaults", 12 * time.Hour, noJitter, 10 * time.Minute, time.Minute, 0},
		{"explicit window is capped at half the lifetime", 15 * time.Minute, func(o *Options) { o.RefreshWindow = 30 * time.Minute; o.RefreshJitter = -1 }, 450 * time.Second, time.Minute, 0},
		{"explicit windows", time.Hour, func(o *Options) {
			o.RefreshWindow = 20 * time.Minute
			o.BlockingWindow = 5 * time.Minute
			o.RefreshJitter = -1
		}, 20 * time.Minute, 5 * time.Minute, 0},
		{"negative blocking window: wait only at expiry", time.Hour, func(o *Options) { o.BlockingWindow = -1; o.RefreshJitter = -1 }, 10 * time.Minute, 0, 0},
		{"default jitter: up to a fifth of the window, earlier only", time.Hour, nil, 10 * time.Minute, time.Minute, 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for range 50 {
				clk := newClock()
				c := NewCache(expiring(clk, tt.life), withClock(clk), tt.opts)
				cr, err := c.Retrieve(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				e := c.cur.Load()
				early := cr.Expires.Sub(e.refreshAt) - tt.refresh
				if early < 0 || early > tt.jitterAtMost {
					t.Fatalf("refresh starts %v before expiry, want %v plus jitter in [0, %v]", cr.Expires.Sub(e.refreshAt), tt.refresh, tt.jitterAtMost)
				}
				if got := cr.Expires.Sub(e.blockAt); got != tt.blk {
					t.Fatalf("callers block %v before expiry, want %v", got, tt.blk)
				}
			}
		})
	}
}

func TestCacheDueStateWaitsForRefresh(t *testing.T) {
	t.Parallel()
	clk := newClock()
	p := expiring(clk, time.Hour)
	c := NewCache(p, withClock(clk), noJitter, func(o *Options) { o.RefreshWindow = -1 }) // no refresh ahead
	c.Retrieve(context.Background())
	clk.Advance(59*time.Minute + 30*time.Second) // inside the last minute
	cr, err := c.Retrieve(context.Background())
	if err != nil || cr.AccessKeyID != "AKID2" {
		t.Fatalf("Retrieve in the blocking window = %q, %v; want new credentials AKID2", cr.AccessKeyID, err)
	}
}

func TestCacheFailedRefreshKeepsServingValidCredentialsWithBackoff(t *testing.T) {
	t.Parallel()
	clk := newClock()
	var fail atomic.Bool
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		if fail.Load() {
			return aws.Credentials{}, errors.New("connection reset")
		}
		return creds(n, clk.Now().Add(time.Hour)), nil
	}}
	c := NewCache(p, withClock(clk), noJitter)
	c.Retrieve(context.Background())
	fail.Store(true)

	// Stale: the background refresh fails; callers see nothing of it.
	clk.Advance(51 * time.Minute)
	for range 1000 {
		cr, err := c.Retrieve(context.Background())
		if err != nil || cr.AccessKeyID != "AKID1" {
			t.Fatalf("Retrieve after a failed refresh = %q, %v; want cached AKID1, no error", cr.AccessKeyID, err)
		}
	}
	eventually(t, "background refresh", func() bool { return !c.bgRunning.Load() && p.calls.Load() == 2 })
	for range 1000 {
		c.Retrieve(context.Background())
	}
	if n := p.calls.Load(); n != 2 {
		t.Fatalf("provider called %d times during the backoff, want 2", n)
	}

	// After the backoff (at most 5s after the first failure), one more try.
	clk.Advance(5 * time.Second)
	c.Retrieve(context.Background())
	eventually(t, "second background refresh", func() bool { return !c.bgRunning.Load() && p.calls.Load() == 3 })

	// Due state: a caller waits for a refresh; when it fails, the still-valid
	// credentials are returned.
	clk.Advance(8*time.Minute + 30*time.Second) // 30s before expiry
	cr, err := c.Retrieve(context.Background())
	if err != nil || cr.AccessKeyID != "AKID1" {
		t.Fatalf("Retrieve in the blocking window after failures = %q, %v; want cached AKID1", cr.AccessKeyID, err)
	}

	// Expired: the error, never the expired credentials.
	clk.Advance(31 * time.Second)
	cr, err = c.Retrieve(context.Background())
	if err == nil || cr.HasKeys() {
		t.Fatalf("Retrieve after expiry = %q, %v; want the refresh error and no credentials", cr.AccessKeyID, err)
	}
	if !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("error %q does not carry the provider's error", err)
	}

	// STS recovers: within one backoff period, a caller gets new credentials.
	fail.Store(false)
	clk.Advance(backoff.Max)
	cr, err = c.Retrieve(context.Background())
	if err != nil || !cr.HasKeys() {
		t.Fatalf("Retrieve after recovery = %v, %v", cr.AccessKeyID, err)
	}
}

func TestCacheNeverReturnsExpiredCredentials(t *testing.T) {
	t.Parallel()
	clk := newClock()
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		return creds(n, clk.Now().Add(-time.Second)), nil
	}}
	c := NewCache(p, withClock(clk))
	cr, err := c.Retrieve(context.Background())
	if err == nil || cr.HasKeys() {
		t.Fatalf("Retrieve of already-expired credentials = %q, %v; want an error", cr.AccessKeyID, err)
	}
	if !strings.Contains(err.Error(), "expired") {
		t.Errorf("error %q should say the credentials had expired", err)
	}
}

func TestCacheRemembersErrorsThatRetryingWillNotFix(t *testing.T) {
	t.Parallel()
	clk := newClock()
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		time.Sleep(time.Millisecond)
		return aws.Credentials{}, apiError("AccessDenied", "not authorized to perform sts:AssumeRole")
	}}
	c := NewCache(p, withClock(clk))
	parallel(1000, func(int) {
		_, err := c.Retrieve(context.Background())
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
			t.Errorf("Retrieve = %v, want AccessDenied", err)
		}
	})
	// Goroutines that arrived while the first call was under way shared it;
	// every later one got the remembered error.
	if n := p.calls.Load(); n != 1 {
		t.Errorf("1000 goroutines behind AccessDenied made %d calls, want 1", n)
	}
	clk.Advance(DefaultErrorTTL)
	c.Retrieve(context.Background())
	if n := p.calls.Load(); n != 2 {
		t.Errorf("after ErrorTTL: %d calls, want 2", n)
	}
}

func TestCacheRetriesTransientErrorsWhenNothingIsCached(t *testing.T) {
	t.Parallel()
	clk := newClock()
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		return aws.Credentials{}, apiError("Throttling", "Rate exceeded")
	}}
	c := NewCache(p, withClock(clk))
	for range 3 {
		if _, err := c.Retrieve(context.Background()); err == nil {
			t.Fatal("want an error")
		}
		clk.Advance(backoff.Max) // each after the backoff of the one before
	}
	if n := p.calls.Load(); n != 3 {
		t.Errorf("transient errors with nothing cached: %d calls for 3 sequential Retrieves, want 3", n)
	}
}

func TestCachePanicBecomesAnErrorForEveryWaiter(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		<-release
		panic("boom: " + testSecret)
	}}
	c := NewCache(p)
	go func() {
		eventually(t, "first call", func() bool { return p.calls.Load() == 1 })
		time.Sleep(10 * time.Millisecond)
		close(release)
	}()
	var errs atomic.Int32
	parallel(100, func(int) {
		_, err := c.Retrieve(context.Background())
		if err != nil && strings.Contains(err.Error(), "panicked") {
			errs.Add(1)
		}
		if err != nil && strings.Contains(err.Error(), testSecret) {
			t.Errorf("panic value leaked into the error: %v", err)
		}
	})
	if errs.Load() != 100 {
		t.Errorf("%d of 100 waiters got the panic as an error", errs.Load())
	}
}

func TestCachePanicInBackgroundRefreshDoesNotCrash(t *testing.T) {
	t.Parallel()
	clk := newClock()
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		if n > 1 {
			panic("boom")
		}
		return creds(n, clk.Now().Add(time.Hour)), nil
	}}
	c := NewCache(p, withClock(clk), noJitter)
	c.Retrieve(context.Background())
	clk.Advance(55 * time.Minute)
	if cr, err := c.Retrieve(context.Background()); err != nil || cr.AccessKeyID != "AKID1" {
		t.Fatalf("Retrieve = %v, %v", cr.AccessKeyID, err)
	}
	eventually(t, "background refresh", func() bool { return !c.bgRunning.Load() && p.calls.Load() == 2 })
}

func TestCacheKeepsNonExpiringCredentialsUntilInvalidate(t *testing.T) {
	t.Parallel()
	clk := newClock()
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: fmt.Sprintf("AKID%d", n), SecretAccessKey: testSecret}, nil
	}}
	c := NewCache(p, withClock(clk))
	c.Retrieve(context.Background())
	clk.Advance(10 * 365 * 24 * time.Hour)
	if cr, _ := c.Retrieve(context.Background()); cr.AccessKeyID != "AKID1" || p.calls.Load() != 1 {
		t.Fatalf("after ten years: %s with %d calls, want AKID1 with 1", cr.AccessKeyID, p.calls.Load())
	}
	c.Invalidate()
	if cr, _ := c.Retrieve(context.Background()); cr.AccessKeyID != "AKID2" {
		t.Fatalf("after Invalidate: %s, want AKID2", cr.AccessKeyID)
	}
}

func TestCacheInvalidateDuringFetchDiscardsItsResult(t *testing.T) {
	t.Parallel()
	clk := newClock()
	release := make(chan struct{})
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		if n == 1 {
			<-release
		}
		return creds(n, clk.Now().Add(time.Hour)), nil
	}}
	c := NewCache(p, withClock(clk))
	first := make(chan string)
	go func() { cr, _ := c.Retrieve(context.Background()); first <- cr.AccessKeyID }()
	eventually(t, "first call", func() bool { return p.calls.Load() == 1 })
	c.Invalidate()
	// A caller after Invalidate does not join the old fetch.
	if cr, _ := c.Retrieve(context.Background()); cr.AccessKeyID != "AKID2" {
		t.Fatalf("Retrieve after Invalidate = %s, want a new fetch (AKID2)", cr.AccessKeyID)
	}
	close(release)
	if got := <-first; got != "AKID1" {
		t.Fatalf("the waiter of the old fetch got %s, want AKID1", got)
	}
	if cr, _ := c.Retrieve(context.Background()); cr.AccessKeyID != "AKID2" {
		t.Fatalf("cached after the old fetch ended: %s, want AKID2 (the old result must not be stored)", cr.AccessKeyID)
	}
}

func TestCacheInvalidateForgetsRememberedError(t *testing.T) {
	t.Parallel()
	var fail atomic.Bool
	fail.Store(true)
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		if fail.Load() {
			return aws.Credentials{}, apiError("AccessDenied", "no")
		}
		return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: testSecret}, nil
	}}
	c := NewCache(p)
	c.Retrieve(context.Background())
	fail.Store(false)
	if _, err := c.Retrieve(context.Background()); err == nil {
		t.Fatal("want the remembered error before Invalidate")
	}
	c.Invalidate()
	if _, err := c.Retrieve(context.Background()); err != nil {
		t.Fatalf("after Invalidate: %v", err)
	}
}

func TestCacheInteractiveProviderIsNotRefreshedInBackground(t *testing.T) {
	t.Parallel()
	clk := newClock()
	p := expiring(clk, time.Hour)
	c := NewCache(interactive{p}, withClock(clk), noJitter)
	c.Retrieve(context.Background())
	clk.Advance(55 * time.Minute) // stale
	for range 100 {
		c.Retrieve(context.Background())
	}
	time.Sleep(10 * time.Millisecond)
	if n := p.calls.Load(); n != 1 {
		t.Fatalf("interactive provider called %d times in the stale state, want 1 (no background refresh)", n)
	}
	clk.Advance(4*time.Minute + 30*time.Second) // due
	if cr, _ := c.Retrieve(context.Background()); cr.AccessKeyID != "AKID2" {
		t.Fatalf("due state: %s, want a refresh in the caller's presence (AKID2)", cr.AccessKeyID)
	}
}

func TestCacheFormatsAndLogsNoSecrets(t *testing.T) {
	t.Parallel()
	clk := newClock()
	var logs bytes.Buffer
	var fail atomic.Bool
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		if fail.Load() {
			return aws.Credentials{}, errors.New("network down")
		}
		return creds(n, clk.Now().Add(time.Hour)), nil
	}}
	c := NewCache(p, withClock(clk), func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	c.Retrieve(context.Background())
	fail.Store(true)
	clk.Advance(2 * time.Hour)
	_, err := c.Retrieve(context.Background())
	out := fmt.Sprintf("%v %+v %#v %s %v", c, c, c, c, err) + logs.String()
	for _, secret := range []string{testSecret, testToken} {
		if strings.Contains(out, secret) {
			t.Fatalf("secret in output:\n%s", out)
		}
	}
	if !strings.Contains(logs.String(), "refreshing credentials failed") {
		t.Errorf("want the failure logged, got:\n%s", logs.String())
	}
}

// interactive is a provider whose fetch prompts a person.
type interactive struct{ *provider }

func (p interactive) describe() descriptor {
	return descriptor{name: "interactive", interactive: true, prompts: 1}
}

// NewCache of a *Cache with no options is that cache; with options, a new
// cache around it that keeps what it is: a hop built on either is its
// chain's next hop.
func TestNewCacheOfACache(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	hop, err := AssumeRole(baseConfig(), Role{ARN: roleB}, withFake(f))
	if err != nil {
		t.Fatal(err)
	}
	if NewCache(hop) != hop {
		t.Error("NewCache(c) without options is a new cache: want c itself")
	}
	outer := NewCache(hop, func(o *Options) { o.RefreshWindow = 20 * time.Minute })
	want := hop.desc
	want.session = nil // the inner cache keeps the store entry
	if outer == hop || outer.desc != want {
		t.Fatalf("NewCache(c, opt) = %v with %+v; want a new cache that keeps %+v", outer, outer.desc, hop.desc)
	}
	cfg := baseConfig()
	cfg.Credentials = outer
	next, err := AssumeRole(cfg, Role{ARN: roleC, Duration: 2 * time.Hour}, withFake(f))
	if err == nil || !strings.Contains(err.Error(), "hop 2") || next != nil {
		t.Errorf("a 2h hop on the wrapped hop 1: %v; want hop 2's role-chaining error", err)
	}
}
