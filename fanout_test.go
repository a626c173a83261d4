package xacct_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/xaccttest"
)

// fleetFull runs TestFanOutFleetRate at the size of the README's table:
// 1,000 accounts at 40 calls/s against a fake that throttles above 50, with
// the SDK loop side by side (about a minute):
//
//	go test -run TestFanOutFleetRate -fleet.full -v .
var fleetFull = flag.Bool("fleet.full", false, "TestFanOutFleetRate: 1,000 accounts at 40/s, and the SDK loop (about a minute)")

func noop(context.Context, xacct.Account, aws.Config) error { return nil }

// TestFanOutFleetRate: a fleet behind a fake STS that throttles finishes
// with no failure, one AssumeRole per account, never above the rate at the
// fake, in about accounts/STSRate.
func TestFanOutFleetRate(t *testing.T) {
	n, rate, limit := 200, 100.0, 120
	if *fleetFull {
		n, rate, limit = 1000, 40, 50
	}
	// Not parallel: the rate measured at the fake is the point, so it runs
	// alone.
	srv, accounts := newFleet(t, fleet{n: n})
	srv.SetThrottle(float64(limit), 0) // a token bucket per caller account, bursts of up to limit

	rep := xacct.FanOut(context.Background(), scannerConfig(srv.URL), accounts, noop, func(o *xacct.FanOutOptions) {
		o.RoleName, o.STSRate, o.SessionName = orgRole, rate, "fleet"
	})
	calls, refused, maxPerSecond := stats(srv)
	if err := rep.Err(); err != nil || rep.Succeeded != n || len(rep.Results) != n {
		t.Fatalf("%d of %d succeeded: %v", rep.Succeeded, n, err)
	}
	for i, r := range rep.Results {
		if r.Account.ID != accounts[i].ID || !r.Ran || r.Attempts != 1 || r.Sessions != 1 || r.Throttled != 0 {
			t.Fatalf("result %d: %+v; want account %s, ran, 1 attempt, 1 session", i, r, accounts[i].ID)
		}
	}
	for role, c := range assumeCalls(srv) {
		if c != 1 {
			t.Errorf("%s: %d AssumeRole calls, want 1", role, c)
		}
	}
	if calls != n || refused != 0 || rep.STSAttempts != n {
		t.Errorf("the fake saw %d calls (%d throttled), the report %d attempts; want %d, 0", calls, refused, rep.STSAttempts, n)
	}
	// The limiter lets at most rate+burst calls leave in any second. They
	// arrive a little bunched on a loaded machine (goroutines wake late
	// and catch up, most when other test binaries share the CPUs): allow
	// 10% for that, below the fake's limit, which refused none.
	if allowed := int(rate) + xacct.DefaultSTSBurst + int(math.Ceil(rate*0.1)); maxPerSecond > allowed {
		t.Errorf("the fake saw %d calls within one second, above the rate %g (allowing %d)", maxPerSecond, rate, allowed)
	}
	// Never faster than the rate allows; about n/rate when the machine
	// keeps up (the full run, alone). In the regular suite other test
	// binaries and the race detector share two cores with the fake (6.5s
	// for 2s was seen under -count=3): the bound there only catches a
	// fan-out that stalls.
	slack := 10.0
	if *fleetFull {
		slack = 1.3
	}
	if lo, hi := time.Duration(float64(n-1)/rate*float64(time.Second)), time.Duration(float64(n)/rate*slack*float64(time.Second)); rep.Took < lo || rep.Took > hi {
		t.Errorf("took %v, want %v to %v", rep.Took, lo, hi)
	}
	t.Logf("FanOut: %d accounts at %g/s, fake limit %d/s: %v, %d failures, %d calls at the fake (%d throttled), "+
		"at most %d in one second", n, rate, limit, rep.Took.Round(10*time.Millisecond), rep.Failed, calls, refused, maxPerSecond)

	if !*fleetFull {
		return
	}
	srv2, _ := newFleet(t, fleet{n: n})
	srv2.SetThrottle(float64(limit), 0)
	loop := sdkLoop(scannerConfig(srv2.URL), accounts, 32)
	calls2, refused2, max2 := stats(srv2)
	t.Logf("SDK loop: %d accounts, 32 goroutines, default retryer: %v, %d failures, %d calls at the fake (%d throttled), "+
		"at most %d in one second; first error: %v", n, loop.took.Round(10*time.Millisecond), loop.failed, calls2, refused2, max2, loop.first)
	fmt.Printf("\n| run | accounts | failures | time | calls at the fake | throttled | most in one second |\n"+
		"| --- | --- | --- | --- | --- | --- | --- |\n"+
		"| `xacct.FanOut`, STSRate %g | %d | %d | %.1fs | %d | %d | %d |\n"+
		"| SDK loop, 32 goroutines | %d | %d | %.1fs | %d | %d | %d |\n\n",
		rate, n, rep.Failed, rep.Took.Seconds(), calls, refused, maxPerSecond,
		n, loop.failed, loop.took.Seconds(), calls2, refused2, max2)
}

