package xacct

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"golang.org/x/sync/singleflight"
)

// Cache is an aws.CredentialsProvider that keeps the credentials of the
// provider it wraps fresh for any number of concurrent callers. It is safe
// for concurrent use by multiple goroutines.
//
// Cached credentials pass through four states, by the time left before they
// expire (the windows adapt to the credentials' lifetime; see Options):
//
//		fetched              refreshAt            blockAt        Expires
//		   |----- fresh ---------|---- stale ---------|-- due -------|-- expired -->
//		                      RefreshWindow (+jitter)  BlockingWindow
//
//	  - fresh: Retrieve returns the cached credentials: one atomic load and a
//	    clock read, no lock, no allocation.
//	  - stale: Retrieve returns the cached credentials at once and starts one
//	    background refresh if none is running. No caller waits for it.
//	  - due: callers wait for one shared refresh (the credentials might expire
//	    while a request signed with them is still retried).
//	  - expired, or nothing cached: callers wait for one shared fetch.
//
// A refresh runs under its own timeout (Options.RefreshTimeout), detached
// from the context of the caller that started it: a caller whose context
// ends stops waiting at once, and the refresh goes on for the others. A
// provider that ignores its context is left running at the timeout, and
// the next caller may start a new fetch.
//
// After a failed fetch the cache backs off: no new fetch starts for an
// exponential, jittered delay (at least Options.ErrorTTL for an error that
// retrying cannot fix, such as AccessDenied), whatever state the
// credentials are in. Callers with valid credentials keep getting them,
// with no error; callers without get the failure's error at once, saying
// when the next attempt is; Invalidate forces one. Expired credentials are
// never returned, nor an answer that is incomplete. A panic in the wrapped
// provider becomes an error for every waiter.
//
// Credentials that cannot expire (CanExpire false) are kept until
// Invalidate. Providers that need a person to answer a prompt (a role with
// MFASerial) are never refreshed in the background: their refresh starts
// when a caller needs the credentials, in the due or expired state.
type Cache struct {
	// The state is behind a pointer, so that a Cache value holds no lock
	// and can format itself without the wrapped provider's keys (Format).
	*cacheState
}

// cacheState is the state of a Cache.
type cacheState struct {
	provider aws.CredentialsProvider
	desc     descriptor // what provider is; fixed at construction
	opts     Options    // resolved (its Logger is never nil); read-only after construction

	// cur and failed are read without a lock, and written only under mu:
	// by a fetch's record step and by Invalidate.
	cur    atomic.Pointer[entry]   // the cached credentials; nil: none
	failed atomic.Pointer[failure] // the last failed fetch; nil once one succeeds

	mu  sync.Mutex // guards gen, and orders the writes of cur and failed
	gen uint64     // bumped by Invalidate: a fetch begun under an older gen records nothing

	invalidated atomic.Int64 // UnixNano on the Options.Now clock of the last Invalidate: older stored entries are not used

	sf         singleflight.Group    // one fetch at a time
	bgRunning  atomic.Bool           // set (compare-and-swap) by the caller that starts a background refresh; cleared when it ends
	bgDeferred atomic.Pointer[entry] // written by record: the entry whose background refresh needs a person
	waiters    *waiters              // callers waiting on a fetch that may prompt; nil when none may
}

// NewCache wraps p in a Cache. Options.RefreshWindow, BlockingWindow,
// RefreshJitter, RefreshTimeout, ErrorTTL, MFATimeout (over a Cache that
// prompts), Now, Logger and OnRefresh apply. A field it cannot use (MFA,
// NewSTSClient, Store, SessionDuration, ConfigFiles, CredentialsFiles) is a
// mistake that NewCache, which returns no error, reports through every
// Retrieve: an error naming the field.
//
// NewCache of a *Cache with no options returns it as it is. With options,
// it returns a new Cache around it that refreshes from it on its own
// windows and timeouts, and keeps what it is: a hop built on either is the
// next hop of the same chain, with the same chaining rules and prompts.
// Only the inner cache uses Options.Store.
func NewCache(p aws.CredentialsProvider, optFns ...func(*Options)) *Cache {
	o := resolveOptions(optFns)
	if err := refuseOptions("NewCache", appliedOptions(optFns), cacheOnly...); err != nil {
		return newCache(refusedProvider{err}, descriptor{name: "NewCache"}, o)
	}
	d := describe(p)
	if c, ok := p.(*Cache); ok {
		if len(optFns) == 0 {
			return c
		}
		// The inner cache keeps the store entry: the outer one reading and
		// locking the same key would wait on the inner one's lock.
		d.session = nil
	}
	return newCache(p, d, o)
}

func newCache(p aws.CredentialsProvider, d descriptor, o Options) *Cache {
	c := &Cache{&cacheState{provider: p, desc: d, opts: o}}
	if d.prompts > 0 {
		c.waiters = &waiters{}
	}
	return c
}

// Retrieve returns valid credentials, from the cache when it can, and
// implements aws.CredentialsProvider.
func (c *Cache) Retrieve(ctx context.Context) (aws.Credentials, error) {
	e := c.cur.Load()
	now := c.opts.Now()
	if e.isFresh(now) {
		return e.creds, nil
	}
	return c.retrieveSlow(ctx, e, now)
}

// retrieveSlow handles every state but fresh.
func (c *Cache) retrieveSlow(ctx context.Context, e *entry, now time.Time) (aws.Credentials, error) {
	switch e.state(now) {
	case fresh:
		return e.creds, nil
	case stale:
		if !c.desc.interactive {
			c.refreshInBackground(ctx, e, now)
		}
		return e.creds, nil
	case due:
		if c.failed.Load().BackingOff(now) {
			return e.creds, nil
		}
	case expired:
		if f := c.failed.Load(); f.BackingOff(now) {
			return aws.Credentials{}, f.Err
		}
	}
	return c.await(ctx, e)
}

// Invalidate drops the cached credentials and any failure the cache backs
// off from, so that the next Retrieve fetches anew. A fetch already under
// way finishes for the callers waiting on it, but its outcome, success or
// failure, is not recorded.
func (c *Cache) Invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.invalidated.Store(c.opts.Now().UnixNano())
	c.cur.Store(nil)
	c.failed.Store(nil)
	c.sf.Forget(sfKey)
}

// describe makes a Cache a describer: a hop built on it is its next hop.
func (c *Cache) describe() descriptor { return c.desc }

func (c *Cache) baseProvider() aws.CredentialsProvider { return c.provider }

// invalidatedAt returns the time of the last Invalidate, or the zero time.
func (c *Cache) invalidatedAt() time.Time {
	if n := c.invalidated.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// String describes the cache without its credentials, for %v and %+v.
func (c *Cache) String() string {
	if c.desc.hop > 0 {
		return fmt.Sprintf("xacct.Cache{hop %d: %s}", c.desc.hop, c.desc.name)
	}
	return fmt.Sprintf("xacct.Cache{%s}", c.desc.name)
}

// GoString is String, so that %#v prints no credentials either.
func (c *Cache) GoString() string { return c.String() }
