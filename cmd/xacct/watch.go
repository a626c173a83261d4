package main

// What a fetch of credentials waits for. When a command's deadline ends
// the wait, the library says only that the deadline passed; the exit code
// and the message must say why: another process held the lock, a person
// (or a token command) did not answer, or STS did not.

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/xacct/xacct"
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

	mu      sync.Mutex // guards lockKey
	lockKey string     // the key of the last lock waited for
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
	if err != nil && ctx.Err() != nil {
		s.w.lockEnded.Store(true)
	}
	return unlock, err
}
