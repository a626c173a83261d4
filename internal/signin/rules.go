package signin

import (
	"errors"
	"fmt"
	"time"
)

// The kinds of credentials, as xacct.Cache.SessionKind names them; ""
// is a session of unknown kind.
const (
	KindLongTerm    = "long-term"    // an IAM user's access key: no session
	KindMFASession  = "mfa-session"  // GetSessionToken
	KindRole        = "role"         // a role session not obtained by role chaining
	KindRoleChained = "role-chained" // a role session obtained by role chaining
	KindFederation  = "federation"   // GetFederationToken
)

// Limits of the federation endpoint and of GetFederationToken.
const (
	// DefaultSession is a console session's length when none is asked
	// for: an hour, a role session's default.
	DefaultSession = time.Hour
	// MinSession and MaxSession bound SessionDuration.
	MinSession, MaxSession = 15 * time.Minute, 12 * time.Hour
	// MaxFederation is GetFederationToken's longest session.
	MaxFederation = 36 * time.Hour
)

// Plan is how a session of some kind signs in.
type Plan struct {
	// Federate: long-term keys get a GetFederationToken session of
	// Duration first, whose length the console session has.
	Federate bool
	// Duration is SessionDuration (0: none sent), or the federation
	// session's length when Federate.
	Duration time.Duration
}

// PlanFor applies the rules of the federation endpoint to a session of
// kind, with the length asked for (0: the default): an MFA session is
// refused; long-term keys federate first; a chained session gets no
// SessionDuration (asking for one is an error); a role session gets one,
// DefaultSession by default; a session of unknown kind gets one only when
// asked. field names the length in errors.
func PlanFor(kind string, asked time.Duration, field string) (Plan, error) {
	switch kind {
	case KindMFASession:
		return Plan{}, errors.New("an MFA session (GetSessionToken) cannot sign in to the console, and " +
			"GetFederationToken with the user's keys cannot carry MFA: sign in with a role's session " +
			"(a profile with role_arn and mfa_serial)")
	case KindLongTerm:
		d := orDefault(asked)
		if err := check(d, MaxFederation, field, "for an IAM user's keys it is the GetFederationToken session's length, "); err != nil {
			return Plan{}, err
		}
		return Plan{Federate: true, Duration: d}, nil
	case KindRoleChained, KindFederation:
		if asked != 0 {
			return Plan{}, fmt.Errorf("%s %v: the federation endpoint refuses a SessionDuration for a session "+
				"obtained by role chaining, or by GetFederationToken; leave it 0", field, asked)
		}
		return Plan{}, nil
	case KindRole:
		asked = orDefault(asked)
	}
	if asked == 0 {
		return Plan{}, nil
	}
	if err := check(asked, MaxSession, field, ""); err != nil {
		return Plan{}, err
	}
	return Plan{Duration: asked}, nil
}

func orDefault(d time.Duration) time.Duration {
	if d == 0 {
		return DefaultSession
	}
	return d
}

// check checks a length: MinSession to max, in whole seconds.
func check(d, max time.Duration, field, what string) error {
	if d%time.Second != 0 || d < MinSession || d > max {
		return fmt.Errorf("%s %v: %sfrom %v to %v, in whole seconds", field, d, what, MinSession, max)
	}
	return nil
}
