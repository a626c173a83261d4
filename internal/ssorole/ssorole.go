// Package ssorole is the credentials provider of an SSO profile's base:
// the role credentials that the AWS access portal (GetRoleCredentials)
// gives for the access token of the session's token cache, which
// ssocache refreshes under its cross-process lock (never the SDK's own
// refresh, which loses the session when processes race). It also says
// what decides those credentials, for the credential store's key
// (StoreSession, and the access token as the requester).
package ssorole

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/smithy-go"

	"github.com/xacct/xacct/internal/ssocache"
	"github.com/xacct/xacct/internal/storekey"
)

// PortalClient is the portal operation the provider makes (*sso.Client).
type PortalClient interface {
	GetRoleCredentials(ctx context.Context, in *sso.GetRoleCredentialsInput, optFns ...func(*sso.Options)) (*sso.GetRoleCredentialsOutput, error)
}

// Provider is an aws.CredentialsProvider of one account's role through a
// session. It is safe for concurrent use; it caches nothing itself (wrap
// it in a cache).
type Provider struct {
	Tokens    *ssocache.Cache
	Session   ssocache.Session
	Portal    PortalClient
	Endpoint  string // the portal's URL, for store keys: a fake's entries are never real ones
	AccountID string
	RoleName  string
}

// StoreSession is what decides the provider's credentials in a store key
// (internal/storekey), but for the requester, which is the access token
// (RequesterID).
func (p *Provider) StoreSession() storekey.Session {
	return storekey.Session{Kind: storekey.KindSSORole, Endpoint: p.Endpoint, Region: p.Session.Region,
		SSO: storekey.SSORole{StartURL: p.Session.StartURL, AccountID: p.AccountID, RoleName: p.RoleName}}
}

// RequesterID identifies who would ask the portal now: the session's
// access token (read, and refreshed when due), by its digest.
func (p *Provider) RequesterID(ctx context.Context) (string, error) {
	id, _, err := p.Bind(ctx)
	return id, err
}

// Bind reads the session's token as RequesterID does, and returns a
// context that makes Retrieve present exactly that token: the credentials
// are stored under the identity of the token that fetched them, even when
// another process refreshes the token in between.
func (p *Provider) Bind(ctx context.Context) (id string, bound context.Context, err error) {
	t, err := p.Tokens.Token(ctx, p.Session)
	if err != nil {
		return "", ctx, err
	}
	return storekey.SSOAccessToken(t.AccessToken), context.WithValue(ctx, tokenKey{p}, boundToken{t}), nil
}

// boundToken is the token Bind read, carried in a fetch's context; String
// keeps it out of a formatted context.
type boundToken struct{ t *ssocache.Token }

func (boundToken) String() string { return "ssorole.boundToken(redacted)" }

// tokenKey keys it, by provider, so that it reaches no other provider.
type tokenKey struct{ p *Provider }

// Retrieve returns the role's credentials on the session's access token.
// A session that needs a new sign-in gives a *ssocache.NeedLoginError;
// a role the portal refuses, an error naming the account and role.
func (p *Provider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	t, err := p.token(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	out, err := p.Portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
		AccessToken: aws.String(t.AccessToken), AccountId: aws.String(p.AccountID), RoleName: aws.String(p.RoleName)})
	if err != nil {
		return aws.Credentials{}, p.portalError(err)
	}
	rc := out.RoleCredentials
	if rc == nil || rc.AccessKeyId == nil || rc.SecretAccessKey == nil {
		return aws.Credentials{}, fmt.Errorf("the portal's answer for role %s in account %s has no credentials", p.RoleName, p.AccountID)
	}
	return aws.Credentials{AccessKeyID: *rc.AccessKeyId, SecretAccessKey: *rc.SecretAccessKey,
		SessionToken: aws.ToString(rc.SessionToken), Source: "xacct SSO " + p.Session.Key(),
		CanExpire: true, Expires: time.UnixMilli(rc.Expiration).UTC(), AccountID: p.AccountID}, nil
}

// token is the token Bind put in ctx, else the session's now.
func (p *Provider) token(ctx context.Context) (*ssocache.Token, error) {
	if b, ok := ctx.Value(tokenKey{p}).(boundToken); ok {
		return b.t, nil
	}
	return p.Tokens.Token(ctx, p.Session)
}

// portalError turns the portal's refusal into a sentence, by its code.
func (p *Provider) portalError(err error) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		var oe *smithy.OperationError
		if errors.As(err, &oe) {
			err = oe.Err
		}
		return fmt.Errorf("GetRoleCredentials for role %s in account %s: %v", p.RoleName, p.AccountID, err)
	}
	switch ae.ErrorCode() {
	case "UnauthorizedException":
		return &ssocache.NeedLoginError{Why: "the AWS access portal refused the access token of " + p.Session.Key() +
			" (expired or signed out)"}
	case "ForbiddenException", "ResourceNotFoundException":
		return fmt.Errorf("the AWS access portal refuses role %s in account %s to the signed-in user (%s): "+
			"check sso_account_id and sso_role_name against the user's assignments", p.RoleName, p.AccountID, ae.ErrorCode())
	}
	return fmt.Errorf("GetRoleCredentials for role %s in account %s: the portal answered %s", p.RoleName, p.AccountID, ae.ErrorCode())
}

// Endpoint names the portal that c calls: its base endpoint, else the
// one the SDK resolves for its region.
func Endpoint(ctx context.Context, c *sso.Client) string {
	o := c.Options()
	if o.BaseEndpoint != nil {
		return *o.BaseEndpoint
	}
	ep, err := sso.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, sso.EndpointParameters{Region: aws.String(o.Region)})
	if err != nil {
		return "portal:" + o.Region
	}
	return ep.URI.String()
}
