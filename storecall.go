package xacct

// A Store may hang (a custom one that ignores its context, a FileStore on
// a hung network file system): its calls are bounded, and after a hang
// the caches built together skip it for a while.

import (
	"context"
	"errors"
	"time"

	"github.com/xacct/xacct/internal/boundedcall"
)

// errStoreHung is in the error of a Store call that did not return in time.
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

// storeCall calls a Store's op, bounded (internal/boundedcall): one that
// does not return in time is errStoreHung.
func storeCall[T any](ctx context.Context, limit time.Duration, op func(context.Context) (T, error), abandon func(T)) (T, error) {
	return boundedcall.Do(ctx, limit, errStoreHung, "the credential store", op, abandon)
}
