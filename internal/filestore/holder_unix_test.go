//go:build unix && !aix

package filestore

import (
	"context"
	"os"
	"testing"
)

// The holder of a lock records its PID on taking it, and what it does
// while it holds it; a waiter reads both. The record names no secret and
// the lock file stays 0600.
func TestHolderRecord(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	k := key("holder")
	if _, ok := ReadHolder(s.Dir(), k); ok {
		t.Error("a holder before any lock")
	}
	unlock, err := s.Lock(context.Background(), k)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if h, ok := ReadHolder(s.Dir(), k); !ok || h != (Holder{PID: os.Getpid()}) {
		t.Errorf("after Lock: %+v, %v; want PID %d", h, ok, os.Getpid())
	}
	for _, what := range []string{HolderMFATerminal, HolderMFACommand, ""} {
		if err := MarkHolder(s.Dir(), k, what); err != nil {
			t.Fatal(err)
		}
		if h, ok := ReadHolder(s.Dir(), k); !ok || h != (Holder{PID: os.Getpid(), What: what}) {
			t.Errorf("after marking %q: %+v, %v; want PID %d", what, h, ok, os.Getpid())
		}
	}
	path, _ := lockPath(s.Dir(), k)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v, %v; want 0600", fi, err)
	}
	// The lock is still held: another Lock of the key waits.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Lock(ctx, k); err == nil {
		t.Error("the lock was taken twice")
	}
	for _, bad := range []string{"", "pid=", "pid=x what=mfa-terminal", "what=mfa-command"} {
		if h, ok := parseHolder([]byte(bad)); ok {
			t.Errorf("record %q read as %+v", bad, h)
		}
	}
	if err := MarkHolder(s.Dir(), "../x", HolderMFATerminal); err == nil {
		t.Error("MarkHolder took a key that is not one")
	}
}
