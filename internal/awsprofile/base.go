package awsprofile

// The base of a profile's chain: the credentials that sign its first
// AssumeRole, resolved from its profile's SharedConfig. Each kind says
// what it is: a name for errors and logs, how hints name it, and whether
// an AssumeRole with it is role chaining (base_kinds.go). What the plan
// shows of it is in describe.go, how its provider is built in
// provider.go. Who the base is comes from what it returns at run time,
// never from its profile's name or settings.

import (
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/xacct/xacct/internal/sharedini"
	"github.com/xacct/xacct/internal/validate"
)

// Kinds of base credentials, as Base.Kind names them: every base the AWS
// SDKs accept in a profile.
const (
	KindStaticKeys   = "static-keys"           // aws_access_key_id and aws_secret_access_key: long-term keys
	KindSessionKeys  = "session-keys"          // the same with aws_session_token: a session's keys
	KindEnvironment  = "environment"           // credential_source = Environment
	KindEC2Metadata  = "ec2-instance-metadata" // credential_source = Ec2InstanceMetadata, or no credentials at all
	KindECSContainer = "ecs-container"         // credential_source = EcsContainer, or no credentials in a container
	KindProcess      = "credential-process"    // credential_process
	KindWebIdentity  = "web-identity"          // web_identity_token_file with role_arn
	KindSSO          = "sso"                   // sso_session, or the legacy sso_* keys
	KindLogin        = "login"                 // login_session, from `aws login`
)

// Whether an AssumeRole signed with a base's credentials is role chaining,
// which STS caps at one hour (Base.Chaining).
const (
	ChainingYes     = "yes"
	ChainingNo      = "no"
	ChainingUnknown = "unknown" // a credential_process may return long-term keys or a session: STS decides
)

// Base is where a chain starts, and how to build it. It may hold secrets
// (the SDK's SharedConfig of static keys, the environment's keys), in
// fields of its own that only Provider reads: String and GoString say
// only what it is.
type Base struct {
	Kind    string // one of the Kind* constants
	Profile string // the profile that holds it
	Key     string // the key that makes it this kind, such as "credential_process"; "" when none does
	File    string // where Key is written (the keys' own file, as the SDK read them); "" when nowhere
	Line    int
	Detail  string // what it is, without secrets: "access key …MPLE", the command, the role and token file
	Command string // credential_process's command line, as written, for KindProcess

	// Chaining says whether hop 1's AssumeRole on this base is role
	// chaining (a Chaining* constant), and ChainingWhy why, in a clause.
	Chaining, ChainingWhy string

	// MFASerial is set when the base is an MFA session (mfa_serial on a
	// profile with keys and no role_arn, aws-vault's convention), and
	// Session is then its length. SharedMFA: the device is hop 1's, whose
	// session xacct_mfa_session = shared on this profile shares.
	MFASerial string
	Session   time.Duration
	SharedMFA bool

	// Temporary: the base's own credentials are a session (before any MFA
	// session on them).
	Temporary bool

	Name   string // for errors and logs, without secrets
	Caller string // how hints name the base when it signs the next call
	Hint   string // what to do when its provider fails

	WebRole   Role   // KindWebIdentity: ARN, SessionName and Duration, checked
	TokenFile string // KindWebIdentity: web_identity_token_file

	chaining, chainingWhy string               // of the base's own credentials
	sc                    *config.SharedConfig // may hold keys
	env                   config.EnvConfig     // as read when the chain was resolved; may hold keys
	containerURL          string               // KindECSContainer
	at                    sharedini.Place      // where Key is written (or the profile's header), for errors
}

// String names the base by kind and profile, and shows no secret.
func (b Base) String() string {
	return "awsprofile.Base{" + b.Kind + " of profile " + b.Profile + "}"
}

// GoString is String: a %#v shows no secret either.
func (b Base) GoString() string { return b.String() }

