package xacct

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
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
//     by SIGKILL. unlock releases it.
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
	Kind        string          // what the credentials are: "assume-role", "mfa-session", ...
	Name        string          // the role ARN or MFA serial they are for; never a secret
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

// storeKey returns the key of credentials of kind, the SHA-256 of a
// canonical encoding of everything that decides them: parts holds, in a
// fixed order per kind, the STS endpoint, the identity of the credentials
// that ask for them (for a hop, the previous hop's key; for long-term
// keys, "static:" and the access key ID) and every request field.
func storeKey(kind string, parts ...any) string {
	b, err := json.Marshal(append([]any{"xacct-store-key-v1", kind}, parts...))
	if err != nil {
		panic(err) // strings, numbers and lists of them always encode
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// endpointOf names the STS endpoint that a client built from cfg calls, for
// store keys: a fake on loopback must never share entries with real STS.
// It asks the SDK's own STS client, so that every way of naming an
// endpoint counts: BaseEndpoint, a services section or AWS_ENDPOINT_URL_STS
// (the config's sources), FIPS and dual-stack settings, the region.
func endpointOf(cfg aws.Config) string {
	cfg.Credentials = aws.AnonymousCredentials{} // no provider is called, or kept
	o := sts.NewFromConfig(cfg).Options()
	if o.BaseEndpoint != nil {
		return *o.BaseEndpoint
	}
	if o.EndpointResolverV2 != nil {
		ep, err := o.EndpointResolverV2.ResolveEndpoint(context.Background(), sts.EndpointParameters{
			Region:       aws.String(o.Region),
			UseFIPS:      aws.Bool(o.EndpointOptions.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled),
			UseDualStack: aws.Bool(o.EndpointOptions.UseDualStackEndpoint == aws.DualStackEndpointStateEnabled),
		})
		if err == nil {
			return ep.URI.String()
		}
	}
	return "sts:" + o.Region
}

// ErrStoreLockWait is in the error of a fetch whose deadline (or caller)
// ended while it waited for the Store's lock of its credentials, which
// another process held: errors.Is(err, ErrStoreLockWait) tells that apart
// from a fetch that STS failed.
var ErrStoreLockWait = errors.New("another process holds the store's lock of these credentials")

// storeWaitNotice is how long a fetch waits for another process's lock
// before it says so: long enough not to speak up for a plain refresh.
const storeWaitNotice = 2 * time.Second

// callStore is the call step of a cache with a Store. It reads the store
// without a lock and uses what another process stored if it is fresh;
// else it takes the key's lock, reads again (the holder before it may
// have refreshed), and only then calls the provider, saving its answer
// before the lock is released. A failing store is logged and bypassed.
func (c *Cache) callStore(ctx context.Context, timeout time.Duration) outcome {
	if out, ok := c.loadFresh(ctx); ok {
		return out
	}
	unlock, err := c.lockStore(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return outcome{err: fmt.Errorf("xacct: waiting for another process to refresh %s: %w: %w",
				c.desc.name, ErrStoreLockWait, err)}
		}
		c.log.Warn("xacct: credential store: lock failed; fetching without it",
			"provider", c.desc.name, "error", err, "notice", true)
		return c.callBounded(ctx, timeout)
	}
	defer unlock()
	if out, ok := c.loadFresh(ctx); ok {
		return out
	}
	out := c.callBounded(ctx, timeout)
	// Long-term keys are not kept: their own source (a file, a password
	// manager behind credential_process) stays the one to ask.
	if out.err == nil && out.creds.CanExpire {
		sc := &StoredCredentials{Kind: c.desc.kind, Name: c.desc.name, Credentials: out.creds, Fetched: c.opts.Now()}
		if err := c.opts.Store.Save(ctx, c.desc.identity, sc); err != nil {
			c.log.Warn("xacct: credential store: save failed", "provider", c.desc.name, "error", err, "notice", true)
		}
	}
	return out
}

// loadFresh returns the stored credentials if they are fresh by this
// cache's windows, and were stored after the last Invalidate.
func (c *Cache) loadFresh(ctx context.Context) (outcome, bool) {
	sc, err := c.opts.Store.Load(ctx, c.desc.identity)
	if err != nil {
		c.log.Warn("xacct: credential store: load failed", "provider", c.desc.name, "error", err, "notice", true)
		return outcome{}, false
	}
	if sc == nil || sc.Credentials.AccessKeyID == "" || !sc.Fetched.After(c.invalidatedAt()) {
		return outcome{}, false
	}
	// The entry is built once, with its jitter, so that the credentials
	// found fresh here are cached fresh.
	e := newEntry(sc.Credentials, sc.Fetched, &c.opts)
	if e.state(c.opts.Now()) != fresh {
		return outcome{}, false // due for a refresh: this fetch is it
	}
	if cur := c.cur.Load(); cur != nil && cur.creds.AccessKeyID == sc.Credentials.AccessKeyID {
		return outcome{}, false // the credentials this fetch is to replace
	}
	c.log.Debug("xacct: credentials from the store", "provider", c.desc.name, "expires", sc.Credentials.Expires)
	return outcome{creds: sc.Credentials, entry: e}, true
}

// lockStore takes the key's lock, saying so in the log when another
// process holds it for long.
func (c *Cache) lockStore(ctx context.Context) (unlock func(), err error) {
	notice := time.AfterFunc(storeWaitNotice, func() {
		// "notice": a line for a person at a terminal, which tools show
		// (so are the store's failures, below).
		c.log.Info("xacct: waiting for another xacct process to refresh "+c.desc.name,
			"provider", c.desc.name, "notice", true)
	})
	defer notice.Stop()
	return c.opts.Store.Lock(ctx, c.desc.identity)
}

// StoreKeys returns the keys under which c and the hops and MFA session it
// is built on are kept in Options.Store, c's own first; none for those
// with no stable identity. Tools use it to clear a chain's entries.
func (c *Cache) StoreKeys() []string {
	var keys []string
	for p := aws.CredentialsProvider(c); p != nil; p = baseOf(p) {
		if cc, ok := p.(*Cache); ok && cc.desc.kind != "" && cc.desc.identity != "" {
			keys = append(keys, cc.desc.identity)
		}
	}
	return keys
}
