package xacct

import (
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// state is where cached credentials stand, by the time left before they
// expire. See the Cache doc comment for what Retrieve does in each.
type state int

const (
	fresh   state = iota // before refreshAt: served as they are
	stale                // from refreshAt: served, and one background refresh starts
	due                  // from blockAt: callers wait for one shared refresh
	expired              // from Expires, or nothing cached: callers wait for one shared fetch
)

// entry is an immutable snapshot of cached credentials and the times at
// which their state changes.
type entry struct {
	creds     aws.Credentials
	refreshAt time.Time // from here: stale
	blockAt   time.Time // from here: due
	expires   time.Time // from here: expired; never for credentials that cannot expire
	fetched   time.Time // when they were fetched (by whichever process): RetrieveValidFor's measure of a session

	// id is the identity the credentials were fetched under: the store
	// key of a stored session. "": they are identified by themselves
	// (fingerprint), as the credentials of any other provider are.
	id string
}

// expiresAt returns when c expires; the zero time when it cannot.
func expiresAt(c aws.Credentials) time.Time {
	if !c.CanExpire {
		return time.Time{}
	}
	return c.Expires
}

// never is a time later than any credential's expiry.
var never = time.Unix(1<<62, 0)

// isFresh reports whether the entry is fresh at now: the whole of the hot
// path, after the atomic load. A nil entry (nothing cached) is not.
func (e *entry) isFresh(now time.Time) bool {
	return e != nil && now.Before(e.refreshAt)
}

// state returns the entry's state at now. A nil entry is expired.
func (e *entry) state(now time.Time) state {
	switch {
	case e == nil:
		return expired
	case e.isFresh(now):
		return fresh
	case now.Before(e.blockAt):
		return stale
	case now.Before(e.expires):
		return due
	}
	return expired
}

// newEntry computes the state boundaries of credentials fetched at
// fetched, with the windows of o. The windows follow the credentials'
// lifetime from that time, so that every process that reads them from a
// Store refreshes them alike.
func newEntry(creds aws.Credentials, fetched time.Time, o *Options) *entry {
	if !creds.CanExpire {
		return &entry{creds: creds, refreshAt: never, blockAt: never, expires: never}
	}
	refresh, jitter, block := o.windows(creds.Expires.Sub(fetched))
	if jitter > 0 {
		refresh += rand.N(jitter + 1)
	}
	return &entry{
		creds:     creds,
		refreshAt: creds.Expires.Add(-refresh),
		blockAt:   creds.Expires.Add(-block),
		expires:   creds.Expires,
		fetched:   fetched,
	}
}

// windows returns, for credentials valid for lifetime, how long before
// expiry a refresh starts (not counting jitter), the most jitter may add to
// that, and how long before expiry callers start to wait.
func (o *Options) windows(lifetime time.Duration) (refresh, jitter, block time.Duration) {
	lifetime = max(lifetime, 0)

	block = min(window(o.BlockingWindow, min(DefaultBlockingWindow, lifetime/10)), lifetime/2)
	// Capped at half the lifetime, so that new credentials are never due
	// for refresh on arrival; and never later than callers start to wait.
	refresh = max(min(window(o.RefreshWindow, min(DefaultRefreshWindow, lifetime/4)), lifetime/2), block)
	jitter = window(o.RefreshJitter, refresh/5)
	// Jitter only moves a refresh earlier, and not before 40% of the
	// lifetime has passed.
	jitter = max(0, min(jitter, lifetime*6/10-refresh))
	return refresh, jitter, block
}

// window resolves a window option: zero picks def, a negative one is none.
func window(set, def time.Duration) time.Duration {
	switch {
	case set == 0:
		return def
	case set < 0:
		return 0
	}
	return set
}
