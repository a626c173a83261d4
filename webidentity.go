package xacct

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
)

// maxWebIdentityToken is the longest token STS's AssumeRoleWithWebIdentity
// takes, in characters: a longer file is refused before it is read whole.
const maxWebIdentityToken = 20000

// webIdentityProvider makes the AssumeRoleWithWebIdentity calls of a
// profile's web identity base. Its session is kept in a Store under the
// SHA-256 of the token it presents, not the token file's path: one path
// (a CI runner's) holds the tokens of many identities, one after another.
type webIdentityProvider struct {
	client stscreds.AssumeRoleWithWebIdentityAPIClient
	file   string   // web_identity_token_file
	role   Role     // ARN, SessionName and Duration; validated
	base   baseSpec // for errors
}

// webToken is a token read for one fetch, carried in its context so that
// the call presents the very token its store key was made of. String
// keeps it out of a formatted context.
type webToken struct{ b []byte }

func (webToken) String() string { return "xacct.webToken(redacted)" }

// webTokenKey keys the token in a fetch's context, by provider, so that it
// reaches no other provider's call.
type webTokenKey struct{ p *webIdentityProvider }

// requesterID identifies the session's requester: the token now in the
// file, by its SHA-256.
func (p *webIdentityProvider) requesterID(ctx context.Context) (string, error) {
	id, _, err := p.bind(ctx)
	return id, err
}

// bind reads the token, identifies it, and binds the call to it.
func (p *webIdentityProvider) bind(ctx context.Context) (string, context.Context, error) {
	tok, err := p.readToken()
	if err != nil {
		return "", ctx, err
	}
	sum := sha256.Sum256(tok)
	return "web-identity-token:" + hex.EncodeToString(sum[:]), context.WithValue(ctx, webTokenKey{p}, webToken{tok}), nil
}

// Retrieve exchanges the token for the role's credentials: the token its
// fetch identified, else the file's.
func (p *webIdentityProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	tok, ok := ctx.Value(webTokenKey{p}).(webToken)
	if !ok {
		b, err := p.readToken()
		if err != nil {
			return aws.Credentials{}, err
		}
		tok = webToken{b}
	}
	out, err := p.client.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn:          aws.String(p.role.ARN),
		RoleSessionName:  aws.String(p.role.SessionName),
		WebIdentityToken: aws.String(string(tok.b)),
		DurationSeconds:  aws.Int32(int32(p.role.Duration / time.Second)),
	})
	if err != nil {
		return aws.Credentials{}, p.base.fail(p.base.key, fmt.Errorf("AssumeRoleWithWebIdentity: %w", err), p.base.hint)
	}
	creds, err := fromSTS(out.Credentials, "xacct: web identity")
	if err != nil {
		return aws.Credentials{}, p.base.fail(p.base.key, fmt.Errorf("AssumeRoleWithWebIdentity: %w", err), "")
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
// and /dev/zero would fill memory.
func (p *webIdentityProvider) readToken() ([]byte, error) {
	fail := func(err error) ([]byte, error) {
		return nil, p.base.fail(p.base.key, fmt.Errorf("%s: %w", p.file, err), p.base.hint)
	}
	b, err := readRegular(p.file, maxWebIdentityToken)
	var big *tooLargeError
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
