package xacct_test

// The chaos test: a chain on an MFA session, read without pause by many
// goroutines through hours of simulated time, while the fake STS fails
// calls by chance and goes down for 40 minutes across an expiry. It checks
// the cache's promises as exact properties. Its figures are in the README
// (go test -race -run TestChaos -v .).

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/xaccttest"
)

func TestChaos(t *testing.T) {
	// Not parallel: it counts the process's goroutines.
	const (
		readers      = 64
		hours        = 8
		sessionLife  = 4 * time.Hour // two MFA sessions in the run
		outageStart  = 150 * time.Minute
		outageLength = 40 * time.Minute // spans an expiry of the last hop (15m sessions)
		// One fetch is at most this many calls at one simulated instant: the
		// SDK retryer of xaccttest's configs makes up to 3 attempts.
		attemptsPerFetch = 3
	)
	goroutines := runtime.NumGoroutine()
	srv, cfg := world(t)
	start := srv.Clock.Now()
	// Random failures of AssumeRole, seeded: throttling, server errors,
	// dropped connections. (GetSessionToken is spared them: a failure
	// after a prompt costs a code, and a second prompt, by STS's rules.)
	chance := func() {
		for i, f := range []xaccttest.Fault{
			{Code: "Throttling"}, {Code: "InternalFailure"}, {Code: "ServiceUnavailable"}, {Drop: true},
		} {
			f.Action, f.Probability, f.Seed = "AssumeRole", 0.08, uint64(i+1)
			srv.InjectFault(f)
		}
	}
	chance()

	var prompts atomic.Int32
	device := srv.TokenFunc()
	clock := func(o *xacct.Options) { o.Now = srv.Clock.Now }
	session, err := xacct.MFASession(cfg, aliceMFA, func(ctx context.Context, req xacct.TokenRequest) (string, error) {
		prompts.Add(1)
		return device(ctx, req)
	}, clock, func(o *xacct.Options) { o.SessionDuration = sessionLife })
	if err != nil {
		t.Fatal(err)
	}
	chain, err := xacct.Chain(with(cfg, session), []xacct.Role{
		{ARN: hubRole, ExternalID: "ext-123", SessionName: "chaos"},
		{ARN: deployRole, SessionName: "chaos", Duration: 15 * time.Minute},
	}, clock)
	if err != nil {
		t.Fatal(err)
	}

	var reads, expired, errorsWhileValid, errorsAfterExpiry atomic.Int64
	var mu sync.Mutex // guards lastGood
	var lastGood time.Time
	for minute := 0; minute < hours*60; minute++ {
		now := srv.Clock.Now()
		switch elapsed := now.Sub(start); elapsed {
		case outageStart:
			srv.ClearFaults()
			srv.InjectFault(xaccttest.Fault{Code: "ServiceUnavailable"}) // every call
		case outageStart + outageLength:
			srv.ClearFaults()
			chance()
		}
		var wg sync.WaitGroup
		for range readers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 4 {
					reads.Add(1)
					cr, err := chain.Retrieve(context.Background())
					mu.Lock()
					valid := now.Before(lastGood)
					if err == nil && cr.Expires.After(lastGood) {
						lastGood = cr.Expires
					}
					mu.Unlock()
					switch {
					case err != nil && valid:
						errorsWhileValid.Add(1)
					case err != nil:
						errorsAfterExpiry.Add(1)
					case !now.Before(cr.Expires):
						expired.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		waitIdle(t, srv)
		srv.Clock.Advance(time.Minute)
	}

	// Calls per hop, per simulated hour and per simulated instant.
	perHour := map[string]map[int]int{}
	perInstant := map[string]map[time.Time]int{}
	for _, c := range srv.Calls() {
		if c.Action != "AssumeRole" {
			continue
		}
		if perHour[c.RoleARN] == nil {
			perHour[c.RoleARN], perInstant[c.RoleARN] = map[int]int{}, map[time.Time]int{}
		}
		perHour[c.RoleARN][int(c.Time.Sub(start)/time.Hour)]++
		perInstant[c.RoleARN][c.Time]++
	}
	maxOf := func(m map[string]map[int]int, role string) (n int) {
		for _, v := range m[role] {
			n = max(n, v)
		}
		return n
	}
	maxAt := func(role string) (n int) {
		for _, v := range perInstant[role] {
			n = max(n, v)
		}
		return n
	}

	t.Logf("%d reads over %dh of simulated time by %d goroutines; %d AssumeRole and %d GetSessionToken calls "+
		"(%d dropped from the record)", reads.Load(), hours, readers, srv.CallCount("AssumeRole"),
		srv.CallCount("GetSessionToken"), srv.Dropped())
	t.Logf("expired credentials served: %d; errors while valid credentials existed: %d; "+
		"errors once they had expired (the outage): %d", expired.Load(), errorsWhileValid.Load(), errorsAfterExpiry.Load())
	for _, role := range []string{hubRole, deployRole} {
		t.Logf("%s: at most %d calls in a simulated hour, %d at one simulated instant",
			role, maxOf(perHour, role), maxAt(role))
	}
	t.Logf("prompts: %d for %d MFA sessions", prompts.Load(), srv.CallCount("GetSessionToken"))
	codes := map[string]int{}
	for _, c := range srv.Calls() {
		codes[c.ErrorCode]++
	}
	t.Logf("answers by error code (\"\": success): %v", codes)

	if expired.Load() != 0 || errorsWhileValid.Load() != 0 {
		t.Errorf("%d expired credentials served, %d errors while valid credentials existed; want none",
			expired.Load(), errorsWhileValid.Load())
	}
	if errorsAfterExpiry.Load() == 0 {
		t.Error("the outage caused no error: it did not span an expiry, and tested nothing")
	}
	for _, role := range []string{hubRole, deployRole} {
		// At most one fetch per simulated minute (the readers' step) and its
		// SDK retries; without the backoff, every round of readers fetched.
		if n := maxAt(role); n > attemptsPerFetch {
			t.Errorf("%s: %d calls at one simulated instant, want at most one fetch (%d attempts)", role, n, attemptsPerFetch)
		}
		if n := maxOf(perHour, role); n > 60*attemptsPerFetch {
			t.Errorf("%s: %d calls in a simulated hour", role, n)
		}
	}
	sessions := int(hours * time.Hour / sessionLife)
	if p, s := int(prompts.Load()), srv.CallCount("GetSessionToken"); p != sessions || s != sessions {
		t.Errorf("%d prompts and %d GetSessionToken calls for %d sessions; want one of each per session", p, s, sessions)
	}
	srv.Close()
	noGoroutineLeft(t, goroutines)
}
