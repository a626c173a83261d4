package awsprofile

// xacct_mfa_session = shared: aws-vault's habit, in the AWS CLI's files.
// aws-vault's usual config puts mfa_serial on each role profile and gives
// them all one MFA session (GetSessionToken) of their source profile's
// keys; the AWS CLI reads the same files as a code on each AssumeRole, one
// prompt per role per session. xacct keeps the CLI's reading unless the
// source profile asks for the sharing, since a role assumed with an MFA
// session is role chaining: one hour at most.

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/xacct/xacct/internal/validate"
)

// MFASessionKey is the key of a source profile that shares one MFA
// session across the roles on it; other tools ignore it.
const MFASessionKey = "xacct_mfa_session"

// shareMFA makes the base an MFA session with the first hop's mfa_serial
// when the base's profile says xacct_mfa_session = shared; addHop then
// sees the hop's device carried by the session, and the hop as role
// chaining. A hop asking for more than an hour keeps its own prompt.
// Without the key, it notes when the key would save prompts.
func (c *Chain) shareMFA(first *config.SharedConfig) error {
	x, b := c.idx, &c.Base
	v := x.Value(b.Profile, MFASessionKey)
	switch {
	case v == "":
		c.suggestSharing(first)
		return nil
	case v != "shared":
		return x.err(b.Profile, MFASessionKey, fmt.Errorf("is %q: its one value is shared (one MFA session "+
			"for every role on this profile); without the key, each role with mfa_serial asks its own code", v), "")
	case first == nil || first.MFASerial == "" || b.MFASerial != "":
		return nil // no hop with a device on it, or already an MFA session of its own
	case b.Kind != KindStaticKeys && b.Kind != KindProcess:
		return x.err(b.Profile, MFASessionKey, fmt.Errorf("is shared, but STS gives MFA sessions only for an "+
			"IAM user's long-term keys, and this profile's credentials are %s", b.chainingWhy), "")
	}
	d, _, ok := x.durationSeconds(first)
	what := "its duration_seconds"
	if first.Profile == c.Profile && c.opts.LastHopDuration != 0 { // the last hop's length given by the caller
		d, ok, what = c.opts.LastHopDuration, true, "the duration asked for it"
	}
	if ok && d > validate.MaxChainingDuration {
		c.note(fmt.Sprintf("profile %s asks its own MFA code: %s (%v) is more than the one hour "+
			"of a role assumed with the MFA session that %s = shared on profile %s would share",
			first.Profile, what, d, MFASessionKey, b.Profile))
		return nil
	}
	if err := validate.SerialNumber("mfa_serial", first.MFASerial); err != nil {
		return x.err(first.Profile, "mfa_serial", err, "")
	}
	b.MFASerial, b.SharedMFA = first.MFASerial, true
	return nil
}

// suggestSharing notes, for a hop with mfa_serial on a profile with keys,
// the other roles on that profile that ask codes of the same device: one
// shared session would ask one code for all of them.
func (c *Chain) suggestSharing(first *config.SharedConfig) {
	b := &c.Base
	if first == nil || first.MFASerial == "" || b.MFASerial != "" || b.Kind != KindStaticKeys {
		return
	}
	var roles []string
	for _, p := range c.idx.Names() {
		if arn := c.idx.Value(p, "role_arn"); c.idx.Value(p, "source_profile") == b.Profile && arn != "" &&
			c.idx.Value(p, "mfa_serial") == first.MFASerial {
			roles = append(roles, p)
			if p != first.Profile {
				if c.sameDevice == nil {
					c.sameDevice = map[string]string{}
				}
				c.sameDevice[p] = arn
			}
		}
	}
	if len(roles) < 2 {
		return
	}
	c.note(fmt.Sprintf("profiles %s each ask their own code of %s (the AWS CLI's reading of mfa_serial on a role): "+
		"%s = shared on profile %s would ask one code for all of them, as aws-vault does "+
		"(their sessions then last one hour at most)", strings.Join(roles, ", "), first.MFASerial, MFASessionKey, b.Profile))
}
