package xacct

// Building a profile's base: each kind from the SDK's own provider (static
// keys, ec2rolecreds, endpointcreds, processcreds, the web identity
// provider of stscreds, ssocreds, logincreds), wrapped in an xacct Cache
// whose descriptor the resolved baseSpec gives, and whose failures are
// ProfileErrors naming the profile and the key.

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/logincreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// provider builds the base as a Cache around the SDK's provider.
func (b baseSpec) provider(ctx context.Context, cfg aws.Config, o *Options) (*Cache, error) {
	if b.kind == BaseWebIdentity {
		return b.webIdentity(cfg, o), nil
	}
	p, err := b.sdkProvider(ctx, cfg)
	if err != nil {
		return nil, err
	}
	d := descriptor{name: b.name, caller: b.caller, temporary: b.chaining == ChainingYes, kind: b.sessionKind()}
	// SSO role credentials and a credential_process's output are not
	// stored: fetching them is not STS's to answer, and the SSO token and
	// the tool have caches of their own. Hops on them are, keyed by the
	// credentials they return (storekey.go).
	return newCache(&profileProvider{p: p, base: b}, d, *o), nil
}

// sessionKind is the base's kind for Cache.SessionKind: long-term keys
// (of the profile, or of the environment without a token), the EC2
// instance's role; "" where only the answer could tell.
func (b baseSpec) sessionKind() string {
	switch {
	case b.kind == BaseEC2Metadata:
		return kindRole
	case (b.kind == BaseStaticKeys || b.kind == BaseEnvironment) && b.chaining == ChainingNo:
		return kindLongTerm
	}
	return ""
}

// sdkProvider is the SDK's provider of the base's kind (xacct's own for
// credential_process, which runs the SDK's as a process tree).
func (b baseSpec) sdkProvider(ctx context.Context, cfg aws.Config) (aws.CredentialsProvider, error) {
	s := b.sc
	switch b.kind {
	case BaseStaticKeys, BaseSessionKeys:
		v := s.Credentials
		v.Source = "xacct: profile " + b.profile
		return credentials.StaticCredentialsProvider{Value: v}, nil
	case BaseEnvironment:
		v := b.env.Credentials
		v.Source = "xacct: the environment (profile " + b.profile + ")"
		return credentials.StaticCredentialsProvider{Value: v}, nil
	case BaseEC2Metadata:
		return ec2rolecreds.New(func(eo *ec2rolecreds.Options) { eo.Client = imds.NewFromConfig(cfg) }), nil
	case BaseECSContainer:
		return b.endpointProvider(ctx, cfg)
	case BaseProcess:
		return processProvider{command: s.CredentialProcess}, nil
	case BaseSSO:
		return b.ssoRoleProvider(cfg)
	case BaseLogin:
		path, err := logincreds.StandardCachedTokenFilepath(s.LoginSession, os.Getenv("AWS_LOGIN_CACHE_DIRECTORY"))
		if err != nil {
			return nil, b.fail("login_session", err, "")
		}
		return logincreds.New(signin.NewFromConfig(cfg), path, func(lo *logincreds.Options) {
			lo.RestrictPermissions = cfg.RestrictFilePermissions != aws.RestrictFilePermissionsUnrestricted
		}), nil
	}
	return nil, fmt.Errorf("xacct: profile %s: no provider for base kind %q", b.profile, b.kind)
}

// endpointProvider is the container's credentials endpoint, with its
// authorization token from the environment as the SDK reads it.
func (b baseSpec) endpointProvider(ctx context.Context, cfg aws.Config) (aws.CredentialsProvider, error) {
	if err := checkContainerHost(ctx, b.containerURL); err != nil {
		return nil, b.fail(b.key, err, "")
	}
	return endpointcreds.New(b.containerURL, func(eo *endpointcreds.Options) {
		eo.APIOptions = cfg.APIOptions
		if cfg.Retryer != nil {
			eo.Retryer = cfg.Retryer()
		}
		eo.AuthorizationToken = b.env.ContainerAuthorizationToken
		if path := os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); path != "" {
			eo.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
				return readContainerToken(path)
			})
		}
	}), nil
}

// ssoRoleProvider is the SSO role's credentials, on the token that `aws
// sso login` cached: for an sso-session, refreshed through SSO OIDC.
func (b baseSpec) ssoRoleProvider(cfg aws.Config) (aws.CredentialsProvider, error) {
	s := b.sc
	sc := cfg.Copy()
	var opts []func(*ssocreds.Options)
	startURL := s.SSOStartURL
	sc.Region = s.SSORegion
	if s.SSOSession != nil {
		sc.Region, startURL = s.SSOSession.SSORegion, s.SSOSession.SSOStartURL
		path, err := ssocreds.StandardCachedTokenFilepath(s.SSOSession.Name)
		if err != nil {
			return nil, b.fail("sso_session", err, "")
		}
		tokens := ssocreds.NewSSOTokenProvider(ssooidc.NewFromConfig(sc), path)
		opts = append(opts, func(so *ssocreds.Options) { so.SSOTokenProvider, so.CachedTokenFilepath = tokens, path })
	}
	return ssocreds.New(sso.NewFromConfig(sc), s.SSOAccountID, s.SSORoleName, startURL, opts...), nil
}

// webIdentity builds the web identity base: a Cache that a Store keeps as
// it keeps a hop's session, under the token's hash.
func (b baseSpec) webIdentity(cfg aws.Config, o *Options) *Cache {
	client, ok := newSTSClient(cfg, aws.AnonymousCredentials{}, o).(stscreds.AssumeRoleWithWebIdentityAPIClient)
	if !ok {
		// A test double of Options.NewSTSClient without this call: the
		// SDK's client, bounded like xacct's own.
		client = sts.NewFromConfig(cfg, func(so *sts.Options) { so.APIOptions = append(so.APIOptions, addAnswerLimit) })
	}
	p := &webIdentityProvider{client: client, file: b.sc.WebIdentityTokenFile, role: b.web, base: b}
	d := descriptor{name: b.name, caller: b.caller, temporary: true, kind: kindRole, session: &sessionKey{
		Kind: "web-identity", Endpoint: endpointOf(cfg), Region: cfg.Region, RoleARN: b.web.ARN,
		SessionName: b.web.SessionName, DurationSeconds: int32(b.web.Duration / time.Second),
	}}
	return newCache(p, d, *o)
}

// profileProvider runs the SDK's provider of a base, and makes its
// failures ProfileErrors that name the profile and the key, with a hint.
type profileProvider struct {
	p    aws.CredentialsProvider
	base baseSpec
}

// fail is an error of the base's profile at key; where the base's own key
// is written is said when key is that key.
func (b baseSpec) fail(key string, err error, hint string) *ProfileError {
	pe := &ProfileError{Profile: b.profile, Key: key, Err: err, Hint: hint}
	if key == b.key {
		pe.File, pe.Line = b.at.File, b.at.Line
	}
	return pe
}

// Retrieve calls the SDK's provider.
func (pp *profileProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := pp.p.Retrieve(ctx)
	if err != nil {
		b := pp.base
		return aws.Credentials{}, b.fail(b.key, err, b.hint)
	}
	return creds, nil
}
