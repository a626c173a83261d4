package xacct

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"golang.org/x/sync/singleflight"

	"github.com/xacct/xacct/internal/backoff"
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
// ends stops waiting at once, and the refresh goes on for the others.
//
// When a refresh fails while the cached credentials are still valid,
// callers keep getting them with no error, and the next attempt waits for
// an exponential backoff with jitter. Only once they have expired does
// Retrieve return the error; expired credentials are never returned. An
// error that retrying cannot fix (AccessDenied, a malformed policy, a
// disabled region) is returned again without a new call for
// Options.ErrorTTL. A panic in the wrapped provider becomes an error for
// every waiter.
//
// Credentials that cannot expire (CanExpire false) are kept until
// Invalidate. Providers that need a person to answer a prompt (a role with
// MFASerial) are never refreshed in the background: their refresh starts
// when a caller needs the credentials, in the due or expired state.
type Cache struct {
	provider aws.CredentialsProvider
	opts     Options // resolved; read-only after construction
	now      func() time.Time
	log      *slog.Logger // never nil

	// What the cache wraps, for chaining rules, error messages and logs.
	temporary   bool   // credentials are a role or MFA session: AssumeRole with them is role chaining
	interactive bool   // a refresh of this cache prompts a person: never refresh in the background
	prompts     int    // prompting hops up to this one (0: none may prompt); each adds Options.MFATimeout to a fetch, and a fetch that may prompt is canceled when every caller leaves
	hop         int    // position in a role chain, 0 when not a hop
	name        string // role ARN, serial or provider type; never a secret

	cur        atomic.Pointer[entry]
	sf         singleflight.Group
	bgRunning  atomic.Bool           // a background refresh goroutine exists
	bgDeferred atomic.Pointer[entry] // the entry whose background refresh needs a person: not retried in the background
	retryAfter atomic.Int64          // UnixNano before which no optional refresh starts after a failure

	mu        sync.Mutex    // guards gen, failures, permErr, permUntil, waiting, abandon, and stores to cur after a fetch
	gen       uint64        // bumped by Invalidate; a fetch started under an older gen stores nothing
	failures  int           // consecutive failed fetches
	permErr   error         // last error retrying will not fix
	permUntil time.Time     // permErr is returned without a call until then
	waiting   int           // callers blocked on a fetch, counted only where one may prompt
	abandon   *abandonFetch // cancels the foreground fetch of a cache that may prompt, once no caller waits
}

// abandonFetch cancels one fetch; a pointer, so a fetch clears only its own.
type abandonFetch struct{ cancel context.CancelFunc }

// RefreshEvent describes one fetch of credentials, for Options.OnRefresh.
// It holds no secrets.
type RefreshEvent struct {
	Name       string        // what was fetched: the role ARN of a hop, the serial of an MFA session, or the provider's type
	Hop        int           // the hop's position in its chain; 0 when not a hop
	Background bool          // started ahead of expiry, with no caller waiting
	At         time.Time     // when it ended, on the Options.Now clock
	Took       time.Duration // how long it took, in real time
	Expires    time.Time     // when the new credentials expire; zero on error or when they cannot expire
	Err        error         // nil on success
}

// entry is an immutable snapshot of cached credentials and their deadlines.
type entry struct {
	creds     aws.Credentials
	refreshAt time.Time // from here: stale
	blockAt   time.Time // from here: due
}

// backgroundKey marks the context of a background refresh.
type backgroundKey struct{}

// inBackground reports whether ctx belongs to a background refresh, of this
// cache or of a later hop whose refresh calls this one.
func inBackground(ctx context.Context) bool {
	v, _ := ctx.Value(backgroundKey{}).(bool)
	return v
}

// sfKey is the single key of the cache's singleflight group: a cache has one
// value to fetch.
const sfKey = ""

// never is a time later than any credential's expiry.
var never = time.Unix(1<<62, 0)

// NewCache wraps p in a Cache. Options.RefreshWindow, BlockingWindow,
// RefreshJitter, RefreshTimeout, ErrorTTL, Now and Logger apply.
func NewCache(p aws.CredentialsProvider, optFns ...func(*Options)) *Cache {
	c := newCache(p, resolveOptions(optFns), fmt.Sprintf("%T", p))
	if inner, ok := p.(*Cache); ok {
		// Wrapping a cache keeps what it is: chaining rules, prompts.
		c.name, c.temporary, c.prompts = inner.name, inner.temporary, inner.prompts
	}
	return c
}

func newCache(p aws.CredentialsProvider, o Options, name string) *Cache {
	c := &Cache{provider: p, opts: o, now: o.Now, name: name, log: o.Logger}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Retrieve returns valid credentials, from the cache when it can, and
// implements aws.CredentialsProvider.
func (c *Cache) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if e := c.cur.Load(); e != nil {
		now := c.now()
		if now.Before(e.refreshAt) {
			return e.creds, nil
		}
		return c.retrieveSlow(ctx, e, now)
	}
	return c.retrieveSlow(ctx, nil, c.now())
}

