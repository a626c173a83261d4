// Package ssorole is the credentials provider of an SSO profile's base:
// the role credentials that the AWS access portal (GetRoleCredentials)
// gives for the access token of the session's token cache, which
// ssocache refreshes under its cross-process lock (never the SDK's own
// refresh, which loses the session when processes race). It also says
// what decides those credentials, for the credential store's key.
package ssorole

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/smithy-go"

	"github.com/xacct/xacct/internal/ssocache"
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
	AccountID string
	RoleName  string
}

// Facts are what decide the credentials of a Provider, which a store key
// must hash: the start URL, account and role, and the SHA-256 of the
// access token (hexadecimal), since the token does not name its user.
type Facts struct {
	StartURL, AccountID, RoleName, AccessTokenSHA256 string
}

// Facts returns what decides the credentials Retrieve would return now:
// it reads (and, when due, refreshes) the session's token as Retrieve
// does. A store keyed by them gives one user's credentials to no other.
func (p *Provider) Facts(ctx context.Context) (Facts, error) {
	t, err := p.Tokens.Token(ctx, p.Session)
	if err != nil {
		return Facts{}, err
	}
	return p.facts(t), nil
}

func (p *Provider) facts(t *ssocache.Token) Facts {
	sum := sha256.Sum256([]byte(t.AccessToken))
	return Facts{StartURL: p.Session.StartURL, AccountID: p.AccountID, RoleName: p.RoleName,
		AccessTokenSHA256: hex.EncodeToString(sum[:])}
}

// Retrieve returns the role's credentials on the session's access token.
// A session that needs a new sign-in gives a *ssocache.NeedLoginError;
// a role the portal refuses, an error naming the account and role.
func (p *Provider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	t, err := p.Tokens.Token(ctx, p.Session)
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