type loopResult struct {
	failed int
	took   time.Duration
	first  error
}

// sdkLoop is the loop the fleet tools write: one STS client, one
// stscreds.AssumeRoleProvider and aws.CredentialsCache per account,
// workers goroutines, the SDK's default retryer.
func sdkLoop(cfg aws.Config, accounts []xacct.Account, workers int) loopResult {
	start := time.Now()
	client := sts.NewFromConfig(cfg)
	var failed atomic.Int32
	var mu sync.Mutex
	var first error
	work := make(chan xacct.Account)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				p := stscreds.NewAssumeRoleProvider(client, roleOf(a.ID), func(o *stscreds.AssumeRoleOptions) {
					o.RoleSessionName = "sdk-loop"
				})
				if _, err := aws.NewCredentialsCache(p).Retrieve(context.Background()); err != nil {
					failed.Add(1)
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, a := range accounts {
		work <- a
	}
	close(work)
	wg.Wait()
	return loopResult{failed: int(failed.Load()), took: time.Since(start), first: first}
}

// TestFanOutThrottleRetry: Throttling answers are retried by the fan-out,
// not by the SDK's retryer, each attempt waits for the rate, and an
// account fails only once its retries are spent.
func TestFanOutThrottleRetry(t *testing.T) {
	t.Parallel()
	const n = 60
	srv, accounts := newFleet(t, fleet{n: n})
	srv.SetThrottle(20, 5) // the fan-out asks for 200/s: most first attempts are throttled
	rep := xacct.FanOut(context.Background(), scannerConfig(srv.URL), accounts, noop, func(o *xacct.FanOutOptions) {
		o.RoleName, o.STSRate, o.STSBurst = orgRole, 200, 10
		o.ThrottleRetries, o.ThrottleBackoff = 50, 20*time.Millisecond
	})
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	calls, refused, _ := stats(srv)
	sum := 0
	for _, r := range rep.Results {
		// Each Throttling answer is followed by exactly one attempt (the
		// SDK's retryer makes none), and one succeeds.
		if r.Attempts != r.Throttled+1 || r.Sessions != 1 {
			t.Errorf("%s: %d attempts, %d throttled, %d sessions; want attempts = throttled+1, 1 session",
				r.Account.ID, r.Attempts, r.Throttled, r.Sessions)
		}
		sum += r.Attempts
	}
	if refused == 0 || rep.Throttled != refused || rep.STSAttempts != calls || sum != calls {
		t.Errorf("the fake saw %d calls, %d throttled; the report %d attempts (%d by account), %d throttled",
			calls, refused, rep.STSAttempts, sum, rep.Throttled)
	}
	if got := calls - refused; got != n {
		t.Errorf("%d AssumeRole calls got past the throttle, want %d", got, n)
	}
}

// TestFanOutThrottleExhausted: an account throttled on every attempt fails
// after 1+ThrottleRetries attempts with an error that says so and keeps
// STS's answer; the others are not held up.
func TestFanOutThrottleExhausted(t *testing.T) {
	t.Parallel()
	srv, accounts := newFleet(t, fleet{n: 3})
	srv.InjectFault(xaccttest.Fault{Action: "AssumeRole", Code: "Throttling", Count: 3})
	rep := xacct.FanOut(context.Background(), scannerConfig(srv.URL), accounts, noop, func(o *xacct.FanOutOptions) {
		o.RoleName, o.Concurrency, o.STSRate = orgRole, 1, 1000
		o.ThrottleRetries, o.ThrottleBackoff = 2, time.Millisecond
	})
	first := rep.Results[0]
	var he *xacct.HopError
	var apiErr smithy.APIError
	if !errors.As(first.Err, &he) || !errors.As(first.Err, &apiErr) || apiErr.ErrorCode() != "Throttling" ||
		!strings.Contains(first.Err.Error(), "STS throttled all 3 attempts") || first.Attempts != 3 || first.Ran {
		t.Fatalf("first account: %+v\n%v", first, first.Err)
	}
	if rep.Succeeded != 2 || rep.Failed != 1 {
		t.Errorf("succeeded %d, failed %d; want 2, 1", rep.Succeeded, rep.Failed)
	}
}

// TestFanOutSDKRetriesCounted: the SDK's retryer still retries what it
// retries (a 500 here, with cfg's retryer), and the limiter counts each
// HTTP attempt.
func TestFanOutSDKRetriesCounted(t *testing.T) {
	t.Parallel()
	srv, accounts := newFleet(t, fleet{n: 2})
	srv.InjectFault(xaccttest.Fault{Action: "AssumeRole", Code: "InternalFailure", Count: 1})
	cfg := srv.Config(scannerKey, scannerSecret, "") // a retryer that backs off for milliseconds
	rep := xacct.FanOut(context.Background(), cfg, accounts, noop, func(o *xacct.FanOutOptions) {
		o.RoleName, o.Concurrency, o.STSRate = orgRole, 1, 1000
	})
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	if a, b := rep.Results[0].Attempts, rep.Results[1].Attempts; a != 2 || b != 1 || rep.STSAttempts != 3 || rep.Throttled != 0 {
		t.Errorf("attempts %d and %d (report %d); want 2 and 1 (3)", a, b, rep.STSAttempts)
	}
}

// TestFanOutLongFn: an fn that runs for 3 simulated hours with one-hour
// sessions never sees expired credentials, and each session is one
// AssumeRole, refreshed in the background while fn runs.
func TestFanOutLongFn(t *testing.T) {
	t.Parallel()
	srv, accounts := newFleet(t, fleet{n: 2})
	refreshed := make(chan xacct.RefreshEvent, 16)
	keys := map[string]map[string]bool{} // account -> access keys seen
	var mu sync.Mutex                    // guards keys
	fn := func(ctx context.Context, a xacct.Account, cfg aws.Config) error {
		client := sts.NewFromConfig(cfg)
		var expires time.Time
		for minute := 0; minute <= 180; minute++ {
			now := srv.Clock.Now()
			cr, err := cfg.Credentials.Retrieve(ctx)
			if err != nil {
				return fmt.Errorf("minute %d: %w", minute, err)
			}
			if !now.Before(cr.Expires) {
				return fmt.Errorf("minute %d: credentials expired at %v", minute, cr.Expires)
			}
			mu.Lock()
			if keys[a.ID] == nil {
				keys[a.ID] = map[string]bool{}
			}
			keys[a.ID][cr.AccessKeyID] = true
			mu.Unlock()
			if minute%15 == 0 { // the fake checks expiry on its clock
				if _, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
					return fmt.Errorf("minute %d: %w", minute, err)
				}
			}
			// No jitter: a refresh starts at 50 minutes of each session.
			// Wait for it before moving the clock on.
			if expires.IsZero() || cr.Expires.After(expires) {
				expires = cr.Expires
			}
			if !now.Before(expires.Add(-10 * time.Minute)) {
				if err := awaitRefresh(ctx, refreshed, cfg.Credentials); err != nil {
					return fmt.Errorf("minute %d: %w", minute, err)
				}
				expires = time.Time{}
			}
			srv.Clock.Advance(time.Minute)
		}
		return nil
	}
	rep := xacct.FanOut(context.Background(), scannerConfig(srv.URL), accounts, fn, func(o *xacct.FanOutOptions) {
		o.RoleName, o.STSRate, o.Concurrency = orgRole, 1000, 1 // one fn at a time moves the shared clock
		o.HopOptions = []func(*xacct.Options){func(o *xacct.Options) {
			o.Now, o.RefreshJitter = srv.Clock.Now, -1
			o.OnRefresh = func(ev xacct.RefreshEvent) {
				if ev.Background {
					refreshed <- ev
				}
			}
		}}
	})
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	calls := assumeCalls(srv)
	for _, r := range rep.Results {
		// Sessions from minutes 0, 50, 100 and 150 of the account's fn.
		if r.Sessions != 4 || len(keys[r.Account.ID]) != 4 || calls[roleOf(r.Account.ID)] != 4 || r.Attempts != 4 {
			t.Errorf("%s: %d sessions, %d keys seen, %d AssumeRole calls at the fake, %d attempts; want 4 each",
				r.Account.ID, r.Sessions, len(keys[r.Account.ID]), calls[roleOf(r.Account.ID)], r.Attempts)
		}
	}
}

