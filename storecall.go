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

// storeCall runs op on a goroutine of its own and waits for it until ctx
// ends (and, when limit > 0, at most limit), then hungGrace more for a
// Store that honours its context to return. One that has not returned by
// then is left behind: storeCall returns errStoreHung, and abandon (when
// not nil) gets what op returns later, to undo it (an unlock). A panic in
// op becomes an error.
func storeCall[T any](ctx context.Context, limit time.Duration, op func(context.Context) (T, error), abandon func(T)) (T, error) {
	if limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	c := &storeCallState[T]{done: make(chan storeResult[T], 1)}
	go c.run(ctx, op, abandon)
	// A Store that honours its context and gives up at limit has hung for
	// this fetch as much as one that never returns.
	hung := func(r storeResult[T]) (T, error) {
		if r.err != nil && limit > 0 && ctx.Err() != nil {
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
