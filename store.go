package xacct

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct/internal/storekey"
)

// Store keeps credentials across processes, so that many short-lived
// programs (command-line tools, credential helpers) share one session of
// each hop and MFA session, and one prompt. Options.Store puts one behind
// every Cache that AssumeRole, Chain, MFASession, FromProfile and
// LoadConfig build: the in-process Cache stays in front and writes
// through.
//
// FileStore is xacct's Store; a Store of your own (a keyring, say) must
// keep this contract:
//
//   - Keys are lowercase hexadecimal SHA-256 sums; they name a set of
//     credentials, never hold a secret, and are safe as file names.
//   - Load returns the entry under key, or nil and no error when there is
//     none. An entry that is unreadable, truncated or of another format is
//     none: it must not fail the caller. Expired entries may be returned:
//     the Cache checks every entry against its own clock (Options.Now) and
//     never serves expired credentials.
//   - Save replaces the entry under key, atomically: a reader sees the
//     old entry or the new one, never a mix.
//   - Lock takes the exclusive lock of key, across goroutines and
//     processes, waiting until it is free or ctx ends (then it returns
//     ctx's error). The lock must be released when its holder dies, even
//     by SIGKILL. unlock releases it, promptly (a Cache bounds it as it
//     bounds Load and Save).
//   - Delete removes the entry under key; a missing entry is no error.
//   - List returns every readable entry, for tools (xacct cache list).
//   - All methods are safe for concurrent use, and no error or formatted
//     value shows a secret.
//
// A Store that fails never fails a Retrieve that can succeed without it:
// the Cache logs the failure at Warn level and calls STS itself.
type Store interface {
	Load(ctx context.Context, key string) (*StoredCredentials, error)
	Save(ctx context.Context, key string, sc *StoredCredentials) error
	Lock(ctx context.Context, key string) (unlock func(), err error)
	Delete(ctx context.Context, key string) error
	List(ctx context.Context) ([]*StoredCredentials, error)
}

// StoredCredentials is one entry of a Store. Its formatted forms (%v, %+v,
// %#v, %s) show no secret.
type StoredCredentials struct {
	Key         string          // the entry's key; set by Load and List
	Kind        string          // what the credentials are: "assume-role" (a hop), "mfa-session" (GetSessionToken), "web-identity" or "sso-role" (the AWS access portal's)
	Name        string          // what they are for, never a secret: the role ARN, MFA serial, or a base profile's description
	Credentials aws.Credentials // the credentials; temporary ones have an expiry
	Fetched     time.Time       // when they were fetched from STS, so that every process refreshes them alike
}

