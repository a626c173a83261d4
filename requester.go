package xacct

// Who asks STS for a stored session, identified from facts: a store key
// (internal/storekey makes them) hashes the identity actually obtained at
// run time by the credentials that ask STS for the session, never a name
// (a profile, a command line, a file's path) that two identities could
// share.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xacct/xacct/internal/storekey"
)

// requester is implemented by the providers that a Cache keeps in a Store
// (a hop, an MFA session, a web identity session). Who asks is identified
// twice, from facts each time:
//
//   - requesterID, to find the entry: who would ask now, without fetching
//     a stored session (finding hop 2 must not prompt for hop 1's code);
//   - bind, to make the call: the credentials that will sign it (or, for
//     web identity, the token it presents) and their identity, from one
//     snapshot, with a context that makes the call use exactly them.
//
// The two differ only when the facts changed in between (a token file
// rewritten while a session of the old token is still cached): the call
// is then stored under the identity that made it, never under another's.
type requester interface {
	requesterID(ctx context.Context) (string, error)
	bind(ctx context.Context) (id string, bound context.Context, err error)
}

// lookupIdentity returns who p's credentials are, from facts, without
// fetching a stored session: for a stored Cache, the key it would be
// fetched under now; for any other provider, a keyed digest of the
// credentials it returns now. Long-term keys are identified by their
// secret too, not by their access key ID alone, which is no secret: a
// process that knows only the ID of another's key must not be handed
// sessions made with it.
func lookupIdentity(ctx context.Context, p aws.CredentialsProvider) (string, error) {
	if c, ok := p.(*Cache); ok {
		return c.identity(ctx)
	}
	creds, err := p.Retrieve(ctx)
	if err != nil {
		return "", err
	}
	return fingerprint(creds), nil
}

// identityOf returns credentials of p and the identity they were fetched
// under, from one snapshot: for a Cache, its current entry's; for any
// other provider, a digest of what it returns now.
func identityOf(ctx context.Context, p aws.CredentialsProvider) (aws.Credentials, string, error) {
	if c, ok := p.(*Cache); ok {
		return c.identified(ctx)
	}
	creds, err := p.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, "", err
	}
	return creds, fingerprint(creds), nil
}

// signer is embedded by the providers whose STS call base signs (a hop,
// an MFA session). Its requester steps identify base, and bind binds the
// call to the very credentials identified.
type signer struct {
	base aws.CredentialsProvider
}

// requesterID identifies who would sign now.
func (s *signer) requesterID(ctx context.Context) (string, error) {
	return lookupIdentity(ctx, s.base)
}

// bind identifies the credentials that will sign, and binds the call to
// them.
func (s *signer) bind(ctx context.Context) (string, context.Context, error) {
	creds, id, err := identityOf(ctx, s.base)
	if err != nil {
		return "", ctx, err
	}
	return id, context.WithValue(ctx, signerKey{s}, boundCredentials{creds, id}), nil
}

// afterPrompt binds the call anew to the base's credentials as they are
// after a person typed a code, when they are still of the identity bound
// before: the credentials bound then may have expired while the person
// typed (a stale session has as little as its blocking window left). A
// base now of another identity keeps the first binding, which the
// session's key was made for.
func (s *signer) afterPrompt(ctx context.Context) context.Context {
	b, ok := ctx.Value(signerKey{s}).(boundCredentials)
	if !ok {
		return ctx
	}
	creds, id, err := identityOf(ctx, s.base)
	if err != nil || id != b.id {
		return ctx
	}
	return context.WithValue(ctx, signerKey{s}, boundCredentials{creds, id})
}

// signWith returns the options that make the STS call sign with the
// credentials bound in ctx; none when there are none.
func (s *signer) signWith(ctx context.Context) []func(*sts.Options) {
	b, ok := ctx.Value(signerKey{s}).(boundCredentials)
	if !ok {
		return nil
	}
	return []func(*sts.Options){func(o *sts.Options) { o.Credentials = credentials.StaticCredentialsProvider{Value: b.creds} }}
}

// signerKey keys, in a fetch's context, the credentials its call must be
// signed with. It is keyed by the signer, so that the value never reaches
// another provider's call (a base's own fetch, started on the same
// context).
type signerKey struct{ s *signer }

// boundCredentials holds them; String keeps them out of a formatted
// context.
type boundCredentials struct {
	creds aws.Credentials
	id    string // the identity they were bound as
}

func (boundCredentials) String() string { return "xacct.boundCredentials(redacted)" }

// sessionKey is everything that decides a stored session (the one key
// builder, in internal/storekey).
type sessionKey = storekey.Session

// fingerprint identifies credentials by a keyed digest of the access key
// ID, the secret and the session token together.
func fingerprint(c aws.Credentials) string {
	return storekey.Credentials(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
}