// TestFanOutMixedFleet: accounts whose role does not trust the caller, one
// without the role, one fn that panics: every other account succeeds, and
// each failure has its own error.
func TestFanOutMixedFleet(t *testing.T) {
	t.Parallel()
	const n, panics = 40, 7
	srv, accounts := newFleet(t, fleet{n: n, untrusted: []int{3, 17, 30}, noRole: []int{11}})
	var ran atomic.Int32
	rep := xacct.FanOut(context.Background(), scannerConfig(srv.URL), accounts,
		func(ctx context.Context, a xacct.Account, cfg aws.Config) error {
			ran.Add(1)
			if a.ID == fleetAccount(panics) {
				var s []int
				s[a.Name[0]]++ // out of range: a runtime error
			}
			_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}, func(o *xacct.FanOutOptions) { o.RoleName, o.STSRate = orgRole, 1000 })

	if rep.Succeeded != n-5 || rep.Failed != 5 || rep.NotRun != 0 || ran.Load() != n-4 {
		t.Fatalf("succeeded %d, failed %d, not run %d, fn ran %d times; want %d, 5, 0, %d",
			rep.Succeeded, rep.Failed, rep.NotRun, ran.Load(), n-5, n-4)
	}
	for i, r := range rep.Results {
		var he *xacct.HopError
		var apiErr smithy.APIError
		switch i {
		case 3, 17, 30, 11:
			if !errors.As(r.Err, &he) || he.RoleARN != roleOf(r.Account.ID) || !errors.As(r.Err, &apiErr) ||
				apiErr.ErrorCode() != "AccessDenied" || !strings.Contains(he.Hint, "the trust policy of "+roleOf(r.Account.ID)) ||
				r.Ran || r.Attempts != 1 {
				t.Errorf("account %d: %+v: want a HopError with AccessDenied and the trust hint, after 1 attempt", i, r)
			}
		case panics:
			want := "xacct: FanOut: fn panicked in account " + fleetAccount(panics) + " (acct-7) (value of type runtime.boundsError: " +
				"runtime error: index out of range [97] with length 0) at github.com/xacct/xacct_test.TestFanOutMixedFleet.func1 ("
			if r.Err == nil || !strings.HasPrefix(r.Err.Error(), want) || !strings.Contains(r.Err.Error(), "fanout_test.go:") || !r.Ran {
				t.Errorf("account %d: %v; want like %q, with the place", i, r.Err, want)
			}
		default:
			if r.Err != nil || !r.Ran || r.Sessions != 1 {
				t.Errorf("account %d: %+v", i, r)
			}
		}
	}
	// AccessDenied is not retried: one call per account.
	for role, c := range assumeCalls(srv) {
		if c != 1 {
			t.Errorf("%s: %d AssumeRole calls, want 1", role, c)
		}
	}
	if err := rep.Err(); err == nil || !strings.HasPrefix(err.Error(), "xacct: FanOut: 5 of 40 accounts failed; the first: xacct: hop 1 ("+roleOf(fleetAccount(3))) {
		t.Errorf("Report.Err: %v", err)
	}
}

