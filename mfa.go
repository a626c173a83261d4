package xacct

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xacct/xacct/internal/validate"
)

// TokenFunc supplies an MFA token code: six digits from the device named in
// req. It must return when ctx ends: xacct bounds every call with
// Options.MFATimeout, and cancels it when every caller waiting for the
// credentials has given up.
//
// xacct calls a TokenFunc for one device at a time, process-wide: never two
// prompts for the same device at once. It never sends a code twice (STS
// refuses a code it has seen): when the function returns the code just
// used, it is called again with req.NeedNewCode set.
type TokenFunc func(ctx context.Context, req TokenRequest) (string, error)

// TokenRequest says who asks for an MFA code.
type TokenRequest struct {
	SerialNumber string // the MFA device
	RoleARN      string // the role being assumed; empty for an MFA session
	Hop          int    // the hop's position in its chain; 0 for an MFA session

	// NeedNewCode is set when the code returned last for this device was
	// already used: return the device's next code (TOTP devices show one
	// every 30 seconds).
	NeedNewCode bool
}

// Limits of MFA sessions (GetSessionToken).
const (
	// DefaultSessionDuration is the length of an MFA session when
	// Options.SessionDuration is zero: a working day on one prompt.
	DefaultSessionDuration = 12 * time.Hour
	minSessionDuration     = 15 * time.Minute
	maxSessionDuration     = 36 * time.Hour
)

// MFASession returns a *Cache of credentials from STS GetSessionToken,
// authenticated with an MFA code from token, for cfg.Credentials' IAM user.
// Options.SessionDuration sets their lifetime (default 12h, from 15m to 36h).
//
// Used as the base of a Chain (cfg.Credentials = session), every hop is
// assumed with MFA-authenticated credentials: trust policies that require
// aws:MultiFactorAuthPresent pass, and nobody is prompted again until the
// session itself expires, however often the hops refresh. STS treats
// AssumeRole with session credentials as role chaining, so those hops last
// at most one hour (their default). The session is refreshed only when a
// caller needs it, never in the background, so prompts come when a person
// is there to answer them.
func MFASession(cfg aws.Config, serial string, token TokenFunc, optFns ...func(*Options)) (*Cache, error) {
	o := resolveOptions(optFns)
	if err := refuseOptions("MFASession", &o, optConfigFiles, optCredentialsFiles, optLastHopDuration); err != nil {
		return nil, err
	}
	return mfaSession(cfg, serial, token, o)
}

// mfaSession is MFASession with its options resolved.
func mfaSession(cfg aws.Config, serial string, token TokenFunc, o Options) (*Cache, error) {
	fail := func(err error) (*Cache, error) { return nil, &SessionError{SerialNumber: serial, Err: err} }
	switch {
	case cfg.Credentials == nil:
		return fail(errors.New("aws.Config.Credentials is nil: GetSessionToken signs with " +
			"an IAM user's long-term access key, so load them first"))
	case token == nil:
		return fail(errors.New("token is nil: an MFA session needs a TokenFunc " +
			"(xacct.TerminalToken, xacct.ProcessToken, or your own)"))
	}
	if err := validate.SerialNumber("serial", serial); err != nil {
		return fail(err)
	}
	base := describe(cfg.Credentials)
	if base.temporary {
		return fail(errors.New("cfg.Credentials are temporary (an assumed role or another session), " +
			"but STS issues MFA sessions only for an IAM user's long-term access key"))
	}
	d := o.SessionDuration
	if d == 0 {
		d = DefaultSessionDuration
	}
	if !validSessionDuration(d) {
		return fail(fmt.Errorf("Options.SessionDuration %v is outside STS's range for GetSessionToken: "+
			"15m to 36h in whole seconds", d))
	}
	p := &sessionProvider{serial: serial, duration: d, token: token, stsProvider: newSTSProvider(cfg, o,
		descriptor{
			name: serial, caller: "the MFA session of " + serial,
			temporary: true, interactive: true, prompts: 1, kind: kindMFASession,
			session: &sessionKey{Kind: "mfa-session", Endpoint: endpointOf(cfg), Region: cfg.Region,
				MFASerial: serial, DurationSeconds: int32(d / time.Second)},
		},
		hintFacts{MFASerial: serial, Caller: base.caller})}
	return newCache(p, p.desc, o), nil
}

// validSessionDuration reports whether STS's GetSessionToken takes d: 15m
// to 36h, in whole seconds.
func validSessionDuration(d time.Duration) bool {
	return d%time.Second == 0 && d >= minSessionDuration && d <= maxSessionDuration
}

// sessionProvider makes the GetSessionToken calls of an MFA session.
type sessionProvider struct {
	stsProvider // its base is the IAM user's keys, which sign GetSessionToken
	serial      string
	duration    time.Duration
	token       TokenFunc
}

// Retrieve asks for a code and calls GetSessionToken once.
func (p *sessionProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	code, err := tokenCode(ctx, p.token, &p.opts, TokenRequest{SerialNumber: p.serial})
	if err != nil {
		return aws.Credentials{}, p.fail(err)
	}
	ctx = p.afterPrompt(ctx)
	out, err := p.client.GetSessionToken(ctx, &sts.GetSessionTokenInput{
		DurationSeconds: aws.Int32(int32(p.duration / time.Second)),
		SerialNumber:    aws.String(p.serial),
		TokenCode:       aws.String(code),
	}, p.signWith(ctx)...)
	if err != nil {
		return aws.Credentials{}, p.fail(fmt.Errorf("GetSessionToken: %w", err))
	}
	creds, err := fromSTS(out.Credentials, "xacct.MFASession")
	if err != nil {
		return aws.Credentials{}, p.fail(fmt.Errorf("GetSessionToken: %w", err))
	}
	return creds, nil
}

// fail makes the session's error, with a hint when STS refused the call.
func (p *sessionProvider) fail(err error) error {
	return &SessionError{SerialNumber: p.serial, Err: err, Hint: hint(err, p.facts)}
}
