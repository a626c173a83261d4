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
	var inFlight, most, started, late atomic.Int32
	var canceled atomic.Bool
	Run(ctx, n, workers, func(i int) {
		if canceled.Load() {
			late.Add(1)
		}
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		// By calls begun, not by index: a worker may take an index and
		// begin it after others have begun later ones.
		if started.Add(1) == cancelAt+1 {
			cancel()
			canceled.Store(true)
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
	// The other workers may each have begun one index as ctx ended; no
	// more begin after.
	if n := late.Load(); n > workers-1 {
		t.Errorf("%d calls of do began after ctx ended, want at most %d", n, workers-1)
	}
	if len(skipped) == 0 {
		t.Error("nothing skipped after ctx ended")
	}
}

// No items: no call.
func TestRunEmpty(t *testing.T) {
	t.Parallel()
	Run(context.Background(), 0, 8, func(int) { t.Error("do called") }, func(int) { t.Error("skip called") })
}
