package awsprofile

// The hops of a chain: each profile with role_arn is one AssumeRole,
// checked with the caller's rules, and a refusal is told on the key of
// the field at fault.

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/xacct/xacct/internal/sharedini"
	"github.com/xacct/xacct/internal/validate"
)

// Role is what a profile says of one AssumeRole (a hop's, or a web
// identity's): the caller's Role fields that profiles set.
type Role struct {
	ARN         string        // role_arn
	SessionName string        // role_session_name
	ExternalID  string        // external_id
	MFASerial   string        // mfa_serial: a code on each AssumeRole
	Duration    time.Duration // duration_seconds
}

// Hop is one AssumeRole of the chain, from one profile with role_arn.
type Hop struct {
	Profile         string
	At              sharedini.Place // where role_arn is written
	Role            Role            // checked, defaults filled in (Options.CheckRole)
	DefaultDuration bool            // no duration_seconds: the caller's default
	Chaining        bool            // assumed with a session's credentials: STS caps it at one hour

	// SameDevice: the other role profiles on the same source profile that
	// ask codes of this hop's device (profile → role ARN), which
	// xacct_mfa_session = shared on the source would serve with one code.
	SameDevice map[string]string
}

// addHop checks the hop of profile s with the caller's rules and adds it.
// notChaining: the hop is the first one, on a base not known to be a
// session, so the one-hour cap of role chaining is not checked here.
func (c *Chain) addHop(s *config.SharedConfig, notChaining bool) error {
	x, p := c.idx, s.Profile
	role := Role{ARN: s.RoleARN, ExternalID: s.ExternalID, MFASerial: s.MFASerial, SessionName: s.RoleSessionName}
	var err error
	if role.Duration, err = x.roleDuration(s); err != nil {
		return err
	}
	if c.Base.MFASerial != "" && role.MFASerial == c.Base.MFASerial {
		// The MFA session carries MFA into this AssumeRole: a code here
		// would cost a prompt per hop session for nothing.
		role.MFASerial = ""
		c.note(fmt.Sprintf("profile %s: mfa_serial is the device of the MFA session (profile %s), "+
			"which carries MFA into this AssumeRole: the hop asks no code of its own", p, c.Base.Profile))
	}
	override := p == c.Profile && c.opts.LastHopDuration != 0
	if override {
		role.Duration = c.opts.LastHopDuration
	}
	chaining := !notChaining
	defaulted := role.Duration == 0
	if role, err = c.opts.CheckRole(role, chaining); err != nil {
		var ve *validate.Error
		if override && errors.As(err, &ve) && ve.Field == "Duration" {
			// Not the profile's duration_seconds: the caller's override.
			return &Error{Profile: p, Err: fmt.Errorf("the last hop's duration (Options.LastHopDuration): %w", err)}
		}
		return c.roleErr(s, len(c.Hops)+1, chaining, err)
	}
	c.Hops = append(c.Hops, Hop{
		Profile: p, At: x.Key(p, "role_arn"), Role: role, DefaultDuration: defaulted, Chaining: chaining,
		SameDevice: c.sameDevice,
	})
	c.sameDevice = nil // hop 1's only
	return nil
}

// roleKeys maps the caller's Role fields to the keys of a profile.
var roleKeys = map[string]string{
	"ARN": "role_arn", "SessionName": "role_session_name", "ExternalID": "external_id",
	"Duration": "duration_seconds", "MFASerial": "mfa_serial",
}

// roleErr turns the caller's validation error of a hop into an Error on
// the key of the field at fault.
func (c *Chain) roleErr(s *config.SharedConfig, hop int, chaining bool, err error) error {
	key, hint := "role_arn", ""
	var ve *validate.Error
	if errors.As(err, &ve) && roleKeys[ve.Field] != "" {
		key, err = roleKeys[ve.Field], ve.Unnamed()
	}
	if key == "duration_seconds" && chaining && s.RoleDurationSeconds != nil && *s.RoleDurationSeconds > validate.MaxChainingDuration {
		var on string
		switch {
		case hop > 1:
			prev := c.Hops[hop-2]
			on = fmt.Sprintf("hop %d's session (profile %s)", hop-1, prev.Profile)
		case hop == 1 && c.Base.MFASerial != "":
			on = "an MFA session (profile " + c.Base.Profile + ")"
		case hop == 1:
			_, why := c.Base.hop1()
			on = "session credentials (" + why + ")"
		}
		hint = fmt.Sprintf("profile %s is hop %d, assumed with the credentials of %s: "+
			"set duration_seconds to 3600 or less, or remove it (the default is 3600)", s.Profile, hop, on)
	}
	return c.idx.err(s.Profile, key, err, hint)
}

// durationSeconds reads duration_seconds of profile s: its length, zero
// when it is not set, and ok false when its text is not a whole number of
// seconds (the SDK then reads 0, which must not pass for "not set").
func (x *index) durationSeconds(s *config.SharedConfig) (d time.Duration, raw string, ok bool) {
	if s.RoleDurationSeconds == nil {
		return 0, "", true
	}
	raw = x.Value(s.Profile, "duration_seconds")
	_, err := strconv.Atoi(raw)
	return *s.RoleDurationSeconds, raw, err == nil
}

// roleDuration is durationSeconds of a profile whose duration_seconds is
// an AssumeRole's (a hop's, a web identity's).
func (x *index) roleDuration(s *config.SharedConfig) (time.Duration, error) {
	d, raw, ok := x.durationSeconds(s)
	if !ok {
		return 0, x.err(s.Profile, "duration_seconds", fmt.Errorf("%q is not a whole number of seconds: "+
			"STS takes DurationSeconds from 900 (15m) to 43200 (12h)", raw), "")
	}
	return d, nil
}