// String describes the entry without its secrets.
func (sc *StoredCredentials) String() string {
	if sc == nil {
		return "<nil>"
	}
	exp := "never"
	if t := expiresAt(sc.Credentials); !t.IsZero() {
		exp = t.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("xacct.StoredCredentials{Key:%s Kind:%s Name:%s AccessKeyID:%s Expires:%s}",
		sc.Key, sc.Kind, sc.Name, sc.Credentials.AccessKeyID, exp)
}

// GoString is String, so that %#v shows no secret either.
func (sc *StoredCredentials) GoString() string { return sc.String() }

// Format makes every verb print String, for values as well as pointers.
func (sc StoredCredentials) Format(f fmt.State, verb rune) { fmt.Fprint(f, sc.String()) }

// endpointOf names the STS endpoint that a client built from cfg calls, for
// store keys (internal/storekey).
func endpointOf(cfg aws.Config) string { return storekey.Endpoint(cfg) }

// ErrStoreLockWait is in the error of a fetch whose deadline (or caller)
// ended while it waited for the Store's lock of its credentials, which
// another process held: errors.Is(err, ErrStoreLockWait) tells that apart
// from a fetch that STS failed.
var ErrStoreLockWait = errors.New("another process holds the store's lock of these credentials")

// storeWaitNotice is how long a fetch waits for another process's lock
// before it says so: long enough not to speak up for a plain refresh.
const storeWaitNotice = 2 * time.Second

// callSession is the call step of a session's cache: with no Store (or
// one skipped after it hung), the session is identified all the same, so
// that a stored hop built on it is keyed by what it was fetched under.
func (c *Cache) callSession(ctx context.Context, timeout time.Duration) outcome {
	if c.opts.Store == nil || storeSkipped(&c.opts) {
		return c.callIdentified(ctx, timeout, "", "", false)
	}
	return c.callStore(ctx, timeout)
}

// callStore is the call step of a cache with a Store. It identifies who
// asks for the credentials, which with the request names the entry (see
// requester.go); reads the store without a lock and uses what another
// process stored if it is fresh; else it takes the key's lock, reads again
// (the holder before it may have refreshed), and only then calls the
// provider, saving its answer before the lock is released. A failing
// store is logged and bypassed; a hung one is given up on at its bound
// (storeCall): no store this time, never a wedged caller.
func (c *Cache) callStore(ctx context.Context, timeout time.Duration) outcome {
	key, asker, err := c.storeKey(ctx)
	if err != nil {
		// The credentials that ask failed: the provider's own call says so,
		// in its own words.
		c.opts.Logger.Debug("xacct: credential store: not used, as who asks is unknown", "provider", c.desc.name, "error", err)
		return c.callBounded(ctx, timeout)
	}
	out, ok, err := c.loadFresh(ctx, key)
	if ok {
		return out
	}
	if errors.Is(err, errStoreHung) {
		return c.withoutStore(ctx, timeout, "reading", err)
	}
	unlock, err := c.lockStore(ctx, key)
	switch {
	case errors.Is(err, errStoreHung):
		return c.withoutStore(ctx, timeout, "locking", err)
	case err != nil && ctx.Err() != nil:
		return outcome{err: fmt.Errorf("xacct: waiting for another process to refresh %s: %w: %w",
			c.desc.name, ErrStoreLockWait, err)}
	case err != nil:
		c.opts.Logger.Warn("xacct: credential store: lock failed; fetching without it",
			"provider", c.desc.name, "error", err, NoticeAttr, true)
		return c.callBounded(ctx, timeout)
	}
	defer c.unlockStore(unlock)
	if out, ok, err := c.loadFresh(ctx, key); ok {
		return out
	} else if errors.Is(err, errStoreHung) {
		return c.withoutStore(ctx, timeout, "reading", err)
	}
	return c.callIdentified(ctx, timeout, key, asker, true)
}

// callIdentified calls the provider, signed by the credentials its
// requester binds, and records the answer under the key of who signed it
// (saving it in the store when save is set): key, made for asker, unless
// the facts changed since the lookup (then the signer's own identity
// makes the key).
func (c *Cache) callIdentified(ctx context.Context, timeout time.Duration, key, asker string, save bool) outcome {
	r, ok := c.provider.(requester)
	if !ok {
		return c.callBounded(ctx, timeout)
	}
	id, ctx, err := r.bind(ctx)
	if err != nil {
		return c.callBounded(ctx, timeout) // the requester failed: the provider's own call says so
	}
	if id != asker || key == "" {
		key = c.keyFor(id)
	}
	began := c.opts.Now()
	out := c.callBounded(ctx, timeout)
	out.key = key
	// Long-term keys are not kept: their own source (a file, a password
	// manager behind credential_process) stays the one to ask.
	if save && out.err == nil && out.creds.CanExpire {
		c.save(ctx, key, out.creds, began)
	}
	return out
}

// storeKey returns the key under which c's next fetch looks, from facts,
// and the identity of who would ask, which the key is made of.
func (c *Cache) storeKey(ctx context.Context) (key, asker string, err error) {
	r, ok := c.provider.(requester)
	if !ok || c.desc.session == nil {
		return "", "", fmt.Errorf("xacct: %s is not kept in a store", c.desc.name)
	}
	if asker, err = r.requesterID(ctx); err != nil {
		return "", "", err
	}
	return c.keyFor(asker), asker, nil
}

// keyFor returns the key of c's session asked for by asker.
func (c *Cache) keyFor(asker string) string {
	k := *c.desc.session
	k.Requester = asker
	return k.Key()
}

// identity returns who c's credentials are, from facts, without fetching
// a stored session (lookupIdentity).
func (c *Cache) identity(ctx context.Context) (string, error) {
	if c.desc.session != nil {
		key, _, err := c.storeKey(ctx)
		return key, err
	}
	if inner, ok := c.provider.(*Cache); ok {
		return inner.identity(ctx)
	}
	creds, err := c.Retrieve(ctx)
	if err != nil {
		return "", err
	}
	return fingerprint(creds), nil
}

// identified returns c's credentials and the identity they were fetched
// under, from one entry: for a stored session, the key it was fetched or
// found under; for other credentials, a digest of themselves.
func (c *Cache) identified(ctx context.Context) (aws.Credentials, string, error) {
	creds, err := c.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, "", err
	}
	if e := c.cur.Load(); e != nil && e.id != "" && sameCredentials(e.creds, creds) {
		return creds, e.id, nil
	}
	return creds, fingerprint(creds), nil
}

