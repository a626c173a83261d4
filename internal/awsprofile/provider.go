package awsprofile

// Building a base's provider: each kind from the SDK's own provider
// (static keys, ec2rolecreds, endpointcreds, logincreds), from
// internal/basecreds (credential_process as a process tree, the container
// endpoint's rules, web identity keyed by its token) or internal/ssorole
// (an SSO role, on a token refreshed under a lock: sso.go). The caller wraps it
// in its cache, and makes its failures errors of the profile (Fail).

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/logincreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/xacct/xacct/internal/basecreds"
	"github.com/xacct/xacct/internal/ssocache"
	"github.com/xacct/xacct/internal/storekey"
)

// Env is what a base's provider takes from its caller besides the
// configuration.
type Env struct {
	// NoPerson tells a fetch where no person may be asked, which a
	// credential_process must not give the terminal to.
	NoPerson func(context.Context) bool
	// Locks are where an SSO session's token refresh locks across
	// processes (the credential store); nil: within this process only.
	Locks ssocache.Locker
	// Now is the clock that tokens expire on (nil: time.Now).
	Now func() time.Time
}

// Provider builds the provider of a base of any kind but KindWebIdentity
// (WebIdentity builds that one), from cfg (region, HTTP client, retryer;
// its Credentials are not used). It makes no network call but a container
// endpoint's host name lookup. A failure here is an *Error; the
// provider's own failures are its own, for Fail. An SSO base's provider is
// an *ssorole.Provider, which a store keeps (its StoreSession).
func (b *Base) Provider(ctx context.Context, cfg aws.Config, env Env) (aws.CredentialsProvider, error) {
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
		return basecreds.Process{Command: s.CredentialProcess, NoPerson: env.NoPerson}, nil
	case KindSSO:
		return b.ssoRoleProvider(ctx, cfg, env)
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
// the calls, fromSTS converts their answers; cfg is the client's, whose
// endpoint and region the store key names.
func (b *Base) WebIdentity(client stscreds.AssumeRoleWithWebIdentityAPIClient,
	fromSTS func(*types.Credentials, string) (aws.Credentials, error), cfg aws.Config) *basecreds.WebIdentity {
	return &basecreds.WebIdentity{
		Client: client, TokenFile: b.TokenFile, FromSTS: fromSTS,
		RoleARN: b.WebRole.ARN, SessionName: b.WebRole.SessionName, Duration: b.WebRole.Duration,
		Key: storekey.Session{Kind: "web-identity", Endpoint: storekey.Endpoint(cfg), Region: cfg.Region,
			RoleARN: b.WebRole.ARN, SessionName: b.WebRole.SessionName, DurationSeconds: int32(b.WebRole.Duration / time.Second)},
	}
}

// Kept is a base's provider whose credentials a store keeps: a web
// identity session, SSO role credentials. Who asks for them is the token
// they present (RequesterID, Bind: see xacct's requester.go); the rest of
// the key is StoreSession.
type Kept interface {
	aws.CredentialsProvider
	StoreSession() storekey.Session
	RequesterID(ctx context.Context) (string, error)
	Bind(ctx context.Context) (id string, bound context.Context, err error)
}

// Fail is the error of the base's provider err, on the base's own key,
// with the base's hint but for an STS answer at fault.
func (b *Base) Fail(err error) *Error {
	hint := b.Hint
	var answer *basecreds.AnswerError
	var signIn *ssocache.NeedLoginError
	if errors.As(err, &answer) || b.Kind == KindSSO && !errors.As(err, &signIn) {
		hint = "" // the base's hint is for its own credentials, not for STS's answer or the portal's refusal
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