// retrieveSlow handles every state but fresh.
func (c *Cache) retrieveSlow(ctx context.Context, e *entry, now time.Time) (aws.Credentials, error) {
	valid := e != nil && (!e.creds.CanExpire || now.Before(e.creds.Expires))
	if valid {
		if now.Before(e.blockAt) { // stale
			if !c.interactive {
				c.refreshInBackground(ctx, e, now)
			}
			return e.creds, nil
		}
		if now.UnixNano() < c.retryAfter.Load() { // due, but backing off after a failure
			return e.creds, nil
		}
	} else if err := c.rememberedError(now); err != nil {
		return aws.Credentials{}, err
	}

	if c.prompts > 0 {
		c.mu.Lock()
		c.waiting++
		c.mu.Unlock()
		defer c.leave()
	}
	ch := c.sf.DoChan(sfKey, func() (any, error) { return c.fetch(ctx, false, e) })
	select {
	case res := <-ch:
		if res.Err == nil {
			return res.Val.(aws.Credentials), nil
		}
		if valid && (!e.creds.CanExpire || c.now().Before(e.creds.Expires)) {
			return e.creds, nil
		}
		return aws.Credentials{}, res.Err
	case <-ctx.Done():
		return aws.Credentials{}, fmt.Errorf("xacct: waiting for credentials from %s: %w", c.name, ctx.Err())
	}
}

// leave ends a caller's wait. When the last caller of a fetch that may
// prompt leaves, the fetch is canceled, so that no prompt is left on screen
// for nobody, and forgotten, so that the next caller starts afresh.
func (c *Cache) leave() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waiting--
	if c.waiting == 0 && c.abandon != nil {
		c.abandon.cancel()
		c.abandon = nil
		c.sf.Forget(sfKey)
	}
}

// refreshInBackground starts one refresh unless one is running, the
// credentials have been replaced, or a backoff after a failure is pending.
// The checks follow the flag's compare-and-swap, so that a refresh that
// finished between this caller's load and the swap is seen.
func (c *Cache) refreshInBackground(ctx context.Context, e *entry, now time.Time) {
	if !c.bgRunning.CompareAndSwap(false, true) {
		return
	}
	if c.cur.Load() != e || c.bgDeferred.Load() == e || now.UnixNano() < c.retryAfter.Load() {
		c.bgRunning.Store(false)
		return
	}
	// Keep the caller's values (tracing, logging), never its deadline; mark
	// the context, so that the hops this refresh calls know no caller waits.
	ctx = context.WithValue(context.WithoutCancel(ctx), backgroundKey{}, true)
	go func() {
		defer c.bgRunning.Store(false)
		<-c.sf.DoChan(sfKey, func() (any, error) { return c.fetch(ctx, true, e) })
	}()
}