// TestFanOutCancel: canceling ctx stops new accounts, the running fns see
// it, and the rest are marked not run, with no STS call for them.
func TestFanOutCancel(t *testing.T) {
	t.Parallel()
	const n, workers = 50, 4
	srv, accounts := newFleet(t, fleet{n: n})
	ctx, cancel := context.WithCancel(context.Background())
	var running sync.WaitGroup
	running.Add(workers)
	go func() { running.Wait(); cancel() }()
	var got []xacct.Result
	rep := xacct.FanOut(ctx, scannerConfig(srv.URL), accounts, func(ctx context.Context, a xacct.Account, cfg aws.Config) error {
		running.Done()
		<-ctx.Done()
		return ctx.Err()
	}, func(o *xacct.FanOutOptions) {
		o.RoleName, o.Concurrency, o.STSRate = orgRole, workers, 1000
		o.OnResult = func(r xacct.Result) { got = append(got, r) } // serialized: no lock needed
	})
	if rep.NotRun != n-workers || rep.Failed != workers || len(got) != n {
		t.Fatalf("not run %d, failed %d, OnResult %d times; want %d, %d, %d", rep.NotRun, rep.Failed, len(got), n-workers, workers, n)
	}
	for i, r := range rep.Results {
		if i < workers {
			if !r.Ran || !errors.Is(r.Err, context.Canceled) || errors.Is(r.Err, xacct.ErrNotRun) {
				t.Errorf("account %d: %+v; want ran, canceled", i, r)
			}
			continue
		}
		want := "xacct: FanOut: account " + r.Account.ID + " (acct-" + fmt.Sprint(i) + "): not run: the context ended before its turn: context canceled"
		if r.Ran || !errors.Is(r.Err, xacct.ErrNotRun) || !errors.Is(r.Err, context.Canceled) || r.Err.Error() != want ||
			r.Attempts != 0 || !r.Started.IsZero() {
			t.Errorf("account %d: %+v; want %q", i, r, want)
		}
	}
	if c := srv.CallCount("AssumeRole"); c != workers {
		t.Errorf("%d AssumeRole calls, want %d", c, workers)
	}
}

