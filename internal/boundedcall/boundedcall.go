// Package boundedcall calls what may hang (a provider, a store on a
// network file system, user code) without hanging its caller: the call
// runs on a goroutine of its own, and the caller waits until its deadline
// and a short grace, then leaves it behind, undoing what it returns late.
package boundedcall

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Grace is how long Do waits, after its context has ended, for an op that
// honours its context to return: one that does returns its own error,
// which says more than a timeout.
const Grace = 100 * time.Millisecond

// Do runs op on a goroutine of its own and waits for it until ctx ends
// (and, when limit > 0, at most limit), then Grace more for an op that
// honours its context to return. One that has not returned by then is left
// behind: Do returns an error wrapping hung, and abandon (when not nil)
// gets what op returns later, to undo it (an unlock). An op that gives up
// at limit has hung as much as one that never returns; one that gives up
// because ctx was canceled (its callers left) has not: Do then returns
// ctx's error. A panic in op becomes an error naming what.
func Do[T any](ctx context.Context, limit time.Duration, hung error, what string,
	op func(context.Context) (T, error), abandon func(T)) (T, error) {
	parent := ctx
	if limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	c := &state[T]{done: make(chan result[T], 1), what: what}
	go c.run(ctx, op, abandon)
	ended := func(r result[T]) (T, error) {
		if r.err != nil && limit > 0 && ctx.Err() != nil && !errors.Is(parent.Err(), context.Canceled) {
			return r.v, fmt.Errorf("%w: %w", hung, r.err)
		}
		return r.v, r.err
	}
	select {
	case r := <-c.done:
		return ended(r)
	case <-ctx.Done():
	}
	grace := time.NewTimer(Grace)
	defer grace.Stop()
	select {
	case r := <-c.done:
		return ended(r)
	case <-grace.C:
	}
	if r, ok := c.giveUp(); ok {
		return ended(r) // sent between the timer and giving up
	}
	var zero T
	if errors.Is(parent.Err(), context.Canceled) {
		return zero, parent.Err() // the callers left: no hang of op's
	}
	return zero, fmt.Errorf("%w (%v)", hung, context.Cause(ctx))
}

type result[T any] struct {
	v   T
	err error
}

// state is what one Do shares with the goroutine that
// runs its op.
type state[T any] struct {
	mu     sync.Mutex // guards gaveUp, and orders it with the send on done
	gaveUp bool
	done   chan result[T] // buffered: the op never blocks on it
	what   string         // what op is, for the error of a panic
}

// run calls op, and hands its result to the caller, or to abandon when
// the caller has given up on it.
func (c *state[T]) run(ctx context.Context, op func(context.Context) (T, error), abandon func(T)) {
	var r result[T]
	func() {
		defer func() {
			if p := recover(); p != nil {
				r.err = fmt.Errorf("xacct: %s panicked (a %T)", c.what, p)
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
func (c *state[T]) giveUp() (result[T], bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case r := <-c.done:
		return r, true
	default:
	}
	c.gaveUp = true
	return result[T]{}, false
}
