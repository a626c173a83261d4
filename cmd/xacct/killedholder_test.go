package main

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// A credential-process killed with SIGKILL while it holds the store's
// locks (its token command hangs) leaves none behind: the next process
// gets them at once and succeeds, with one MFA session in all.
func TestCredentialProcessKilledHolder(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	h := w.startHolder(t)
	h.cmd.Process.Signal(syscall.SIGKILL)
	h.wait()
	os.Remove(w.slowFlag)

	r := w.run(t, "credential-process", "--profile", "chain", "--cache-dir", w.store, "--token-command", w.token)
	if r.code != 0 {
		t.Fatalf("the next process: exit %d\n%s", r.code, r.stderr)
	}
	parseProcessOutput(t, r.stdout)
	// Bound: the locks are free at once, so the time is that of a run (a
	// second or so on a loaded machine), far from a lock wait's.
	if r.took > 5*time.Second {
		t.Errorf("the next process took %v", r.took)
	}
	if n, s := w.tokenRuns(), w.calls("GetSessionToken", devMFA); n != 2 || s != 1 {
		t.Errorf("%d token runs, %d GetSessionToken; want 2 (the killed one's, the next one's) and 1", n, s)
	}
}
