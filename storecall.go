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
	type result struct {
		v   T
		err error
	}
	var (
		mu     sync.Mutex // guards gaveUp, and orders it with the send on done
		gaveUp bool
		done   = make(chan result, 1)
	)
	go func() {
		var r result
		func() {
			defer func() {
				if p := recover(); p != nil {
					r.err = fmt.Errorf("xacct: the credential store panicked (a %T)", p)
				}
			}()
			r.v, r.err = op(ctx)
		}()
		mu.Lock()
		defer mu.Unlock()
		if gaveUp {
			if r.err == nil && abandon != nil {
				abandon(r.v)
			}
			return
		}
		done <- r
	}()
	// A Store that honours its context and gives up at limit has hung for
	// this fetch as much as one that never returns.
	hung := func(r result) (T, error) {
		if r.err != nil && limit > 0 && ctx.Err() != nil {
			return r.v, fmt.Errorf("%w: %w", errStoreHung, r.err)
		}
		return r.v, r.err
	}
	select {
	case r := <-done:
		return hung(r)
	case <-ctx.Done():
	}
	grace := time.NewTimer(hungGrace)
	defer grace.Stop()
	select {
	case r := <-done:
		return hung(r)
	case <-grace.C:
	}
	mu.Lock()
	defer mu.Unlock()
	select {
	case r := <-done: // sent between the timer and the lock
		return hung(r)
	default:
	}
	gaveUp = true
	var zero T
	return zero, fmt.Errorf("%w (%v)", errStoreHung, context.Cause(ctx))
}
