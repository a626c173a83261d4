package xacct

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/xacct/xacct/internal/totp"
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
	fail := func(err error) (*Cache, error) { return nil, &SessionError{SerialNumber: serial, Err: err} }
	switch {
	case cfg.Credentials == nil:
		return fail(errors.New("aws.Config.Credentials is nil: GetSessionToken signs with an IAM user's long-term access key, so load them first"))
	case token == nil:
		return fail(errors.New("token is nil: an MFA session needs a TokenFunc (xacct.TerminalToken, xacct.ProcessToken, or your own)"))
	}
	if err := validate.SerialNumber("serial", serial); err != nil {
		return fail(err)
	}
	if _, temporary, _ := baseOf(cfg.Credentials); temporary {
		return fail(errors.New("cfg.Credentials are temporary (an assumed role or another session), but STS issues MFA sessions only for an IAM user's long-term access key"))
	}
	d := o.SessionDuration
	if d == 0 {
		d = DefaultSessionDuration
	}
	if d%time.Second != 0 || d < minSessionDuration || d > maxSessionDuration {
		return fail(fmt.Errorf("Options.SessionDuration %v is outside STS's range for GetSessionToken: 15m to 36h in whole seconds", d))
	}
	p := &sessionProvider{client: o.NewSTSClient(cfg.Copy()), serial: serial, duration: d, token: token, opts: o}
	c := newCache(p, o, serial)
	c.temporary, c.interactive, c.prompts = true, true, 1
	return c, nil
}

// SessionError is the error of an MFA session: its validation, its prompt,
// or its GetSessionToken call. The STS error stays inside.
type SessionError struct {
	SerialNumber string // the MFA device
	Err          error
	Hint         string // for common mistakes, what to check; may be empty
}

// Error formats the error with the device and, when there is one, the hint.
func (e *SessionError) Error() string {
	s := fmt.Sprintf("xacct: MFA session of %s: %v", e.SerialNumber, e.Err)
	if e.Hint != "" {
		s += " (hint: " + e.Hint + ")"
	}
	return s
}

// Unwrap returns the underlying error.
func (e *SessionError) Unwrap() error { return e.Err }

// sessionProvider makes the GetSessionToken calls of an MFA session.
type sessionProvider struct {
	client   STSClient
	serial   string
	duration time.Duration
	token    TokenFunc
	opts     Options
}

// Retrieve asks for a code and calls GetSessionToken once.
func (p *sessionProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	code, err := tokenCode(ctx, p.token, p.opts, TokenRequest{SerialNumber: p.serial})
	if err != nil {
		return aws.Credentials{}, &SessionError{SerialNumber: p.serial, Err: err}
	}
	out, err := p.client.GetSessionToken(ctx, &sts.GetSessionTokenInput{
		DurationSeconds: aws.Int32(int32(p.duration / time.Second)),
		SerialNumber:    aws.String(p.serial),
		TokenCode:       aws.String(code),
	})
	if err != nil {
		se := &SessionError{SerialNumber: p.serial, Err: fmt.Errorf("GetSessionToken: %w", err)}
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) && apiErr.ErrorCode() == "AccessDenied" {
			se.Hint = fmt.Sprintf("check that %s is the MFA device of the user whose keys are in cfg.Credentials (an ARN like arn:aws:iam::<account>:mfa/<name>), that the device's clock is right, and that the code was not used before", p.serial)
		}
		return aws.Credentials{}, se
	}
	c := out.Credentials
	if c == nil || c.AccessKeyId == nil || c.SecretAccessKey == nil || c.SessionToken == nil || c.Expiration == nil {
		return aws.Credentials{}, &SessionError{SerialNumber: p.serial, Err: errors.New("GetSessionToken answered without complete credentials")}
	}
	return aws.Credentials{
		AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken,
		Source: "xacct.MFASession", CanExpire: true, Expires: *c.Expiration,
	}, nil
}

// errNeedsPerson is returned instead of prompting when no caller waits for
// the credentials (a background refresh): the prompt waits for a caller.
var errNeedsPerson = errors.New("an MFA code is needed, and no caller is waiting for these credentials: the prompt waits until one is")

// maxReaskSameCode bounds how often a TokenFunc that keeps returning the
// code just used is asked again, for functions that cannot wait for the
// device's next code (a fixed code, a broken script).
const maxReaskSameCode = 3

// codeReuseWindow is how long a code counts as used: STS accepts a TOTP code
// for its 30-second step and one step either side, so the same digits after
// this are a new code, not a replay.
const codeReuseWindow = 2 * time.Minute

// devices serializes prompts and remembers the last code of each MFA device,
// process-wide: several caches and chains may share one device.
var devices = struct {
	mu sync.Mutex // guards m
	m  map[string]*deviceState
}{m: map[string]*deviceState{}}

type deviceState struct {
	turn chan struct{} // holding its one slot is the right to prompt for this device

	mu     sync.Mutex // guards last, lastAt
	last   string     // the last code handed out for sending
	lastAt time.Time  // when, on the clock of the cache that asked
}

func deviceFor(serial string) *deviceState {
	devices.mu.Lock()
	defer devices.mu.Unlock()
	d, ok := devices.m[serial]
	if !ok {
		d = &deviceState{turn: make(chan struct{}, 1)}
		devices.m[serial] = d
	}
	return d
}

// tokenCode asks fn for a code for req.SerialNumber: one prompt at a time
// per device, under o.MFATimeout, never handing out the code used last. The
// code itself never appears in an error.
func tokenCode(ctx context.Context, fn TokenFunc, o Options, req TokenRequest) (string, error) {
	if inBackground(ctx) {
		return "", errNeedsPerson
	}
	ctx, cancel := context.WithTimeout(ctx, o.MFATimeout)
	defer cancel()

	d := deviceFor(req.SerialNumber)
	select {
	case d.turn <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("MFA code for %s: waiting for another prompt for the same device: %w", req.SerialNumber, ctx.Err())
	}
	defer func() { <-d.turn }()

	for asks := 0; ; asks++ {
		code, err := callTokenFunc(ctx, fn, req)
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
				return "", fmt.Errorf("MFA code for %s: no answer within %v (Options.MFATimeout): %w", req.SerialNumber, o.MFATimeout, err)
			}
			return "", fmt.Errorf("MFA code for %s: %w", req.SerialNumber, err)
		}
		if !totp.IsCode(code) {
			return "", fmt.Errorf("MFA code for %s: the TokenFunc returned %d characters, but an MFA code is exactly six digits", req.SerialNumber, len(code))
		}
		now := o.Now()
		d.mu.Lock()
		reused := code == d.last && now.Sub(d.lastAt) < codeReuseWindow
		if !reused {
			d.last, d.lastAt = code, now
		}
		d.mu.Unlock()
		if !reused {
			return code, nil
		}
		if asks+1 >= maxReaskSameCode {
			return "", fmt.Errorf("MFA code for %s: the TokenFunc returned the code just used %d times, though asked for a new one (TokenRequest.NeedNewCode); STS accepts each code once", req.SerialNumber, maxReaskSameCode)
		}
		req.NeedNewCode = true
	}
}

// callTokenFunc calls fn, turning a panic into an error: a TokenFunc is
// user code running inside a cache's refresh.
func callTokenFunc(ctx context.Context, fn TokenFunc, req TokenRequest) (code string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the TokenFunc panicked (value of type %T)", r)
		}
	}()
	return fn(ctx, req)
}
