package basecreds

// A web identity session: the OIDC token in a file that another program
// writes (EKS, a CI runner), exchanged for a role's credentials with
// AssumeRoleWithWebIdentity, and identified by the token it presents.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/xacct/xacct/internal/storekey"
)

// maxWebIdentityToken is the longest token STS's AssumeRoleWithWebIdentity
// takes, in characters: a longer file is refused before it is read whole.
const maxWebIdentityToken = 20000

// WebIdentity makes the AssumeRoleWithWebIdentity calls of a web identity
// session. A session of it is identified by the SHA-256 of the token it
// presents, not by the token file's path: one path (a CI runner's) holds
// the tokens of many identities, one after another. Its fields are set
// before its first use and not changed after; it is then safe for
// concurrent use.
type WebIdentity struct {
	Client      stscreds.AssumeRoleWithWebIdentityAPIClient
	TokenFile   string           // web_identity_token_file
	RoleARN     string           // validated by the caller
	SessionName string           // validated by the caller
	Duration    time.Duration    // validated by the caller
	Key         storekey.Session // what decides its sessions in a store, but for the token (StoreSession)

	// FromSTS turns STS's answer into credentials, refusing an incomplete
	// one (the caller's one converter of STS answers).
	FromSTS func(c *types.Credentials, source string) (aws.Credentials, error)
}

// StoreSession is what decides the session in a store key, but for the
// requester, the token (RequesterID).
func (p *WebIdentity) StoreSession() storekey.Session { return p.Key }

// AnswerError is STS's answer refused by FromSTS: the token and the role
// were fine, and STS's answer is at fault.
type AnswerError struct{ Err error }

// Error names the call and says what was wrong with its answer.
func (e *AnswerError) Error() string { return "AssumeRoleWithWebIdentity: " + e.Err.Error() }

// Unwrap returns FromSTS's error.
func (e *AnswerError) Unwrap() error { return e.Err }

// webToken is a token read for one fetch, carried in its context so that
// the call presents the very token its identity was made of. String
// keeps it out of a formatted context.
type webToken struct{ b []byte }

// String shows no token.
func (webToken) String() string { return "xacct.webToken(redacted)" }

// webTokenKey keys the token in a fetch's context, by provider, so that it
// reaches no other provider's call.
type webTokenKey struct{ p *WebIdentity }

// RequesterID identifies who would ask for a session now: the token in the
// file, by its SHA-256.
func (p *WebIdentity) RequesterID(ctx context.Context) (string, error) {
	id, _, err := p.Bind(ctx)
	return id, err
}

// Bind reads the token, identifies it as RequesterID does, and returns a
// context that makes Retrieve present exactly that token.
func (p *WebIdentity) Bind(ctx context.Context) (id string, bound context.Context, err error) {
	tok, err := p.readToken()
	if err != nil {
		return "", ctx, err
	}
	sum := sha256.Sum256(tok)
	return "web-identity-token:" + hex.EncodeToString(sum[:]), context.WithValue(ctx, webTokenKey{p}, webToken{tok}), nil
}

// Retrieve exchanges the token for the role's credentials: the token that
// Bind put in ctx, else the file's. Its errors name the file or the call;
// an answer that FromSTS refuses is an *AnswerError.
func (p *WebIdentity) Retrieve(ctx context.Context) (aws.Credentials, error) {
	tok, ok := ctx.Value(webTokenKey{p}).(webToken)
	if !ok {
		b, err := p.readToken()
		if err != nil {
			return aws.Credentials{}, err
		}
		tok = webToken{b}
	}
	out, err := p.Client.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn:          aws.String(p.RoleARN),
		RoleSessionName:  aws.String(p.SessionName),
		WebIdentityToken: aws.String(string(tok.b)),
		DurationSeconds:  aws.Int32(int32(p.Duration / time.Second)),
	})
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("AssumeRoleWithWebIdentity: %w", err)
	}
	creds, err := p.FromSTS(out.Credentials, "xacct: web identity")
	if err != nil {
		return aws.Credentials{}, &AnswerError{Err: err}
	}
	if out.AssumedRoleUser != nil {
		if a, err := arn.Parse(aws.ToString(out.AssumedRoleUser.Arn)); err == nil {
			creds.AccountID = a.AccountID
		}
	}
	return creds, nil
}

// readToken reads the token file, refusing what is not a regular file or
// holds more than STS takes, before reading it whole: a FIFO would block
// and /dev/zero would fill memory. Its errors start with the file's path.
func (p *WebIdentity) readToken() ([]byte, error) {
	fail := func(err error) ([]byte, error) { return nil, fmt.Errorf("%s: %w", p.TokenFile, err) }
	b, err := ReadRegular(p.TokenFile, maxWebIdentityToken)
	var big *TooLargeError
	switch {
	case errors.As(err, &big):
		return fail(fmt.Errorf("%w: STS takes a web identity token of at most %d characters", err, maxWebIdentityToken))
	case err != nil:
		return fail(err)
	case len(b) == 0:
		return fail(errors.New("is empty: it must hold the OIDC token that the role's identity provider issued"))
	}
	return b, nil
}
