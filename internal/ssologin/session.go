package ssologin

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/xacct/xacct/internal/filestore"
	"github.com/xacct/xacct/internal/ssocache"
)

// Base is an SSO profile's base, as its shared config says: the session,
// and the account and role it asks the portal for.
type Base struct {
	Profile            string
	Session            ssocache.Session
	AccountID, Role    string
	configFiles, creds []string
}

// ReadBase reads the SSO settings of profile (the profile that holds
// them, the chain's base) from the shared files.
func ReadBase(ctx context.Context, profile string, configFiles, credentialsFiles []string) (*Base, error) {
	sc, err := config.LoadSharedConfigProfile(ctx, profile, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles, o.CredentialsFiles = configFiles, credentialsFiles
	})
	if err != nil {
		return nil, fmt.Errorf("reading profile %s: %w", profile, err)
	}
	b := &Base{Profile: profile, AccountID: sc.SSOAccountID, Role: sc.SSORoleName, configFiles: configFiles, creds: credentialsFiles,
		Session: ssocache.Session{StartURL: sc.SSOStartURL, Region: sc.SSORegion}}
	if s := sc.SSOSession; s != nil {
		b.Session = ssocache.Session{Name: s.Name, StartURL: s.SSOStartURL, Region: s.SSORegion}
	}
	if b.Session.StartURL == "" || b.Session.Region == "" {
		return nil, fmt.Errorf("profile %s has no SSO start URL and region (sso_session, or sso_start_url and sso_region)", profile)
	}
	return b, nil
}

// SessionBase is the base of a session alone, with no account or role,
// for the portal's listings and the session's token: its clients take the
// configuration of profile (endpoint_url, services; "" for the default).
func SessionBase(profile string, s ssocache.Session, configFiles, credentialsFiles []string) *Base {
	return &Base{Profile: profile, Session: s, configFiles: configFiles, creds: credentialsFiles}
}

// Clients are the SSO services of a base, configured as the SDK
// configures them for its profile (AWS_ENDPOINT_URL_SSO_OIDC,
// AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL, endpoint_url), in the session's
// region, unless endpoint (a base endpoint for both) is given.
type Clients struct {
	OIDC     *ssooidc.Client
	Portal   *sso.Client
	Endpoint string // the OIDC service's URL, whose /authorize a browser opens
}

// NewClients builds the clients of b.
func (b *Base) NewClients(ctx context.Context, endpoint string, hc aws.HTTPClient) (*Clients, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithSharedConfigFiles(b.configFiles), config.WithSharedCredentialsFiles(b.creds),
		config.WithSharedConfigProfile(b.Profile), config.WithRegion(b.Session.Region),
		config.WithCredentialsProvider(aws.AnonymousCredentials{}),
	}
	if hc != nil {
		opts = append(opts, config.WithHTTPClient(hc))
	}
	if endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(endpoint))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration of profile %s: %w", b.Profile, err)
	}
	c := &Clients{OIDC: ssooidc.NewFromConfig(cfg), Portal: sso.NewFromConfig(cfg)}
	if e := c.OIDC.Options().BaseEndpoint; e != nil {
		c.Endpoint = *e
	} else {
		ep, err := ssooidc.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, ssooidc.EndpointParameters{Region: aws.String(b.Session.Region)})
		if err != nil {
			return nil, fmt.Errorf("the SSO OIDC endpoint of region %s: %w", b.Session.Region, err)
		}
		c.Endpoint = ep.URI.String()
	}
	return c, nil
}

// NewCache returns the token cache in dir ("": ~/.aws/sso/cache) whose
// locks live in storeDir ("": xacct's store directory).
func NewCache(dir, storeDir string, oidc ssocache.OIDCClient, now func() time.Time) (*ssocache.Cache, error) {
	locks, err := filestore.Open(storeDir)
	if err != nil {
		return nil, err
	}
	return ssocache.New(dir, locks, oidc, now)
}

// Options are a profile sign-in's choices (xacct.SSOLoginOptions).
type Options struct {
	OpenURL                 func(ctx context.Context, url, userCode string) error
	DeviceCode, Force       bool
	HTTPClient              aws.HTTPClient
	Endpoint                string
	Now                     func() time.Time
	Sleep                   func(ctx context.Context, d time.Duration) error
	TokenCacheDir, StoreDir string
}

// SignIn signs in to b's session unless, without Force, the session has a
// valid token (or one a refresh renews). Nil OpenURL prints the URL and
// code on standard error; nil Sleep waits on a timer; nil Now is time.Now.
func (b *Base) SignIn(ctx context.Context, o Options) error {
	if o.Now == nil {
		o.Now = time.Now
	}
	clients, err := b.NewClients(ctx, o.Endpoint, o.HTTPClient)
	if err != nil {
		return err
	}
	tokens, err := NewCache(o.TokenCacheDir, o.StoreDir, clients.OIDC, o.Now)
	if err != nil {
		return err
	}
	if !o.Force {
		if _, err := tokens.Token(ctx, b.Session); err == nil {
			return nil // valid, or renewed by a refresh
		}
	}
	c := Config{Session: b.Session, Tokens: tokens, OIDC: clients.OIDC, Endpoint: clients.Endpoint,
		DeviceCode: o.DeviceCode, OpenURL: o.OpenURL, Now: o.Now, Sleep: o.Sleep, ClientName: "xacct"}
	if c.OpenURL == nil {
		c.OpenURL = printURL
	}
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	if err := Login(ctx, c); err != nil {
		return fmt.Errorf("%s: %w", describe(b.Session), err)
	}
	return nil
}

// printURL is the default OpenURL: the URL and code on standard error.
func printURL(_ context.Context, url, userCode string) error {
	if userCode != "" {
		_, err := fmt.Fprintf(os.Stderr, "Sign in at %s and check that the page shows the code %s\n", url, userCode)
		return err
	}
	_, err := fmt.Fprintf(os.Stderr, "Sign in at %s\n", url)
	return err
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func describe(s ssocache.Session) string {
	if s.Name != "" {
		return "sso-session " + s.Name
	}
	return "start URL " + s.StartURL
}
