package xacct

// The refresh path: how a Cache gets new credentials. One fetch at a time
// (singleflight), in steps:
//
//	begin   is it still needed? (another fetch may have just stored or failed)
//	call    the provider, on the fetch's own timeout, even if it hangs
//	check   the answer, before anything is cached
//	record  the outcome: new credentials, or the failure and its backoff
//	report  to the log and to Options.OnRefresh
//
// Each step that touches shared state takes c.mu for itself alone; no
// defer's order carries meaning.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct/internal/backoff"
	"github.com/xacct/xacct/internal/boundedcall"
	"github.com/xacct/xacct/internal/stshint"
)

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

// failure is an immutable snapshot of the last failed fetch
// (internal/backoff): until its RetryAt no fetch starts (but after
// Invalidate).
type failure = backoff.Failure

// sfKey is the single key of a cache's singleflight group: a cache has one
// value to fetch.
const sfKey = ""

// refreshInBackground starts one refresh of e unless one is running, e has
// been replaced, its refresh needs a person, or the cache backs off after a
// failure. The checks follow the flag's compare-and-swap, so that a
// refresh that finished between this caller's load and the swap is seen.
func (c *Cache) refreshInBackground(ctx context.Context, e *entry, now time.Time) {
	if !c.bgRunning.CompareAndSwap(false, true) {
		return
	}
	if c.cur.Load() != e || c.bgDeferred.Load() == e || c.failed.Load().BackingOff(now) {
		c.bgRunning.Store(false)
		return
	}
	ctx = detachForBackground(ctx)
	go func() {
		defer c.bgRunning.Store(false)
		<-c.sf.DoChan(sfKey, func() (any, error) { return c.fetch(ctx, e) })
	}()
}

// await makes the caller wait for the one fetch under way, starting it if
// none is. e is what the caller found cached (nil: nothing).
func (c *Cache) await(ctx context.Context, e *entry) (aws.Credentials, error) {
	if c.waiters != nil {
		c.waiters.join()
		defer c.waiters.leave(func() { c.sf.Forget(sfKey) })
	}
	ch := c.sf.DoChan(sfKey, func() (any, error) { return c.fetch(ctx, e) })
	select {
	case res := <-ch:
		if res.Err == nil {
			return res.Val.(aws.Credentials), nil
		}
		if e.state(c.opts.Now()) != expired {
			return e.creds, nil // a failed refresh of valid credentials is no caller's concern
		}
		return aws.Credentials{}, res.Err
	case <-ctx.Done():
		return aws.Credentials{}, fmt.Errorf("xacct: waiting for credentials from %s: %w", c.desc.name, ctx.Err())
	}
}

// fetch runs inside the singleflight group, so one at a time. seen is the
// entry the caller that started it found.
func (c *Cache) fetch(parent context.Context, seen *entry) (any, error) {
	gen, early := c.begin(seen)
	if early != nil {
		return early.result()
	}
	background := inBackground(parent)
	// The fetch has a deadline of its own, whoever started it; a person
	// gets Options.MFATimeout more for each prompt on the way.
	timeout := c.opts.RefreshTimeout + time.Duration(c.desc.prompts)*c.opts.MFATimeout
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), timeout)
	defer cancel()
	if c.waiters != nil && !background {
		unwatch := c.waiters.watch(cancel)
		defer unwatch()
	}

	c.opts.Logger.Debug("xacct: refreshing credentials", "provider", c.desc.name, "background", background)
	started := time.Now()
	out := c.call(ctx, timeout)
	now := c.opts.Now()
	if out.err == nil {
		out.err = c.check(out.creds, now)
	}
	f := c.record(ctx, gen, out, now)
	c.report(RefreshEvent{
		Name: c.desc.name, Hop: c.desc.hop, Background: background,
		At: now, Took: time.Since(started), Expires: expiry(out), Err: out.err,
	}, f)
	return out.result()
}

// outcome is what a fetch ends with.
type outcome struct {
	creds aws.Credentials
	entry *entry // creds with their windows, when the store step built it; nil: built by record
	key   string // the store key the creds were fetched under; "": not stored
	err   error
}

func (o *outcome) result() (any, error) {
	if o.err != nil {
		return nil, o.err
	}
	return o.creds, nil
}

func expiry(o outcome) time.Time {
	if o.err != nil {
		return time.Time{}
	}
	return expiresAt(o.creds)
}

// begin decides, before any call, whether the fetch is still needed, and
// returns the generation it belongs to. Another fetch may have stored new
// credentials since this caller looked (serve those), or failed (back off).
func (c *Cache) begin(seen *entry) (gen uint64, early *outcome) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.opts.Now()
	if cur := c.cur.Load(); cur != seen && cur.state(now) < due {
		return c.gen, &outcome{creds: cur.creds}
	}
	if f := c.failed.Load(); f.BackingOff(now) {
		return c.gen, &outcome{err: f.Err}
	}
	return c.gen, nil
}

// call is the call step. A session (a hop, an MFA session, a web identity
// session) is identified, and kept in the Store when there is one
// (callSession, store.go); other credentials come straight from the
// provider.
func (c *Cache) call(ctx context.Context, timeout time.Duration) outcome {
	if c.desc.session == nil {
		return c.callBounded(ctx, timeout)
	}
	return c.callSession(ctx, timeout)
}