// TestFanOutConcurrency: exactly Concurrency fn calls run at once, never
// more.
func TestFanOutConcurrency(t *testing.T) {
	t.Parallel()
	const n, c = 64, 8
	srv, accounts := newFleet(t, fleet{n: n})
	var inFlight, most atomic.Int32
	gate := make(chan struct{})
	var gateOnce sync.Once
	rep := xacct.FanOut(context.Background(), scannerConfig(srv.URL), accounts, func(ctx context.Context, a xacct.Account, cfg aws.Config) error {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		if now == c {
			gateOnce.Do(func() { close(gate) })
		}
		select { // the first c calls wait until all c run at once
		case <-gate:
		case <-time.After(10 * time.Second):
			return errors.New("never had c calls at once")
		}
		return nil
	}, func(o *xacct.FanOutOptions) { o.RoleName, o.Concurrency, o.STSRate = orgRole, c, 1000 })
	if err := rep.Err(); err != nil || most.Load() != c {
		t.Fatalf("at most %d at once, want %d: %v", most.Load(), c, err)
	}
}

// TestFanOutOptionErrors: bad options fail every account with one error
// that names the field, and make no STS call.
func TestFanOutOptionErrors(t *testing.T) {
	t.Parallel()
	srv, accounts := newFleet(t, fleet{n: 3})
	role := func(o *xacct.FanOutOptions) { o.RoleName = orgRole }
	for _, tt := range []struct {
		name string
		fn   func(context.Context, xacct.Account, aws.Config) error
		opt  func(*xacct.FanOutOptions)
		want string
	}{
		{"fn is required", nil, role, "fn is nil"},
		{"a role is required", noop, func(o *xacct.FanOutOptions) {}, "FanOutOptions has no role: set RoleName"},
		{"one way to name the role", noop, func(o *xacct.FanOutOptions) { o.RoleName, o.RoleARN = "R", func(xacct.Account) string { return "" } },
			`sets both RoleName "R" and RoleARN`},
		{"a role name has no path", noop, func(o *xacct.FanOutOptions) { o.RoleName = "ops/Admin" }, `RoleName "ops/Admin" contains "/"`},
		{"a role name is an IAM name", noop, func(o *xacct.FanOutOptions) { o.RoleName = "a b" }, `RoleName "a b" contains ' '`},
		{"concurrency not negative", noop, func(o *xacct.FanOutOptions) { role(o); o.Concurrency = -1 }, "Concurrency -1 is negative"},
		{"rate not negative", noop, func(o *xacct.FanOutOptions) { role(o); o.STSRate = -2 }, "STSRate -2: want STS calls per second above 0"},
		{"rate a number", noop, func(o *xacct.FanOutOptions) { role(o); o.STSRate = math.NaN() }, "STSRate NaN"},
		{"rate finite", noop, func(o *xacct.FanOutOptions) { role(o); o.STSRate = math.Inf(1) }, "STSRate +Inf"},
		{"burst not negative", noop, func(o *xacct.FanOutOptions) { role(o); o.STSBurst = -1 }, "STSBurst -1 is negative"},
		{"backoff not negative", noop, func(o *xacct.FanOutOptions) { role(o); o.ThrottleBackoff = -time.Second }, "ThrottleBackoff -1s is negative"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep := xacct.FanOut(context.Background(), scannerConfig(srv.URL), accounts, tt.fn, tt.opt)
			if rep.Failed != len(accounts) {
				t.Fatalf("failed %d, want %d", rep.Failed, len(accounts))
			}
			for _, r := range rep.Results {
				if r.Err == nil || !strings.HasPrefix(r.Err.Error(), "xacct: FanOut: ") || !strings.Contains(r.Err.Error(), tt.want) || r.Ran {
					t.Errorf("%v; want %q", r.Err, tt.want)
				}
			}
		})
	}
	// A bad account ID fails its own hop only, before any call.
	rep := xacct.FanOut(context.Background(), scannerConfig(srv.URL), []xacct.Account{{ID: "12"}, accounts[0]}, noop, role)
	var he *xacct.HopError
	if !errors.As(rep.Results[0].Err, &he) || !strings.Contains(he.Error(), `has account "12", not 12 digits`) || rep.Results[1].Err != nil {
		t.Errorf("bad ID: %v; good: %v", rep.Results[0].Err, rep.Results[1].Err)
	}
	if c := srv.CallCount(""); c != 1 {
		t.Errorf("%d calls, want 1 (the good account)", c)
	}
}

