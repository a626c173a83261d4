// Package ssologin signs a person in to IAM Identity Center, as AWS CLI v2
// does: the authorization code flow with PKCE (S256) and a loopback
// redirect (the default), or the device authorization flow (for a machine
// without a browser); with one client registration, reused from the token
// cache until it expires; and writes the token through ssocache, under
// the session's lock, in the format every SDK reads.
package ssologin

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/xacct/xacct/internal/ssocache"
)

// OIDCClient is what a sign-in calls (*ssooidc.Client).
type OIDCClient interface {
	RegisterClient(ctx context.Context, in *ssooidc.RegisterClientInput, optFns ...func(*ssooidc.Options)) (*ssooidc.RegisterClientOutput, error)
	StartDeviceAuthorization(ctx context.Context, in *ssooidc.StartDeviceAuthorizationInput, optFns ...func(*ssooidc.Options)) (*ssooidc.StartDeviceAuthorizationOutput, error)
	ssocache.OIDCClient
}

// Config is one sign-in.
type Config struct {
	Session ssocache.Session
	Tokens  *ssocache.Cache
	OIDC    OIDCClient
	// Endpoint is the OIDC service's URL (https://oidc.REGION.amazonaws.com,
	// or a fake's), whose /authorize the browser opens.
	Endpoint string
	// DeviceCode chooses the device authorization flow.
	DeviceCode bool
	// OpenURL shows the person where to sign in: the URL, and for the
	// device flow the code the page asks for ("" in the loopback flow).
	OpenURL func(ctx context.Context, url, userCode string) error
	// Now is the clock; Sleep waits between device flow polls.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// ClientName names the registration, as the service shows it.
	ClientName string
}

// Scopes are the scopes xacct registers and asks for: the portal's, as
// the AWS CLI's default sso_registration_scopes.
var Scopes = []string{"sso:account:access"}

// grantTypes are those the registration allows: both flows and refresh,
// so that one registration serves every sign-in until it expires.
var grantTypes = []string{"authorization_code", "urn:ietf:params:oauth:grant-type:device_code", "refresh_token"}

// redirectURI is the registered loopback redirect; the sign-in uses it at
// the port it listens on (RFC 8252), as the AWS CLI does.
const redirectURI = "http://127.0.0.1/oauth/callback"

// minRegistrationLeft is how long a cached client registration must
// still last to be reused: a day, so that a sign-in (up to 8 hours by
// default, refreshed with the same client) never outlives it.
const minRegistrationLeft = 24 * time.Hour

// Error is a sign-in that failed, in one sentence without secrets.
type Error struct{ Why string }

func (e *Error) Error() string { return e.Why }

// Login signs in and writes the session's token cache file. The file is
// written under the session's lock, after the sign-in (which may take the
// person minutes), so that refreshes of other processes do not wait for
// it; a failed sign-in leaves the file as it was.
func Login(ctx context.Context, c Config) error {
	now := c.Now()
	old, err := c.Tokens.Load(c.Session)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		old = nil // unreadable: sign in and replace it
	}
	reg, err := c.registration(ctx, old, now)
	if err != nil {
		return err
	}
	var tok *ssooidc.CreateTokenOutput
	if c.DeviceCode {
		tok, err = c.device(ctx, reg)
	} else {
		tok, err = c.loopback(ctx, reg)
	}
	if err != nil {
		return err
	}
	t := &ssocache.Token{StartURL: c.Session.StartURL, Region: c.Session.Region,
		AccessToken: aws.ToString(tok.AccessToken), ClientID: reg.ClientID, ClientSecret: reg.ClientSecret,
		ExpiresAt:             c.Now().Add(time.Duration(tok.ExpiresIn) * time.Second).Truncate(time.Second),
		RegistrationExpiresAt: reg.Expires, RefreshToken: aws.ToString(tok.RefreshToken)}
	unlock, err := c.Tokens.Lock(ctx, c.Session)
	if err != nil {
		return fmt.Errorf("locking the token of %s: %w", c.Session.Key(), err)
	}
	defer unlock()
	return ssocache.Save(c.Tokens.Path(c.Session), t)
}

// Registration is a client registration.
type Registration struct {
	ClientID, ClientSecret string
	Expires                time.Time
}

// registration reuses the cached token's registration while it lasts
// minRegistrationLeft more, else registers a client.
func (c Config) registration(ctx context.Context, old *ssocache.Token, now time.Time) (Registration, error) {
	if old != nil && old.ClientID != "" && old.ClientSecret != "" && now.Add(minRegistrationLeft).Before(old.RegistrationExpiresAt) {
		return Registration{old.ClientID, old.ClientSecret, old.RegistrationExpiresAt}, nil
	}
	out, err := c.OIDC.RegisterClient(ctx, &ssooidc.RegisterClientInput{
		ClientName: aws.String(c.ClientName), ClientType: aws.String("public"), Scopes: Scopes,
		GrantTypes: grantTypes, RedirectUris: []string{redirectURI}, IssuerUrl: aws.String(c.Session.StartURL)})
	if err != nil {
		return Registration{}, serviceError("registering the client", err)
	}
	return Registration{aws.ToString(out.ClientId), aws.ToString(out.ClientSecret), time.Unix(out.ClientSecretExpiresAt, 0)}, nil
}

// authorizeURL is the authorize endpoint's URL for one loopback sign-in.
func (c Config) authorizeURL(reg Registration, redirect, state, challenge string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {reg.ClientID}, "redirect_uri": {redirect},
		"state": {state}, "code_challenge_method": {"S256"}, "scopes": Scopes, "code_challenge": {challenge}}
	return c.Endpoint + "/authorize?" + q.Encode()
}
