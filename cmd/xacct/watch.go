package main

// What a fetch of credentials waits for. When a command's deadline ends
// the wait, the library says only that the deadline passed; the exit code
// and the message must say why: another process held the lock, a person
// (or a token command) did not answer, or STS did not.

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/filestore"
)

// watch counts the lock waits and MFA prompts under way in this process,
// and remembers those that their context ended: when the caller's
// deadline passes, the library cancels the fetch it waited on at once, so
// the wait may be over by the time the command asks why it failed. It is
// safe for concurrent use.
type watch struct {
	locks       atomic.Int32 // Store.Lock calls under way
	prompts     atomic.Int32 // TokenFunc calls under way
	lockEnded   atomic.Bool  // a Lock call ended by its context, without the lock
	promptEnded atomic.Bool  // a TokenFunc call ended by its context, without a code

	mu      sync.Mutex     // guards lockKey, dir, held and asking
	lockKey string         // the key of the last lock waited for
	dir     string         // the store's directory, whose lock files say who holds them; "" for none
	held    map[string]int // keys whose locks this process holds, with how many times
	asking  string         // what a prompt of this process is: filestore.HolderMFATerminal or HolderMFACommand
}

// setStore makes the lock files of the store in dir say what this process
// does while it holds them: asking, when it asks for a code.
func (w *watch) setStore(dir, asking string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dir, w.asking = dir, asking
}

// askingKind is what a prompt of a process is, as its lock files say:
// a person typing at its terminal, or its token command.
func askingKind(terminal bool) string {
	if terminal {
		return filestore.HolderMFATerminal
	}
	return filestore.HolderMFACommand
}

// hold counts a lock of key taken (n 1) or released (n -1).
func (w *watch) hold(key string, n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.held == nil {
		w.held = map[string]int{}
	}
	if w.held[key] += n; w.held[key] <= 0 {
		delete(w.held, key)
	}
}

// markHeld records what in the lock files of the locks this process
// holds: the processes waiting for them say what they wait for.
func (w *watch) markHeld(asking bool) {
	w.mu.Lock()
	dir, what, keys := w.dir, "", slices.Collect(maps.Keys(w.held))
	if asking {
		what = w.asking
	}
	w.mu.Unlock()
	if dir == "" {
		return
	}
	for _, k := range keys {
		filestore.MarkHolder(dir, k, what) // best effort: a waiter then says less
	}
}

// lockWaitNotice is the notice of a wait for the lock of the credentials
// name (the last lock waited for): what its holder does, and its PID,
// as its lock file says; "" when it says nothing.
func (w *watch) lockWaitNotice(name string) string {
	w.mu.Lock()
	dir, key := w.dir, w.lockKey
	w.mu.Unlock()
	if dir == "" || key == "" {
		return ""
	}
	h, ok := filestore.ReadHolder(dir, key)
	switch {
	case !ok:
		return ""
	case h.What == filestore.HolderMFATerminal:
		return fmt.Sprintf("xacct: waiting for an MFA code being typed in another terminal (pid %d), for %s", h.PID, name)
	case h.What == filestore.HolderMFACommand:
		return fmt.Sprintf("xacct: waiting for another xacct process (pid %d) to get an MFA code from its "+
			"--token-command, for %s", h.PID, name)
	}
	return fmt.Sprintf("xacct: waiting for another xacct process (pid %d) to refresh %s", h.PID, name)
}

// waitingForLock reports whether a lock wait is under way, or ended by its
// context.
func (w *watch) waitingForLock() bool { return w.locks.Load() > 0 || w.lockEnded.Load() }

// prompting reports whether a prompt is under way, or ended by its
// context.
func (w *watch) prompting() bool { return w.prompts.Load() > 0 || w.promptEnded.Load() }

// lastLockKey returns the key of the last lock waited for; "" when none.
func (w *watch) lastLockKey() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lockKey
}

// settle waits, at most for grace, until no TokenFunc runs. A failed
// command calls it before it exits, so that a token command canceled with
// the fetch is reaped, not left running.
func (w *watch) settle(grace time.Duration) {
	for end := time.Now().Add(grace); w.prompts.Load() > 0 && time.Now().Before(end); {
		time.Sleep(settlePoll)
	}
}

// settlePoll is how often settle looks: a token command is reaped within
// milliseconds of its cancellation.
const settlePoll = 10 * time.Millisecond

// token wraps fn to count its calls.
func (w *watch) token(fn xacct.TokenFunc) xacct.TokenFunc {
	return func(ctx context.Context, req xacct.TokenRequest) (string, error) {
		w.prompts.Add(1)
		defer w.prompts.Add(-1)
		w.markHeld(true)
		defer w.markHeld(false)
		code, err := fn(ctx, req)
		if err != nil && ctx.Err() != nil {
			w.promptEnded.Store(true)
		}
		return code, err
	}
}

// watchedStore is a Store whose lock waits a watch counts.
type watchedStore struct {
	xacct.Store
	w *watch
}

// Lock takes the lock of key, counted while it waits.
func (s watchedStore) Lock(ctx context.Context, key string) (func(), error) {
	s.w.mu.Lock()
	s.w.lockKey = key
	s.w.mu.Unlock()
	s.w.locks.Add(1)
	defer s.w.locks.Add(-1)
	unlock, err := s.Store.Lock(ctx, key)
	if err != nil {
		if ctx.Err() != nil {
			s.w.lockEnded.Store(true)
		}
		return unlock, err
	}
	s.w.hold(key, 1)
	return func() { s.w.hold(key, -1); unlock() }, nil
}