func sameCredentials(a, b aws.Credentials) bool {
	return a.AccessKeyID == b.AccessKeyID && a.SecretAccessKey == b.SecretAccessKey && a.SessionToken == b.SessionToken
}

// loadFresh returns the stored credentials if they are fresh by this
// cache's windows, and were stored after the last Invalidate. err is set
// only when the store failed (errStoreHung: it did not return in time).
func (c *Cache) loadFresh(ctx context.Context, key string) (outcome, bool, error) {
	sc, err := storeCall(ctx, storeBound(&c.opts), func(ctx context.Context) (*StoredCredentials, error) {
		return c.opts.Store.Load(ctx, key)
	}, nil)
	if err != nil {
		c.opts.Logger.Warn("xacct: credential store: load failed", "provider", c.desc.name, "error", err, NoticeAttr, true)
		return outcome{}, false, err
	}
	now := c.opts.Now()
	switch {
	case sc == nil || sc.Credentials.AccessKeyID == "" || !sc.Fetched.After(c.invalidatedAt()):
		return outcome{}, false, nil
	case sc.Fetched.After(now):
		// Dated in the future: damaged, or written by a clock ahead of
		// ours. Used, it would outlive Invalidate and every freshness
		// rule, so it is a miss, and the next save replaces it.
		c.opts.Logger.Debug("xacct: credential store: entry dated in the future, ignored", "provider", c.desc.name)
		return outcome{}, false, nil
	}
	// The entry is built once, with its jitter, so that the credentials
	// found fresh here are cached fresh.
	e := newEntry(sc.Credentials, sc.Fetched, &c.opts)
	e.id = key
	if e.state(now) != fresh {
		return outcome{}, false, nil // due for a refresh: this fetch is it
	}
	if cur := c.cur.Load(); cur != nil && cur.creds.AccessKeyID == sc.Credentials.AccessKeyID {
		return outcome{}, false, nil // the credentials this fetch is to replace
	}
	c.opts.Logger.Debug("xacct: credentials from the store", "provider", c.desc.name, "expires", sc.Credentials.Expires)
	return outcome{creds: sc.Credentials, entry: e, key: key}, true, nil
}

// lockStore takes the key's lock, saying so in the log when another
// process holds it for long. It waits as long as the fetch may (the
// holder may be waiting for a person typing a code in another process,
// and cutting that short would cost a second prompt); a Lock that has not
// returned by then is errStoreHung.
func (c *Cache) lockStore(ctx context.Context, key string) (unlock func(), err error) {
	notice := time.AfterFunc(storeWaitNotice, func() {
		// "notice": a line for a person at a terminal, which tools show
		// (so are the store's failures, below).
		c.opts.Logger.Info("xacct: waiting for another xacct process to refresh "+c.desc.name,
			"provider", c.desc.name, "waiting_for", "lock", NoticeAttr, true) // waiting_for: what a tool may say better
	})
	defer notice.Stop()
	return storeCall(ctx, 0, func(ctx context.Context) (func(), error) {
		return c.opts.Store.Lock(ctx, key)
	}, func(unlock func()) { unlock() })
}

