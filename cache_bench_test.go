package xacct

// Benchmarks of *Cache side by side with the SDK's aws.CredentialsCache, in
// one run. See the README for the command and the figures.

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// staticExpiring is a provider of credentials valid for an hour.
func staticExpiring() aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: testSecret, SessionToken: testToken,
			CanExpire: true, Expires: time.Now().Add(time.Hour)}, nil
	})
}

func cachesUnderTest() []struct {
	name string
	p    aws.CredentialsProvider
} {
	return []struct {
		name string
		p    aws.CredentialsProvider
	}{
		{"impl=xacct.Cache", NewCache(staticExpiring())},
		{"impl=aws.CredentialsCache", aws.NewCredentialsCache(staticExpiring())},
	}
}

// BenchmarkRetrieve measures the hot path: fresh credentials in the cache.
func BenchmarkRetrieve(b *testing.B) {
	ctx := context.Background()
	for _, c := range cachesUnderTest() {
		if _, err := c.p.Retrieve(ctx); err != nil {
			b.Fatal(err)
		}
		b.Run("mode=serial/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.p.Retrieve(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("mode=parallel/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := c.p.Retrieve(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkRefresh measures what 64 goroutines see when credentials come due
// for refresh and the provider takes 200 ms (a slow STS round trip). One op
// is one refresh cycle, the 200 ms fetch included, so ns/op is about the
// same for both; "waiters/op" counts the goroutines that waited more than
// 50 ms for their credentials, and "max-wait-ms" is the longest wait.
//
// The SDK cache refreshes when credentials expire (less its ExpiryWindow):
// every caller then waits for the round trip. *Cache refreshes inside its
// refresh window in the background, serving the cached credentials meanwhile.
func BenchmarkRefresh(b *testing.B) {
	const goroutines, latency, waited = 64, 200 * time.Millisecond, 50 * time.Millisecond

	measure := func(b *testing.B, p aws.CredentialsProvider, makeDue func(), settle func()) {
		ctx := context.Background()
		var waiters, maxWait time.Duration
		for b.Loop() {
			makeDue()
			var mu sync.Mutex // guards waiters, maxWait
			parallel(goroutines, func(int) {
				start := time.Now()
				if _, err := p.Retrieve(ctx); err != nil {
					b.Error(err)
				}
				d := time.Since(start)
				mu.Lock()
				if d > waited {
					waiters++
				}
				maxWait = max(maxWait, d)
				mu.Unlock()
			})
			settle() // the refresh ends before the next cycle
		}
		b.ReportMetric(float64(waiters)/float64(b.N), "waiters/op")
		b.ReportMetric(float64(maxWait.Milliseconds()), "max-wait-ms")
	}

	b.Run("impl=xacct.Cache", func(b *testing.B) {
		clk := newClock()
		p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
			time.Sleep(latency)
			return creds(n, clk.Now().Add(time.Hour)), nil
		}}
		c := NewCache(p, withClock(clk), noJitter)
		c.Retrieve(context.Background())
		measure(b, c,
			func() { clk.Advance(55 * time.Minute) }, // into the refresh window
			func() {
				for c.bgRunning.Load() {
					time.Sleep(time.Millisecond)
				}
			})
	})

	b.Run("impl=aws.CredentialsCache", func(b *testing.B) {
		p := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			time.Sleep(latency)
			// Due shortly after they arrive, standing in for the end of a
			// session: a real clock is the only one this cache reads.
			return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: testSecret, CanExpire: true,
				Expires: time.Now().Add(10 * time.Millisecond)}, nil
		})
		c := aws.NewCredentialsCache(p)
		c.Retrieve(context.Background())
		measure(b, c, func() { time.Sleep(15 * time.Millisecond) }, func() {})
	})
}