// TestFanOutPartition: RoleName makes ARNs in cfg's partition; RoleARN
// gives them whole.
func TestFanOutPartition(t *testing.T) {
	t.Parallel()
	for region, want := range map[string]string{
		"us-east-1": "arn:aws:iam::222222222222:role/R", "eu-west-3": "arn:aws:iam::222222222222:role/R",
		"cn-north-1": "arn:aws-cn:iam::222222222222:role/R", "us-gov-west-1": "arn:aws-us-gov:iam::222222222222:role/R",
		"us-iso-east-1": "arn:aws-iso:iam::222222222222:role/R", "us-isob-east-1": "arn:aws-iso-b:iam::222222222222:role/R",
	} {
		cfg := scannerConfig("http://127.0.0.1:1")
		cfg.Region = region
		rep := xacct.FanOut(context.Background(), cfg, []xacct.Account{{ID: "222222222222"}}, noop, func(o *xacct.FanOutOptions) {
			o.RoleName = "R"
			o.HopOptions = []func(*xacct.Options){func(o *xacct.Options) {
				o.NewSTSClient = func(aws.Config) xacct.STSClient { return refusing{} }
			}}
		})
		var he *xacct.HopError
		if !errors.As(rep.Results[0].Err, &he) || he.RoleARN != want {
			t.Errorf("%s: %v; want role %s", region, rep.Results[0].Err, want)
		}
	}
	rep := xacct.FanOut(context.Background(), scannerConfig("http://127.0.0.1:1"), []xacct.Account{{ID: "222222222222", Name: "web"}}, noop,
		func(o *xacct.FanOutOptions) {
			o.RoleARN = func(a xacct.Account) string { return "arn:aws:iam::" + a.ID + ":role/ops/" + a.Name + "-Admin" }
			o.HopOptions = []func(*xacct.Options){func(o *xacct.Options) {
				o.NewSTSClient = func(aws.Config) xacct.STSClient { return refusing{} }
			}}
		})
	var he *xacct.HopError
	if !errors.As(rep.Results[0].Err, &he) || he.RoleARN != "arn:aws:iam::222222222222:role/ops/web-Admin" {
		t.Errorf("RoleARN: %v", rep.Results[0].Err)
	}
}

