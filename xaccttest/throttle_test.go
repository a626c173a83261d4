package xaccttest

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xacct/xacct/internal/testutil"
)

// TestThrottle: each caller account has its own bucket, in real time.
func TestThrottle(t *testing.T) {
	t.Parallel()
	sc, err := LoadScenario(strings.NewReader(`{"throttle": {"rate": 1, "burst": 5}, "accounts": {}}`))
	must(t, err)
	srv := world(t)
	must(t, srv.Load(sc))
	jenkins := keyClient(srv, jenkinsKey, jenkinsSecret, "")
	alice := keyClient(srv, "AKIAEXAMPLEALICE0001", "alice-secret", "") // the same account
	other := keyClient(srv, "AKIAEXAMPLEOTHER0001", "other-secret", "") // another account
	must(t, srv.AddUser("999999999999", "other", User{AccessKeyID: "AKIAEXAMPLEOTHER0001", SecretAccessKey: "other-secret"}))
	ctx := context.Background()
	var mu sync.Mutex
	codes := map[string]int{}
	testutil.Parallel(8, func(i int) {
		c := jenkins
		if i%2 == 1 {
			c = alice
		}
		_, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		cd, status := code(err)
		mu.Lock()
		codes[fmt.Sprintf("%s/%d", cd, status)]++
		mu.Unlock()
	})
	// 8 calls at once from one account with a burst of 5: 5 answered, 3
	// throttled (a token comes back each second; the calls take
	// milliseconds).
	if codes["/200"] != 5 || codes["Throttling/400"] != 3 {
		t.Fatalf("outcomes %v, want 5 answers and 3 Throttling/400", codes)
	}
	if _, err := other.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("another account is throttled too: %v", err)
	}
	if last := lastCall(t, srv); last.ErrorCode != "" {
		t.Fatalf("last call %+v", last)
	}
	_, err = jenkins.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if c, _ := code(err); c != "Throttling" || !strings.Contains(err.Error(), "Rate exceeded") {
		t.Fatalf("still throttled: %v", err)
	}
	srv.SetThrottle(0, 0)
	if _, err := jenkins.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("throttling off: %v", err)
	}
}

// TestPeakRate: the peak one-second rate is exact, from many goroutines,
// whatever the call limit.
func TestPeakRate(t *testing.T) {
	t.Parallel()
	srv := world(t)
	srv.SetCallLimit(10)
	c := keyClient(srv, jenkinsKey, jenkinsSecret, "")
	ctx := context.Background()
	const n = 60
	began := time.Now()
	testutil.Parallel(n, func(int) { c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}) })
	// All 60 came within a second, unless the machine was that slow: then
	// the exact answer is unknown, and only a lower bound holds.
	if got, took := srv.MaxCallsPerSecond(), time.Since(began); took < time.Second && got != n || got < 1 {
		t.Fatalf("MaxCallsPerSecond = %d after %d calls in %v", got, n, took)
	}
	if got := MaxCallsWithin(srv.Calls(), time.Hour); got != 10 {
		t.Fatalf("MaxCallsWithin the 10 calls kept = %d", got)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	calls := []Call{{Received: at}, {Received: at.Add(900 * time.Millisecond)}, {Received: at.Add(1500 * time.Millisecond)},
		{Received: at.Add(1800 * time.Millisecond)}, {Received: at.Add(1950 * time.Millisecond)}}
	if got := MaxCallsWithin(calls, time.Second); got != 3 {
		t.Errorf("MaxCallsWithin(1s) = %d, want 3 (0.9s to 1.8s; 1.95s is a second after 0.9s)", got)
	}
	if got := MaxCallsWithin(calls, 100*time.Millisecond); got != 1 {
		t.Errorf("MaxCallsWithin(100ms) = %d, want 1", got)
	}
}

// TestManyAccounts builds 10,000 accounts, each with a role trusting a hub
// account, one AddRole at a time, and measures it: Load must not grow with
// what the server holds.
// TestManyAccounts: building a server of 10,000 accounts one AddRole at a
// time is linear: the last thousand allocate what the first thousand did
// (a Load that copied or rescanned what the server holds would allocate
// ten times as much). Bytes, not time, so that a loaded machine cannot
// fail it; not parallel, so that no other test allocates meanwhile.
func TestManyAccounts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 10,000 accounts")
	}
	srv := NewServer()
	defer srv.Close()
	trust := json.RawMessage(`{"Version":"2012-10-17","Statement":{"Effect":"Allow",` +
		`"Principal":{"AWS":"arn:aws:iam::100000000000:role/Hub"},"Action":"sts:AssumeRole"}}`)
	const n = 10_000
	allocated := func() uint64 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.TotalAlloc
	}
	start, at := time.Now(), allocated()
	var firstK, lastK uint64
	for i := range n {
		if i == n-1000 {
			lastK = allocated()
		}
		must(t, srv.AddRole(fmt.Sprintf("2%011d", i), "Spoke", Role{Trust: trust}))
		if i == 999 {
			firstK = allocated() - at
		}
	}
	lastK = allocated() - lastK
	t.Logf("AddRole of %d accounts: %v; allocated by the first 1,000: %d KB, by the last 1,000: %d KB",
		n, time.Since(start), firstK>>10, lastK>>10)
	if lastK > 2*firstK {
		t.Errorf("AddRole allocates more as the server fills: the first 1,000 %d KB, the last %d KB", firstK>>10, lastK>>10)
	}
	// A walk of the organization's 10,000 accounts indexes them once.
	must(t, srv.Load(&Scenario{Organization: &Organization{ManagementAccount: "100000000000"}}))
	srv.mu.Lock()
	if got := len(srv.orgAccounts()[""]); got != n {
		t.Errorf("%d members, want %d", got, n)
	}
	srv.mu.Unlock()
}
