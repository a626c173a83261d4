package xacct_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xacct/xacct"
)

// BenchmarkFanOutCost measures what a fan-out costs as the fleet grows,
// with a stub STS that answers AssumeRole at once (so that the figures are
// xacct's and the SDK's, not a fake's) and an fn that does nothing:
//
//	go test -run XXX -bench FanOutCost -benchtime 1x -count 5 .
//
// Metrics per run: B/account (bytes allocated), peak-heap-B/account (the
// most heap in use above where it started, divided by the accounts),
// peak-goroutines (the most alive at once, the stub server's included:
// about one per connection), µs/account.
func BenchmarkFanOutCost(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			url := stubSTS(b)
			accounts := make([]xacct.Account, n)
			for i := range accounts {
				accounts[i] = xacct.Account{ID: fleetAccount(i)}
			}
			cfg := scannerConfig(url)
			for b.Loop() {
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				peakGo, peakHeap := sample(b, before.HeapAlloc)
				start := time.Now()
				rep := xacct.FanOut(context.Background(), cfg, accounts, noop, func(o *xacct.FanOutOptions) {
					o.RoleName, o.STSRate = orgRole, 1e6
				})
				took := time.Since(start)
				g, h := peakGo(), peakHeap()
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				if rep.Succeeded != n {
					b.Fatal(rep.Err())
				}
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(n), "B/account")
				b.ReportMetric(float64(h)/float64(n), "peak-heap-B/account")
				b.ReportMetric(float64(g), "peak-goroutines")
				b.ReportMetric(float64(took.Microseconds())/float64(n), "µs/account")
			}
		})
	}
}

// sample watches the goroutine count and the heap above base until the
// returned functions are called, and returns their peaks.
func sample(b *testing.B, base uint64) (peakGoroutines func() int, peakHeap func() uint64) {
	var stop atomic.Bool
	var wg sync.WaitGroup
	var g int
	var h uint64
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for i := 0; !stop.Load(); i++ {
			g = max(g, runtime.NumGoroutine()-1) // not this one
			if i%20 == 0 {                       // ReadMemStats stops the world: not too often
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > base {
					h = max(h, ms.HeapAlloc-base)
				}
			}
			time.Sleep(250 * time.Microsecond)
		}
	}()
	end := sync.OnceFunc(func() { stop.Store(true); wg.Wait() })
	return func() int { end(); return g }, func() uint64 { end(); return h }
}

// stubSTS answers every AssumeRole with one-hour credentials, checking
// nothing.
func stubSTS(b *testing.B) string {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("Action") != "AssumeRole" {
			http.Error(w, "stub: AssumeRole only", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>`+
			`<AssumedRoleUser><Arn>%s/s</Arn><AssumedRoleId>AROASTUB:s</AssumedRoleId></AssumedRoleUser>`+
			`<Credentials><AccessKeyId>ASIASTUB</AccessKeyId><SecretAccessKey>stub-secret</SecretAccessKey>`+
			`<SessionToken>stub-token</SessionToken><Expiration>%s</Expiration></Credentials></AssumeRoleResult>`+
			`<ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></AssumeRoleResponse>`,
			r.Form.Get("RoleArn"), time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}))
	b.Cleanup(ts.Close)
	return ts.URL
}
