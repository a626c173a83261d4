package main

import (
	"context"
	"errors"
	"testing"

	"github.com/xacct/xacct"
)

// blockingStore's lock is never free.
type blockingStore struct{ xacct.Store }

func (blockingStore) Lock(ctx context.Context, _ string) (func(), error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// A wait that its context ended is remembered after it is over: the
// library cancels it as soon as the caller's deadline passes, before the
// command asks why the fetch failed.
func TestWatchRemembersWaitsTheirContextEnded(t *testing.T) {
	t.Parallel()
	var w watch
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	watchedStore{Store: blockingStore{}, w: &w}.Lock(ctx, "k")
	if !w.waitingForLock() || w.prompting() || w.lastLockKey() != "k" {
		t.Errorf("after a lock wait ended by its context: lock %v, prompt %v, key %q",
			w.waitingForLock(), w.prompting(), w.lastLockKey())
	}

	var p watch
	fn := p.token(func(ctx context.Context, _ xacct.TokenRequest) (string, error) { return "", ctx.Err() })
	fn(ctx, xacct.TokenRequest{})
	if !p.prompting() || p.waitingForLock() {
		t.Errorf("after a prompt ended by its context: prompt %v, lock %v", p.prompting(), p.waitingForLock())
	}
	// A failure of its own is not a wait that ran out.
	var q watch
	q.token(func(context.Context, xacct.TokenRequest) (string, error) { return "", errors.New("no") })(
		context.Background(), xacct.TokenRequest{})
	if q.prompting() {
		t.Error("a failed token command counts as a prompt that ran out of time")
	}
}
