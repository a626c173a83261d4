//go:build unix

package testutil

import (
	"os/exec"
	"sync/atomic"
	"testing"
	"time"
)

// A running process is not gone; once it has ended and been reaped, it is.
func TestProcessGone(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("sleep", "300")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if ProcessGone(pid) {
		t.Fatalf("process %d is running, ProcessGone says it has ended", pid)
	}
	cmd.Process.Kill()
	cmd.Wait()
	WaitGone(t, pid)
}

// Parallel's goroutines run at the same time: each waits until all have
// started, which never happens if they run one after another.
func TestParallelRunsAllAtOnce(t *testing.T) {
	t.Parallel()
	const n = 8
	var started, together atomic.Int32
	Parallel(n, func(int) {
		started.Add(1)
		for end := time.Now().Add(5 * time.Second); started.Load() < n && time.Now().Before(end); {
			time.Sleep(time.Millisecond)
		}
		if started.Load() == n {
			together.Add(1)
		}
	})
	if got := together.Load(); got != n {
		t.Errorf("%d of %d goroutines saw all the others start", got, n)
	}
}
