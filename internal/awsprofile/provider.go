package awsprofile

// Building a base's provider: each kind from the SDK's own provider
// (static keys, ec2rolecreds, endpointcreds, ssocreds, logincreds) or from
// internal/basecreds (credential_process as a process tree, the container
// endpoint's rules, web identity keyed by its token). The caller wraps it
// in its cache, and makes its failures errors of the profile (Fail).

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/logincreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/xacct/xacct/internal/basecreds"
)

// Provider builds the provider of a base of any kind but KindWebIdentity
// (WebIdentity builds that one), from cfg (region, HTTP client, retryer;
// its Credentials are not used). It makes no network call but a container
// endpoint's host name lookup. noPerson tells a fetch where no person may
// be asked, which a credential_process must not give the terminal to. A
// failure here is an *Error; the provider's own failures are its own,
// for Fail.
func (b *Base) Provider(ctx context.Context, cfg aws.Config, noPerson func(context.Context) bool) (aws.CredentialsProvider, error) {
	s := b.sc
	switch b.Kind {
	case KindStaticKeys, KindSessionKeys:
		v := s.Credentials
		v.Source = "xacct: profile " + b.Profile
		return credentials.StaticCredentialsProvider{Value: v}, nil
	case KindEnvironment:
		v := b.env.Credentials
		v.Source = "xacct: the environment (profile " + b.Profile + ")"
		return credentials.StaticCredentialsProvider{Value: v}, nil
	case KindEC2Metadata:
		return basecreds.NewInstanceRole(cfg), nil
	case KindECSContainer:
		p, err := basecreds.Container(ctx, cfg, b.containerURL, b.env)
		if err != nil {
			return nil, b.fail(b.Key, err, "")
		}
		return p, nil
	case KindProcess:
		return basecreds.Process{Command: s.CredentialProcess, NoPerson: noPerson}, nil
	case KindSSO:
		return b.ssoRoleProvider(cfg)
	case KindLogin:
		path, err := logincreds.StandardCachedTokenFilepath(s.LoginSession, os.Getenv("AWS_LOGIN_CACHE_DIRECTORY"))
		if err != nil {
			return nil, b.fail("login_session", err, "")
		}
		return logincreds.New(signin.NewFromConfig(cfg), path, func(lo *logincreds.Options) {
			lo.RestrictPermissions = cfg.RestrictFilePermissions != aws.RestrictFilePermissionsUnrestricted
		}), nil
	}
	return nil, fmt.Errorf("xacct: profile %s: no provider for base kind %q", b.Profile, b.Kind)
}

// WebIdentity builds the provider of a KindWebIdentity base: client makes
// the calls, fromSTS converts their answers.
func (b *Base) WebIdentity(client stscreds.AssumeRoleWithWebIdentityAPIClient,
	fromSTS func(*types.Credentials, string) (aws.Credentials, error)) *basecreds.WebIdentity {
	return &basecreds.WebIdentity{
		Client: client, TokenFile: b.TokenFile, FromSTS: fromSTS,
		RoleARN: b.WebRole.ARN, SessionName: b.WebRole.SessionName, Duration: b.WebRole.Duration,
	}
}

// ssoRoleProvider is the SSO role's credentials, on the token that `aws
// sso login` cached: for an sso-session, refreshed through SSO OIDC.
func (b *Base) ssoRoleProvider(cfg aws.Config) (aws.CredentialsProvider, error) {
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

// Fail is the error of the base's provider err, on the base's own key,
// with the base's hint but for an STS answer at fault.
func (b *Base) Fail(err error) *Error {
	hint := b.Hint
	var answer *basecreds.AnswerError
	if errors.As(err, &answer) {
		hint = ""
	}
	return b.fail(b.Key, err, hint)
}

// fail is an error of the base's profile at key; where the base's own key
// is written is said when key is that key.
func (b *Base) fail(key string, err error, hint string) *Error {
	e := &Error{Profile: b.Profile, Key: key, Err: err, Hint: hint}
	if key == b.Key {
		e.File, e.Line = b.at.File, b.at.Line
	}
	return e
}
