package xacct

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// errStoreHung is in the error of a Store call that did not return in
// time: a Store that ignores its context (a custom one, a FileStore on a
// hung network filesystem).
var errStoreHung = errors.New("the credential store did not return in time")

// maxStoreBound bounds one Load or Save of a Store: a store on a local
// disk answers in well under a millisecond, and one that takes seconds is
// hung (a network file system) or broken.
const maxStoreBound = 5 * time.Second

// storeHungPause is how long the caches built together skip their Store
// after it hung: each fetch would otherwise pay the bound again, and
// leave one more call behind.
const storeHungPause = time.Minute

// storeBound is how long one Load or Save may take: a quarter of
// RefreshTimeout, so that a hung store leaves the fetch most of its time
// (a credential_process whose caller's deadline is RefreshTimeout still
// gets its credentials), and at most maxStoreBound.
func storeBound(o *Options) time.Duration { return min(o.RefreshTimeout/4, maxStoreBound) }

// storeHung remembers, for the caches built with o, that their Store did
// not return in time: it is skipped until storeHungPause has passed.
func storeHung(o *Options) { o.storeHungAt.Store(o.Now().UnixNano()) }

// storeSkipped reports whether the caches built with o skip their Store
// now, after it hung.
func storeSkipped(o *Options) bool {
	at := o.storeHungAt.Load()
	return at != 0 && o.Now().Before(time.Unix(0, at).Add(storeHungPause))
}

// storeCall runs op on a goroutine of its own and waits for it until ctx
// ends (and, when limit > 0, at most limit), then hungGrace more for a
// Store that honours its context to return. One that has not returned by
// then is left behind: storeCall returns errStoreHung, and abandon (when
// not nil) gets what op returns later, to undo it (an unlock). A panic in
// op becomes an error.
func storeCall[T any](ctx context.Context, limit time.Duration, op func(context.Context) (T, error), abandon func(T)) (T, error) {
	parent := ctx
	if limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	c := &storeCallState[T]{done: make(chan storeResult[T], 1)}
	go c.run(ctx, op, abandon)
	// A Store that honours its context and gives up at limit has hung for
	// this fetch as much as one that never returns; one that gives up
	// because the fetch's own context ended (its callers left) has not.
	hung := func(r storeResult[T]) (T, error) {
		if r.err != nil && limit > 0 && ctx.Err() != nil && !errors.Is(parent.Err(), context.Canceled) {
			return r.v, fmt.Errorf("%w: %w", errStoreHung, r.err)
		}
		return r.v, r.err
	}
	select {
	case r := <-c.done:
		return hung(r)
	case <-ctx.Done():
	}
	grace := time.NewTimer(hungGrace)
	defer grace.Stop()
	select {
	case r := <-c.done:
		return hung(r)
	case <-grace.C:
	}
	if r, ok := c.giveUp(); ok {
		return hung(r) // sent between the timer and giving up
	}
	var zero T
	if errors.Is(parent.Err(), context.Canceled) {
		return zero, parent.Err() // the callers left: no hang of the store's
	}
	return zero, fmt.Errorf("%w (%v)", errStoreHung, context.Cause(ctx))
}

type storeResult[T any] struct {
	v   T
	err error
}

// storeCallState is what one storeCall shares with the goroutine that
// runs its op.
type storeCallState[T any] struct {
	mu     sync.Mutex // guards gaveUp, and orders it with the send on done
	gaveUp bool
	done   chan storeResult[T] // buffered: the op never blocks on it
}

// run calls op, and hands its result to the caller, or to abandon when
// the caller has given up on it.
func (c *storeCallState[T]) run(ctx context.Context, op func(context.Context) (T, error), abandon func(T)) {
	var r storeResult[T]
	func() {
		defer func() {
			if p := recover(); p != nil {
				r.err = fmt.Errorf("xacct: the credential store panicked (a %T)", p)
			}
		}()
		r.v, r.err = op(ctx)
	}()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gaveUp {
		if r.err == nil && abandon != nil {
			defer func() { recover() }() // nobody is left to tell; the lock dies with the process at worst
			abandon(r.v)
		}
		return
	}
	c.done <- r
}

// giveUp marks the call abandoned, unless its result came meanwhile.
func (c *storeCallState[T]) giveUp() (storeResult[T], bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case r := <-c.done:
		return r, true
	default:
	}
	c.gaveUp = true
	return storeResult[T]{}, false
}
