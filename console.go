package xacct

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct/internal/partition"
	"github.com/xacct/xacct/internal/signin"
)

// ConsoleOptions are the options of ConsoleURL. All are optional.
type ConsoleOptions struct {
	// Destination is where the console opens: an https URL on the
	// partition's console, or a service's name ("s3", "cloudformation")
	// for its page in the region. Empty: the console home of cfg.Region.
	Destination string

	// Issuer is where the console sends the person when the session ends.
	// Empty: "xacct".
	Issuer string

	// SessionDuration is the console session's length: 15m to 12h for a
	// role session not obtained by role chaining (empty: 1h). A chained
	// session cannot have one (the federation endpoint refuses it), so it
	// is an error there. For an IAM user's keys it is the length of the
	// GetFederationToken session, 15m to 36h (empty: 1h), which the console
	// session lasts.
	SessionDuration time.Duration

	// SessionKind says what cfg.Credentials give, in the words of
	// Cache.SessionKind, when they cannot say it themselves (they have no
	// SessionKind method). Empty: decided by the credentials: without a
	// session token, an IAM user's long-term keys; with one, a session of
	// unknown kind, which gets no SessionDuration.
	SessionKind string

	// Endpoint is the federation endpoint, the full URL such as
	// https://signin.aws.amazon.com/federation (https; http on loopback
	// only). Empty: the variable XACCT_SIGNIN_ENDPOINT, else the endpoint
	// of cfg.Region's partition and region.
	Endpoint string

	// FederationName names the federated user of an IAM user's keys
	// (GetFederationToken), 2 to 32 characters of [\w+=,.@-]. Empty:
	// "xacct@<host>", cut to 32.
	FederationName string

	// FederationPolicy is the session policy of GetFederationToken: the
	// console can do what both it and the IAM user's own policies allow.
	// Empty: every action on every resource, so the console can do what
	// the user can. The user's policies must allow sts:GetFederationToken.
	FederationPolicy string
}

// ConsoleURL returns a URL that signs a person in to the AWS console as
// cfg.Credentials, valid for 15 minutes. It is a secret until then: give
// it to a browser, never to a log or a command line.
//
// The credentials, region, partition and HTTP client come from cfg. It
// asks the federation endpoint for a sign-in token of the session
// (getSigninToken), and returns its login URL with Destination and Issuer.
// What kind of session it is decides the rules, which AWS enforces: when
// cfg.Credentials has a SessionKind method (a *Cache has), it tells;
// else ConsoleOptions.SessionKind, else the credentials themselves.
//
//   - a role session: SessionDuration is sent (900 to 43,200 seconds);
//   - a role session obtained by role chaining: no SessionDuration;
//   - an IAM user's long-term keys: a GetFederationToken session first,
//     with FederationPolicy; it cannot carry MFA, so a profile that needs
//     MFA is an MFA session here, and refused;
//   - an MFA session (GetSessionToken): refused, as the console refuses
//     it: sign in with a role's session instead.
func ConsoleURL(ctx context.Context, cfg aws.Config, optFns ...func(*ConsoleOptions)) (string, error) {
	var o ConsoleOptions
	for _, fn := range optFns {
		fn(&o)
	}
	fail := func(err error) (string, error) { return "", fmt.Errorf("xacct: console: %w", err) }
	endpoint, err := signin.EndpointFor(cfg.Region, o.Endpoint)
	if err != nil {
		return fail(err)
	}
	dest, err := signin.Destination(partition.Of(cfg.Region), cfg.Region, o.Destination)
	if err != nil {
		return fail(fmt.Errorf("ConsoleOptions.Destination: %w", err))
	}
	if cfg.Credentials == nil {
		return fail(errors.New("cfg.Credentials is nil: the console signs in with credentials"))
	}
	kind := declaredKind(cfg.Credentials, o)
	if kind == kindMFASession { // refused before its code is asked for
		_, err := signin.PlanFor(kind, o.SessionDuration, "ConsoleOptions.SessionDuration")
		return fail(err)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return fail(err)
	}
	creds, duration, err := signin.SessionFor(ctx, cfg, creds, kind, o.SessionDuration,
		o.FederationName, o.FederationPolicy, addAnswerLimit)
	if err != nil {
		return fail(err)
	}
	token, err := signin.Token(ctx, signin.HTTPClientOf(cfg), endpoint, creds, duration)
	if err != nil {
		return fail(err)
	}
	issuer := o.Issuer
	if issuer == "" {
		issuer = "xacct"
	}
	return signin.LoginURL(endpoint, issuer, dest, token), nil
}

// declaredKind is what the provider says it gives, else the option.
func declaredKind(p aws.CredentialsProvider, o ConsoleOptions) string {
	if k, ok := p.(interface{ SessionKind() string }); ok {
		return k.SessionKind()
	}
	return o.SessionKind
}