// unlockStore releases a store lock on a bound of its own, as every other
// store call: closing a lock file on a hung network file system blocks,
// and a Store's unlock may panic.
func (c *Cache) unlockStore(unlock func()) {
	_, err := storeCall(context.Background(), storeBound(&c.opts), func(context.Context) (struct{}, error) {
		unlock()
		return struct{}{}, nil
	}, nil)
	if err != nil {
		if errors.Is(err, errStoreHung) {
			storeHung(&c.opts)
		}
		c.opts.Logger.Warn("xacct: credential store: unlock failed", "provider", c.desc.name, "error", err, NoticeAttr, true)
	}
}

// save stores credentials just fetched, on a bound of its own: they are
// worth keeping even when the fetch's deadline is near.
//
// began is when the call began: an entry of a fetch begun before an
// Invalidate is older than it, and never served after it.
func (c *Cache) save(ctx context.Context, key string, creds aws.Credentials, began time.Time) {
	sc := &StoredCredentials{Kind: c.desc.session.Kind, Name: c.desc.name, Credentials: creds, Fetched: began}
	_, err := storeCall(context.WithoutCancel(ctx), storeBound(&c.opts), func(ctx context.Context) (struct{}, error) {
		return struct{}{}, c.opts.Store.Save(ctx, key, sc)
	}, nil)
	if errors.Is(err, errStoreHung) {
		storeHung(&c.opts)
	}
	if err != nil {
		c.opts.Logger.Warn("xacct: credential store: save failed", "provider", c.desc.name, "error", err, NoticeAttr, true)
	}
}

// withoutStore calls the provider after the store hung: no store this
// time, nor for the caches built with c's options until storeHungPause
// has passed. The store may have used up the fetch's deadline, so the
// provider gets the fetch's timeout anew; the fetch is still abandoned
// when every caller who waits on a prompt has left.
func (c *Cache) withoutStore(ctx context.Context, timeout time.Duration, doing string, err error) outcome {
	if errors.Is(ctx.Err(), context.Canceled) {
		return outcome{err: ctx.Err()} // abandoned meanwhile: the store did not hang, the callers left
	}
	storeHung(&c.opts)
	c.opts.Logger.Warn("xacct: credential store: fetching without it, as "+doing+" it did not return in time",
		"provider", c.desc.name, "error", err, NoticeAttr, true)
	fresh, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	if c.waiters != nil && !inBackground(ctx) {
		unwatch := c.waiters.watch(cancel)
		defer unwatch()
	}
	return c.callBounded(fresh, timeout)
}

// StoreKeys returns the keys under which c and the hops, MFA session and
// web identity session it is built on are kept in Options.Store, in the
// order the chain runs backwards: c's own first, then the session that
// signs c's call, and so on down to the first stored session. For a
// profile's chain that is the last hop first, down to hop 1, then the MFA
// session, then a web identity session or SSO role credentials; an
// unstored step (long-term keys, a credential_process) has no key. A key
// names who asks as well as what is asked, so finding it may need the
// chain's base (a credential_process runs, an SSO token is read; no STS
// call is made and no code is asked). Tools use it to find or clear a
// chain's entries.
func (c *Cache) StoreKeys(ctx context.Context) ([]string, error) {
	var keys []string
	for p := aws.CredentialsProvider(c); p != nil; p = baseOf(p) {
		cc, ok := p.(*Cache)
		if !ok || cc.desc.session == nil {
			continue
		}
		key, _, err := cc.storeKey(ctx)
		if err != nil {
			return nil, fmt.Errorf("xacct: the store key of %s: %w", cc.desc.name, err)
		}
		keys = append(keys, key)
	}
	return keys, nil
}