// resolveBase reads the base of a chain from its last profile s, and says
// whether s is a hop too (role_arn with credential_source). top: s is the
// profile asked for, with no source_profile.
func (c *Chain) resolveBase(s *config.SharedConfig, top bool, env config.EnvConfig) (leafIsHop bool, err error) {
	p := s.Profile
	b := &c.Base
	*b = Base{Profile: p, sc: s, env: env}
	noSource := func(has string) error { return c.noSource(p, has) }
	switch {
	case s.Credentials.HasKeys():
		if s.RoleARN != "" && top {
			return false, noSource("keys of its own: add source_profile = " + p + " to assume the role with them")
		}
		c.staticBase(s)
		if s.RoleARN != "" {
			c.note(fmt.Sprintf("profile %s: role_arn is not used: a source profile with keys supplies "+
				"its keys, as the AWS CLI and the JavaScript SDK read it (the Go SDK would assume that role too)", p))
			s = withoutMFA(s, c, "it goes with role_arn, which is not used")
		}
	case s.CredentialSource != "":
		if err := c.sourceBase(s); err != nil {
			return false, err
		}
		return true, nil // the profile's role_arn is hop 1, on the source; its mfa_serial is the hop's
	case s.WebIdentityTokenFile != "":
		if err := c.webIdentityBase(s); err != nil {
			return false, err
		}
		return false, nil // role_arn and mfa_serial were the web identity's, checked there
	case s.SSOSessionName != "" || s.SSOStartURL != "" || s.SSORegion != "" || s.SSOAccountID != "" || s.SSORoleName != "":
		if s.RoleARN != "" {
			return false, noSource("SSO settings")
		}
		if err := c.ssoBase(s); err != nil {
			return false, err
		}
	case s.LoginSession != "":
		if s.RoleARN != "" {
			return false, noSource("login_session")
		}
		c.loginBase(s)
	case s.CredentialProcess != "":
		if s.RoleARN != "" {
			return false, noSource("credential_process")
		}
		c.processBase(s)
	default:
		if s.RoleARN != "" {
			return false, noSource("")
		}
		if !top {
			// The SDK refuses this before; keep the rule here too.
			return false, c.idx.err(p, "", errors.New("has no credentials to be a source_profile"), "")
		}
		c.implicitBase(s)
	}
	return false, c.mfaSessionBase(s)
}

// noSource is the error of profile p whose role_arn has no credentials to
// assume it with; has names the credentials of another kind that p holds.
func (c *Chain) noSource(p, has string) error {
	hint := "name the credentials to assume it with: source_profile (another profile, or this one " +
		"when it has keys of its own) or credential_source (Environment, Ec2InstanceMetadata, EcsContainer)"
	why := "is set, but neither source_profile nor credential_source says which credentials assume it"
	if has != "" {
		why += " (the profile has " + has + ", which the AWS CLI refuses as the credentials of role_arn, " +
			"and the SDKs read in different ways)"
	}
	return c.idx.err(p, "role_arn", errors.New(why), hint)
}

// withoutMFA notes an mfa_serial that is not used, and returns s without it.
func withoutMFA(s *config.SharedConfig, c *Chain, why string) *config.SharedConfig {
	if s.MFASerial == "" {
		return s
	}
	c.note(fmt.Sprintf("profile %s: mfa_serial is not used: %s", s.Profile, why))
	cp := *s
	cp.MFASerial = ""
	return &cp
}

// mfaSessionBase makes the base an MFA session when its profile has
// mfa_serial and no role_arn (aws-vault's convention; the AWS CLI ignores
// such an mfa_serial). GetSessionToken needs an IAM user's long-term keys:
// static keys without a session token, or a credential_process that may
// return them.
func (c *Chain) mfaSessionBase(s *config.SharedConfig) error {
	x, p, b := c.idx, s.Profile, &c.Base
	if s.MFASerial == "" {
		if s.RoleDurationSeconds != nil && b.Kind != KindWebIdentity {
			c.note(fmt.Sprintf("profile %s: duration_seconds is not used: it sets the length of an AssumeRole "+
				"or of an MFA session, and this profile has neither role_arn nor mfa_serial", p))
		}
		return nil
	}
	if b.Kind != KindStaticKeys && b.Kind != KindProcess {
		return x.err(p, "mfa_serial", fmt.Errorf("is set on a profile without role_arn, which makes "+
			"an MFA session (GetSessionToken) of its credentials; but STS gives MFA sessions only for an IAM user's "+
			"long-term keys, and this profile's credentials are %s", b.chainingWhy),
			"put mfa_serial on the profile with role_arn whose trust policy requires MFA")
	}
	if err := validate.SerialNumber("mfa_serial", s.MFASerial); err != nil {
		return x.err(p, "mfa_serial", err, "")
	}
	b.MFASerial = s.MFASerial
	if d, raw, ok := x.durationSeconds(s); d != 0 || !ok {
		lo, hi := c.opts.MinSession, c.opts.MaxSession
		if !ok || d%time.Second != 0 || d < lo || d > hi {
			return x.err(p, "duration_seconds", fmt.Errorf("%q is not a length for an MFA session: "+
				"GetSessionToken takes %d to %d seconds (15m to 36h)", raw, lo/time.Second, hi/time.Second),
				"on a profile with mfa_serial and no role_arn, duration_seconds is the MFA session's length")
		}
		b.Session = d
	}
	return nil
}

// hop1 says whether hop 1 is role chaining, and why: on an MFA session it
// is, whatever the session is made from.
func (b *Base) hop1() (chaining, why string) {
	if b.MFASerial != "" {
		return ChainingYes, "an MFA session, from GetSessionToken, which STS treats as a session"
	}
	return b.chaining, b.chainingWhy
}

func (b *Base) hop1Chaining() string {
	chaining, _ := b.hop1()
	return chaining
}