// fetch calls the provider once under the cache's own timeout and records
// the outcome. It runs inside the singleflight group. seen is the entry the
// caller that started it found (nil for none).
func (c *Cache) fetch(parent context.Context, background bool, seen *entry) (any, error) {
	background = background || inBackground(parent)
	c.mu.Lock()
	gen := c.gen
	// A caller that found old credentials just before another fetch stored
	// new ones would otherwise fetch again: serve what that fetch stored.
	if cur := c.cur.Load(); cur != nil && cur != seen && c.now().Before(cur.blockAt) {
		c.mu.Unlock()
		return cur.creds, nil
	}
	// A caller that checked for a remembered error just before the previous
	// fetch stored one must not make a call of its own.
	if err := c.permErr; err != nil && c.now().Before(c.permUntil) {
		c.mu.Unlock()
		return nil, err
	}
	c.mu.Unlock()

	// A person gets Options.MFATimeout for each prompt on the way.
	timeout := c.opts.RefreshTimeout + time.Duration(c.prompts)*c.opts.MFATimeout
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), timeout)
	defer cancel()
	if c.prompts > 0 && !background {
		ab := &abandonFetch{cancel: cancel}
		c.mu.Lock()
		if c.waiting == 0 {
			cancel() // the caller that started it has gone already
		} else {
			c.abandon = ab
		}
		c.mu.Unlock()
		defer func() {
			c.mu.Lock()
			if c.abandon == ab {
				c.abandon = nil
			}
			c.mu.Unlock()
		}()
	}
	c.log.Debug("xacct: refreshing credentials", "provider", c.name, "background", background)
	started := time.Now()
	creds, err := c.callProvider(ctx)
	now := c.now()
	if err == nil && creds.CanExpire && !now.Before(creds.Expires) {
		err = fmt.Errorf("xacct: %s returned credentials that expired at %s, at or before now (%s)",
			c.name, creds.Expires.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if c.opts.OnRefresh != nil {
		ev := RefreshEvent{Name: c.name, Hop: c.hop, Background: background, At: now, Took: time.Since(started), Err: err}
		if err == nil && creds.CanExpire {
			ev.Expires = creds.Expires
		}
		defer c.notify(ev)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case err != nil && errors.Is(err, errNeedsPerson):
		// Not a failure: the prompt waits for a caller who needs the
		// credentials. Background refreshes of this entry stop trying.
		if e := c.cur.Load(); e != nil {
			c.bgDeferred.Store(e)
		}
		c.log.Debug("xacct: refresh deferred until a caller needs the credentials: it needs an MFA code", "provider", c.name)
		return nil, err
	case err != nil && errors.Is(err, context.Canceled) && errors.Is(ctx.Err(), context.Canceled):
		// Abandoned by every caller: nothing to remember.
		c.log.Debug("xacct: refresh canceled: every caller left", "provider", c.name)
		return nil, err
	}
	if err != nil {
		c.failures++
		retry := now.Add(backoff.Delay(c.failures))
		c.retryAfter.Store(retry.UnixNano())
		if c.opts.ErrorTTL > 0 && !isRetryable(err) {
			c.permErr, c.permUntil = err, now.Add(c.opts.ErrorTTL)
		}
		c.log.Warn("xacct: refreshing credentials failed", "provider", c.name,
			"failures", c.failures, "next_attempt", retry, "error", err)
		return nil, err
	}
	if c.gen == gen {
		c.cur.Store(c.newEntry(creds, now))
		c.failures, c.permErr = 0, nil
		c.retryAfter.Store(0)
	}
	if creds.CanExpire {
		c.log.Debug("xacct: refreshed credentials", "provider", c.name, "expires", creds.Expires)
	}
	return creds, nil
}

// notify calls Options.OnRefresh; a panic there is logged, not raised,
// since it would run inside singleflight and end the process.
func (c *Cache) notify(ev RefreshEvent) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Warn("xacct: Options.OnRefresh panicked", "provider", c.name, "panic_type", fmt.Sprintf("%T", r))
		}
	}()
	c.opts.OnRefresh(ev)
}

// newEntry computes the state boundaries for credentials fetched at now.
func (c *Cache) newEntry(creds aws.Credentials, now time.Time) *entry {
	if !creds.CanExpire {
		return &entry{creds: creds, refreshAt: never, blockAt: never}
	}
	refresh, jitter, block := c.opts.windows(creds.Expires.Sub(now))
	if jitter > 0 {
		refresh += rand.N(jitter + 1)
	}
	return &entry{
		creds:     creds,
		refreshAt: creds.Expires.Add(-refresh),
		blockAt:   creds.Expires.Add(-block),
	}
}

// callProvider calls the wrapped provider, turning a panic into an error:
// singleflight's DoChan would re-panic on a goroutine of its own and end the
// process.
func (c *Cache) callProvider(ctx context.Context) (creds aws.Credentials, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{provider: c.name, value: r}
		}
	}()
	return c.provider.Retrieve(ctx)
}

// rememberedError returns the last error retrying cannot fix, while it is
// remembered.
func (c *Cache) rememberedError(now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.permErr != nil && now.Before(c.permUntil) {
		return c.permErr
	}
	return nil
}

// Invalidate drops the cached credentials and any remembered error, so
// that the next Retrieve fetches anew. A fetch already under way finishes
// for the callers waiting on it, but its result is not cached.
func (c *Cache) Invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.cur.Store(nil)
	c.sf.Forget(sfKey)
	c.failures, c.permErr = 0, nil
	c.retryAfter.Store(0)
}

// String describes the cache without its credentials, for %v and %+v.
func (c *Cache) String() string {
	if c.hop > 0 {
		return fmt.Sprintf("xacct.Cache{hop %d: %s}", c.hop, c.name)
	}
	return fmt.Sprintf("xacct.Cache{%s}", c.name)
}

// GoString is String, so that %#v prints no credentials either.
func (c *Cache) GoString() string { return c.String() }

// panicError is what a waiter gets when the wrapped provider panicked.
type panicError struct {
	provider string
	value    any
}

func (e *panicError) Error() string {
	// The panic value is shown by type only: it could hold anything.
	return fmt.Sprintf("xacct: credentials provider %s panicked (value of type %T)", e.provider, e.value)
}

// isRetryable reports whether trying again, without a change of
// configuration, might succeed.
func isRetryable(err error) bool {
	var p interface{ permanent() bool }
	if errors.As(err, &p) && p.permanent() {
		return false
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "AccessDenied", "AccessDeniedException", "MalformedPolicyDocument",
			"PackedPolicyTooLarge", "RegionDisabledException", "ValidationError",
			"InvalidParameterValue", "InvalidClientTokenId", "SignatureDoesNotMatch",
			"UnrecognizedClientException", "InvalidIdentityToken", "IDPRejectedClaim":
			return false
		}
	}
	return true
}