// callBounded calls the provider on a goroutine of its own, so that the
// fetch ends by its deadline (and a short grace) even when the provider
// ignores its context (a hung connection, a TokenFunc that never returns).
// Such a provider is left running, and logged once; nothing else is left
// with it (the store step's lock is released on time).
func (c *Cache) callBounded(ctx context.Context, timeout time.Duration) outcome {
	out, err := boundedcall.Do(ctx, 0, errProviderHung, c.desc.name, func(ctx context.Context) (outcome, error) {
		return c.callProvider(ctx), nil
	}, nil)
	if err == nil {
		return out
	}
	c.opts.Logger.Warn("xacct: the credentials provider did not return when its context ended; "+
		"it is left running, and this fetch fails", "provider", c.desc.name, "timeout", timeout, NoticeAttr, true)
	return outcome{err: fmt.Errorf("xacct: %s did not return when its context ended (%v after it began): %w",
		c.desc.name, timeout, context.Cause(ctx))}
}

// errProviderHung is what boundedcall says of a provider left running.
var errProviderHung = errors.New("the credentials provider did not return in time")

// callProvider calls the wrapped provider, turning a panic into an error:
// singleflight's DoChan would re-panic on a goroutine of its own and end
// the process.
func (c *Cache) callProvider(ctx context.Context) (out outcome) {
	defer func() {
		if r := recover(); r != nil {
			out = outcome{err: &panicError{provider: c.desc.name, valueType: fmt.Sprintf("%T", r)}}
		}
	}()
	if inner, ok := c.provider.(*Cache); ok {
		// A cache of a cache keeps what its credentials were fetched
		// under, so that hops on either share their store entries.
		creds, id, err := inner.identified(ctx)
		return outcome{creds: creds, key: id, err: err}
	}
	creds, err := c.provider.Retrieve(ctx)
	return outcome{creds: creds, err: err}
}

// check refuses an answer that must not be cached: incomplete (it would
// fail every request signed with it, for the whole session), or expired.
// It holds for every provider; xacct's own STS providers also refuse an
// incomplete answer themselves (fromSTS), to name STS's missing field in
// the hop's error.
func (c *Cache) check(creds aws.Credentials, now time.Time) error {
	var missing []string
	if creds.AccessKeyID == "" {
		missing = append(missing, "an access key ID")
	}
	if creds.SecretAccessKey == "" {
		missing = append(missing, "a secret access key")
	}
	if c.desc.temporary && creds.SessionToken == "" {
		missing = append(missing, "a session token (session credentials are refused without one)")
	}
	if creds.CanExpire && creds.Expires.IsZero() {
		missing = append(missing, "an expiry (CanExpire is set)")
	}
	switch {
	case len(missing) > 0:
		return fmt.Errorf("xacct: %s returned incomplete credentials, without %s", c.desc.name, strings.Join(missing, " or "))
	case creds.CanExpire && !now.Before(creds.Expires):
		return fmt.Errorf("xacct: %s returned credentials that expired at %s, at or before now (%s)",
			c.desc.name, creds.Expires.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}

// record stores the fetch's outcome and returns the failure it recorded,
// if any. Nothing is recorded when Invalidate came after the fetch began:
// neither its credentials nor its failure belong to the cache any more.
func (c *Cache) record(ctx context.Context, gen uint64, out outcome, now time.Time) *failure {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.gen != gen:
		return nil
	case out.err == nil:
		e := out.entry
		if e == nil {
			e = newEntry(out.creds, now, &c.opts)
			e.id = out.key
		}
		c.cur.Store(e)
		c.failed.Store(nil)
	case errors.Is(out.err, errNeedsPerson):
		// Not a failure: the prompt waits for a caller who needs the
		// credentials. Background refreshes of this entry stop trying.
		if e := c.cur.Load(); e != nil {
			c.bgDeferred.Store(e)
		}
	case errors.Is(out.err, context.Canceled) && errors.Is(ctx.Err(), context.Canceled):
		// Abandoned by every caller (the fetch's own timeout is a deadline):
		// nothing to hold against the next one.
	default:
		f := c.failed.Load().Next(out.err, now, stshint.Retryable(out.err), c.opts.ErrorTTL)
		c.failed.Store(f)
		return f
	}
	return nil
}

// report logs the fetch and passes it to Options.OnRefresh. f is the
// failure that record stored, if any.
func (c *Cache) report(ev RefreshEvent, f *failure) {
	switch {
	case f != nil:
		c.opts.Logger.Warn("xacct: refreshing credentials failed", "provider", c.desc.name,
			"failures", f.N, "next_attempt", f.RetryAt, "error", ev.Err)
	case errors.Is(ev.Err, errNeedsPerson):
		c.opts.Logger.Debug("xacct: refresh deferred until a caller needs the credentials: it needs an MFA code",
			"provider", c.desc.name)
	case ev.Err != nil:
		c.opts.Logger.Debug("xacct: refresh ended without a result", "provider", c.desc.name, "error", ev.Err)
	case !ev.Expires.IsZero():
		c.opts.Logger.Debug("xacct: refreshed credentials", "provider", c.desc.name, "expires", ev.Expires)
	}
	if c.opts.OnRefresh == nil {
		return
	}
	// A panic here would run inside singleflight and end the process.
	defer func() {
		if r := recover(); r != nil {
			c.opts.Logger.Warn("xacct: Options.OnRefresh panicked", "provider", c.desc.name, "panic_type", fmt.Sprintf("%T", r))
		}
	}()
	c.opts.OnRefresh(ev)
}
