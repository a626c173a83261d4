package xacct

import (
	"context"
	"testing"
)

// BenchmarkStoreHit measures what a short-lived program pays for a hop
// found fresh in a FileStore: building the hop and its first Retrieve,
// which identifies who asks, reads the entry and checks it (no STS call).
func BenchmarkStoreHit(b *testing.B) {
	f := &fakeSTS{clk: newClock()}
	store, err := NewFileStore(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	hop := func() *Cache {
		c := storedHop(b, f, store)
		return c
	}
	ctx := context.Background()
	if _, err := hop().Retrieve(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := hop().Retrieve(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n := f.callsFor(roleB); n != 1 {
		b.Fatalf("%d AssumeRole calls; want 1, then store hits", n)
	}
}
