// Package workpool runs one call per item of a list, a fixed number at a
// time, in the list's order, and starts no new item once a context ends.
package workpool

import (
	"context"
	"sync"
	"sync/atomic"
)

// Run calls do(i) for each i from 0 to n-1, in that order, from at most
// workers goroutines at once: each takes the next index until none is
// left. Once ctx has ended, the indexes not begun go to skip instead, so
// that every index gets exactly one call, of do or of skip. Run returns
// when every call has returned.
func Run(ctx context.Context, n, workers int, do, skip func(i int)) {
	var next atomic.Int64 // the next index to begin
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if ctx.Err() != nil {
					skip(i)
					continue
				}
				do(i)
			}
		}()
	}
	wg.Wait()
}