// refusing is an STS client that refuses every call.
type refusing struct{}

func (refusing) AssumeRole(context.Context, *sts.AssumeRoleInput, ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "refused"}
}

func (refusing) GetSessionToken(context.Context, *sts.GetSessionTokenInput, ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "refused"}
}

// TestFanOutEnds: no goroutine outlives FanOut, the cfg given to fn stops
// calling STS when FanOut returns, and no secret shows in the report.
func TestFanOutEnds(t *testing.T) {
	before := runtime.NumGoroutine()
	srv, accounts := newFleet(t, fleet{n: 20, untrusted: []int{4}})
	var leaked aws.Config
	var secrets []string
	var mu sync.Mutex // guards secrets
	rep := xacct.FanOut(context.Background(), scannerConfig(srv.URL), accounts, func(ctx context.Context, a xacct.Account, cfg aws.Config) error {
		cr, err := cfg.Credentials.Retrieve(ctx)
		mu.Lock()
		secrets = append(secrets, cr.SecretAccessKey, cr.SessionToken)
		leaked = cfg
		mu.Unlock()
		return err
	}, func(o *xacct.FanOutOptions) { o.RoleName, o.STSRate = orgRole, 1000 })
	if rep.Succeeded != 19 {
		t.Fatal(rep.Err())
	}
	leaked.Credentials.(*xacct.Cache).Invalidate()
	if _, err := leaked.Credentials.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "the fan-out has returned") {
		t.Errorf("a call after FanOut returned: %v", err)
	}
	text := fmt.Sprintf("%v %+v %#v %v", rep, rep, rep, rep.Err())
	for _, s := range append(secrets, scannerSecret) {
		if s != "" && strings.Contains(text, s) {
			t.Fatalf("the report shows a secret:\n%s", text)
		}
	}
	srv.Close()
	noGoroutineLeft(t, before)
}

// awaitRefresh waits for the next background refresh of creds to end,
// reading creds now and then as a program would: a read can come before
// the goroutine of the previous refresh has ended, and then starts none.
func awaitRefresh(ctx context.Context, refreshed <-chan xacct.RefreshEvent, creds aws.CredentialsProvider) error {
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-refreshed:
			if ev.Err != nil {
				return fmt.Errorf("refresh: %w", ev.Err)
			}
			return nil
		case <-deadline:
			return errors.New("no refresh")
		case <-time.After(time.Millisecond):
			if _, err := creds.Retrieve(ctx); err != nil {
				return err
			}
		}
	}
}
