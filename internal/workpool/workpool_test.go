package workpool

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

// Every index gets one call, never more than workers run at once, and
// once ctx ends the rest are skipped.
func TestRun(t *testing.T) {
	t.Parallel()
	const n, workers, cancelAt = 200, 4, 100
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex // guards did, skipped
	did, skipped := map[int]int{}, map[int]int{}
	var inFlight, most atomic.Int32
	Run(ctx, n, workers, func(i int) {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		if i == cancelAt {
			cancel()
		}
		mu.Lock()
		did[i]++
		mu.Unlock()
	}, func(i int) {
		mu.Lock()
		skipped[i]++
		mu.Unlock()
	})
	if most.Load() > workers {
		t.Errorf("%d calls at once, want at most %d", most.Load(), workers)
	}
	for i := range n {
		if did[i]+skipped[i] != 1 {
			t.Errorf("index %d: %d calls of do, %d of skip; want one in all", i, did[i], skipped[i])
		}
	}
	// The other workers may have taken an index each before ctx ended.
	if least := n - 1 - cancelAt - (workers - 1); len(skipped) < least {
		t.Errorf("%d skipped after ctx ended, want at least %d", len(skipped), least)
	}
}

// No items: no call.
func TestRunEmpty(t *testing.T) {
	t.Parallel()
	Run(context.Background(), 0, 8, func(int) { t.Error("do called") }, func(int) { t.Error("skip called") })
}
