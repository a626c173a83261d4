package xacct

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// minGain is how much longer than the asked validity a session must last
// for RetrieveValidFor to fetch anew: a session of 15 minutes never gives
// 15 minutes (the fetch takes some of it), and fetching it on every call
// would buy nothing.
const minGain = time.Minute

// RetrieveValidFor returns credentials valid for at least d from now on
// the Cache's clock (Options.Now), whenever the session allows it. Cached
// credentials with less left are refreshed at once, with every caller
// waiting for that one shared fetch, as in the due state. The session
// does not allow it when its credentials last less than d plus a minute
// from their fetch (a role with a 15m duration asked for 15m): then what
// Retrieve returns is returned, and refreshed on the Cache's own windows.
//
// It serves callers that hold credentials longer than the Cache's windows
// assume: a credential endpoint (CredentialsHandler asks for 15 minutes),
// a command that hands them to a child. A refresh that fails leaves the
// cached credentials to the caller while they are valid, as in Retrieve.
// Credentials that cannot expire are returned as they are; d <= 0 is
// Retrieve.
func (c *Cache) RetrieveValidFor(ctx context.Context, d time.Duration) (aws.Credentials, error) {
	creds, err := c.Retrieve(ctx)
	if err != nil || !creds.CanExpire || d <= 0 {
		return creds, err
	}
	e := c.cur.Load()
	switch {
	case e == nil || !sameCredentials(e.creds, creds): // replaced meanwhile, by newer ones
		return creds, nil
	case !e.expires.Before(c.opts.Now().Add(d)), e.expires.Sub(e.fetched) < d+minGain:
		return creds, nil // long enough, or as long as the session allows
	}
	return c.await(ctx, e)
}
