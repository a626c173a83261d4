package testutil

import (
	"sync"
	"testing"
	"time"
)

// WaitFor polls cond until it holds, and fails t when it still does not
// after within, naming what it waited for. It is for waiting on another
// goroutine or process in real time, never for a fake clock's time.
//
// It polls every millisecond at first, then less often (up to every
// 20 ms), so that a short wait ends quickly and a long one costs little.
func WaitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(within)
	for pause := time.Millisecond; !cond(); pause = min(2*pause, 20*time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("waited %v for %s", within, what)
		}
		time.Sleep(pause)
	}
}

// Parallel runs fn(0) to fn(n-1), each in a goroutine of its own, starts
// them all together (so that they contend), and waits for all.
func Parallel(n int, fn func(i int)) {
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			fn(i)
		}()
	}
	start.Done()
	done.Wait()
}
