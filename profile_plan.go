package xacct

// The plan of a profile: what FromProfile builds, resolved from the shared
// files with no network call. The SDK parses the files and follows
// source_profile (config.LoadSharedConfigProfile); this file reads the
// chain it returns as one base and the hops on it, checks every hop with
// the core's validation, and explains the SDK's refusals by profile, key
// and file.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/xacct/xacct/internal/sharedini"
	"github.com/xacct/xacct/internal/validate"
)

// Kinds of base credentials, as PlanBase.Kind names them: every base the
// AWS SDKs accept in a profile.
const (
	BaseStaticKeys   = "static-keys"           // aws_access_key_id and aws_secret_access_key: long-term keys
	BaseSessionKeys  = "session-keys"          // the same with aws_session_token: a session's keys
	BaseEnvironment  = "environment"           // credential_source = Environment
	BaseEC2Metadata  = "ec2-instance-metadata" // credential_source = Ec2InstanceMetadata, or no credentials at all
	BaseECSContainer = "ecs-container"         // credential_source = EcsContainer, or no credentials in a container
	BaseProcess      = "credential-process"    // credential_process
	BaseWebIdentity  = "web-identity"          // web_identity_token_file with role_arn
	BaseSSO          = "sso"                   // sso_session, or the legacy sso_* keys
	BaseLogin        = "login"                 // login_session, from `aws login`
)

// Whether an AssumeRole signed with a base's credentials is role chaining,
// which STS caps at one hour (PlanBase.Chaining).
const (
	ChainingYes     = "yes"
	ChainingNo      = "no"
	ChainingUnknown = "unknown" // a credential_process may return long-term keys or a session: STS decides
)

// ProfilePlan is what FromProfile builds for a profile: the base
// credentials, the hops assumed on them in order, and how MFA codes are
// asked for. PlanProfile resolves it from the shared files with no network
// call; it holds no secret (static keys show the access key ID's last four
// characters at most). `xacct explain` prints it, and its JSON form (the
// field tags) is for scripts.
type ProfilePlan struct {
	Profile          string   `json:"profile"`
	ChosenBy         string   `json:"chosen_by"` // "argument", "AWS_PROFILE", "AWS_DEFAULT_PROFILE" or "default"
	ConfigFiles      []string `json:"config_files"`
	CredentialsFiles []string `json:"credentials_files"`
	Region           string   `json:"region,omitempty"` // the profile's region key; empty when it has none

	Base PlanBase  `json:"base"`
	Hops []PlanHop `json:"hops"` // hop 1 first; empty when the profile is its base

	MFA   string   `json:"mfa"`             // the MFA strategy, in a sentence
	Notes []string `json:"notes,omitempty"` // keys read differently from some other tool, or not used
}

// PlanBase is where a profile's chain starts: the credentials that sign the
// first hop's AssumeRole (or that the profile gives as they are).
type PlanBase struct {
	Kind    string `json:"kind"`    // one of the Base* constants
	Profile string `json:"profile"` // the profile that holds it
	Key     string `json:"key"`     // the key that makes it this kind, such as "credential_process"
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Detail  string `json:"detail"` // what it is, without secrets: "access key …MPLE", the command, the role and token file

	// Command is the command line of credential_process, as written, for
	// a BaseProcess base; "" for other kinds. It is configuration, and an
	// argument may be a secret: xacct's errors and logs show only its
	// program, never the line.
	Command string `json:"command,omitempty"`

	Chaining    string `json:"chaining"`     // ChainingYes, ChainingNo or ChainingUnknown, for hop 1
	ChainingWhy string `json:"chaining_why"` // the reason, in a clause

	// MFASerial is set when the base is an MFA session (mfa_serial on a
	// profile with keys and no role_arn, aws-vault's convention), and
	// SessionSeconds is then its length.
	MFASerial      string `json:"mfa_serial,omitempty"`
	SessionSeconds int    `json:"session_seconds,omitempty"`
}

// PlanHop is one AssumeRole of the chain, from one profile with role_arn.
type PlanHop struct {
	Hop             int    `json:"hop"` // from 1
	Profile         string `json:"profile"`
	File            string `json:"file,omitempty"` // where role_arn is written
	Line            int    `json:"line,omitempty"`
	RoleARN         string `json:"role_arn"`
	ExternalID      string `json:"external_id,omitempty"`
	MFASerial       string `json:"mfa_serial,omitempty"` // a code on each AssumeRole of this hop
	SessionName     string `json:"session_name"`
	DurationSeconds int    `json:"duration_seconds"`
	DefaultDuration bool   `json:"default_duration"` // no duration_seconds: DefaultDuration
	Chaining        bool   `json:"chaining"`         // STS caps the session at one hour
}

// profileChain is a resolved profile: its plan, and what building it
// needs. Its base may hold secrets (static keys): it is never formatted.
type profileChain struct {
	plan  ProfilePlan
	files sharedini.Files
	idx   *profileIndex
	base  baseSpec
	roles []Role // the hops' roles, validated, defaults resolved; in chain order
}

// resolveChain resolves a profile into its chain, or fails with a
// ProfileError naming the profile, the key and the file.
func resolveChain(ctx context.Context, profile string, o *Options) (*profileChain, error) {
	env, err := config.NewEnvConfig()
	if err != nil {
		return nil, fmt.Errorf("xacct: reading the AWS environment variables: %w", err)
	}
	name, chosen := profileName(profile, env)
	files := sharedini.Find(o.ConfigFiles, o.CredentialsFiles, env)
	idx, bad := sharedini.ReadIndex(files)
	if bad != nil {
		return nil, &ProfileError{Profile: name, File: bad.Path, Err: bad, Hint: sharedini.FileHint}
	}
	x := &profileIndex{idx}
	c := &profileChain{files: files, idx: x, plan: ProfilePlan{
		Profile: name, ChosenBy: chosen,
		ConfigFiles: files.Config, CredentialsFiles: files.Credentials,
	}}
	if chosen == "default" && (env.Credentials.HasKeys() || env.WebIdentityTokenFilePath != "") {
		return c, c.unnamed(env, false, o)
	}
	// The SDK opens the files by their paths again, after ReadIndex has
	// checked them: a file swapped for a FIFO in between is the user's own
	// doing (the SDK takes no contents instead of paths).
	sc, err := config.LoadSharedConfigProfile(ctx, name, func(lo *config.LoadSharedConfigOptions) {
		lo.ConfigFiles, lo.CredentialsFiles = files.Config, files.Credentials
	})
	var notExist config.SharedConfigProfileNotExistError
	switch {
	case err != nil && chosen == "default" && errors.As(err, &notExist):
		return c, c.unnamed(env, true, o)
	case err != nil:
		return nil, x.diagnose(name, files, env, err)
	}
	if err := c.resolveLinks(&sc, env, o); err != nil {
		return nil, err
	}
	return c, nil
}

// resolveLinks reads the chain that the SDK has linked from profile sc:
// the base, then each hop in order.
func (c *profileChain) resolveLinks(sc *config.SharedConfig, env config.EnvConfig, o *Options) error {
	c.plan.Region = sc.Region
	// The SDK links each profile to its source_profile: path[0] is the
	// profile asked for, the last one holds the base credentials. Every
	// profile but the last is a hop; the last may be one too (role_arn
	// with credential_source).
	var path []*config.SharedConfig
	for s := sc; s != nil; s = s.Source {
		path = append(path, s)
	}
	leaf := path[len(path)-1]
	leafIsHop, err := c.resolveBase(leaf, len(path) == 1, env)
	if err != nil {
		return err
	}
	c.base.at = c.idx.Key(c.base.profile, c.base.key)
	if c.base.mfaSerial != "" && c.base.session == 0 {
		c.base.session = o.SessionDuration
		if c.base.session == 0 {
			c.base.session = DefaultSessionDuration
		}
	}
	var hops []*config.SharedConfig
	if leafIsHop {
		hops = append(hops, leaf)
	}
	for i := len(path) - 2; i >= 0; i-- {
		hops = append(hops, path[i])
	}
	for i, s := range hops {
		if err := c.addHop(s, i == 0 && c.hop1Chaining() != ChainingYes); err != nil {
			return err
		}
	}
	c.plan.Base = c.planBase()
	c.plan.MFA = c.mfaStrategy(o)
	return nil
}

// unnamed makes the chain of a program that names no profile (neither
// the argument nor AWS_PROFILE) and has credentials in its environment, or
// no default profile: as in the AWS SDKs' default chain, the environment's
// keys, else its web identity (AWS_WEB_IDENTITY_TOKEN_FILE with
// AWS_ROLE_ARN), else the container's or the instance's credentials.
func (c *profileChain) unnamed(env config.EnvConfig, noDefault bool, o *Options) error {
	b := &c.base
	*b = baseSpec{profile: c.plan.Profile, env: env, sc: &config.SharedConfig{Profile: c.plan.Profile}}
	switch {
	case env.Credentials.HasKeys():
		k := env.Credentials
		c.envBase(fmt.Sprintf("the environment's keys (access key %s)", lastFour(k.AccessKeyID)),
			fmt.Sprintf("the access key %s of the environment", lastFour(k.AccessKeyID)))
		b.key = "AWS_ACCESS_KEY_ID"
		c.note("no profile named and AWS_ACCESS_KEY_ID set: as the AWS SDKs do, xacct uses the environment's keys")
	case env.WebIdentityTokenFilePath != "":
		if env.RoleARN == "" {
			return &ProfileError{Profile: c.plan.Profile, Key: "AWS_WEB_IDENTITY_TOKEN_FILE", Err: errors.New(
				"is set, but AWS_ROLE_ARN is not: a web identity token is exchanged for a role's credentials")}
		}
		b.sc.RoleARN, b.sc.RoleSessionName, b.sc.WebIdentityTokenFile = env.RoleARN, env.RoleSessionName,
			env.WebIdentityTokenFilePath
		if err := c.webIdentityBase(b.sc); err != nil {
			return err
		}
		b.key = "AWS_WEB_IDENTITY_TOKEN_FILE"
		c.note("no profile named and AWS_WEB_IDENTITY_TOKEN_FILE set: as the AWS SDKs do, " +
			"xacct assumes AWS_ROLE_ARN with the environment's web identity")
	default:
		c.implicitBase(b.sc)
		if noDefault {
			c.note("no profile named, and the files have no default profile")
		}
	}
	c.plan.Base = c.planBase()
	c.plan.MFA = c.mfaStrategy(o)
	return nil
}

// durationSeconds reads duration_seconds of profile s: its length, zero
// when it is not set, and ok false when its text is not a whole number of
// seconds (the SDK then reads 0, which must not pass for "not set").
func (x *profileIndex) durationSeconds(s *config.SharedConfig) (d time.Duration, raw string, ok bool) {
	if s.RoleDurationSeconds == nil {
		return 0, "", true
	}
	raw = x.Value(s.Profile, "duration_seconds")
	_, err := strconv.Atoi(raw)
	return *s.RoleDurationSeconds, raw, err == nil
}

// roleDuration is durationSeconds of a profile whose duration_seconds is
// an AssumeRole's (a hop's, a web identity's).
func (x *profileIndex) roleDuration(s *config.SharedConfig) (time.Duration, error) {
	d, raw, ok := x.durationSeconds(s)
	if !ok {
		return 0, x.profileErr(s.Profile, "duration_seconds", fmt.Errorf("%q is not a whole number of seconds: "+
			"STS takes DurationSeconds from 900 (15m) to 43200 (12h)", raw), "")
	}
	return d, nil
}

// addHop validates the hop of profile s with the core's rules and adds it.
// notChaining: the hop is the first one, on a base not known to be a
// session, so the one-hour cap of role chaining is not checked here.
func (c *profileChain) addHop(s *config.SharedConfig, notChaining bool) error {
	x, p := c.idx, s.Profile
	role := Role{ARN: s.RoleARN, ExternalID: s.ExternalID, MFASerial: s.MFASerial, SessionName: s.RoleSessionName}
	var err error
	if role.Duration, err = x.roleDuration(s); err != nil {
		return err
	}
	if c.base.mfaSerial != "" && role.MFASerial == c.base.mfaSerial {
		// The MFA session carries MFA into this AssumeRole: a code here
		// would cost a prompt per hop session for nothing.
		role.MFASerial = ""
		c.note(fmt.Sprintf("profile %s: mfa_serial is the device of the MFA session (profile %s), "+
			"which carries MFA into this AssumeRole: the hop asks no code of its own", p, c.base.profile))
	}
	chaining := !notChaining
	defaulted := role.Duration == 0
	role = withDefaults(role)
	if err := validateRole(role, chaining); err != nil {
		return c.roleErr(s, len(c.roles)+1, chaining, err)
	}
	c.roles = append(c.roles, role)
	at := x.Key(p, "role_arn")
	c.plan.Hops = append(c.plan.Hops, PlanHop{
		Hop: len(c.roles), Profile: p, File: at.File, Line: at.Line,
		RoleARN: role.ARN, ExternalID: role.ExternalID, MFASerial: role.MFASerial, SessionName: role.SessionName,
		DurationSeconds: int(role.Duration / time.Second), DefaultDuration: defaulted, Chaining: chaining,
	})
	return nil
}

// roleKeys maps the core's Role fields to the keys of a profile.
var roleKeys = map[string]string{
	"ARN": "role_arn", "SessionName": "role_session_name", "ExternalID": "external_id",
	"Duration": "duration_seconds", "MFASerial": "mfa_serial",
}

// roleErr turns the core's validation error of a hop into a ProfileError
// on the key of the field at fault.
func (c *profileChain) roleErr(s *config.SharedConfig, hop int, chaining bool, err error) error {
	key, hint := "role_arn", ""
	var ve *validate.Error
	if errors.As(err, &ve) && roleKeys[ve.Field] != "" {
		key = roleKeys[ve.Field]
	}
	if key == "duration_seconds" && chaining && s.RoleDurationSeconds != nil && *s.RoleDurationSeconds > validate.MaxChainingDuration {
		var on string
		switch {
		case hop > 1:
			prev := c.plan.Hops[hop-2]
			on = fmt.Sprintf("hop %d's session (profile %s)", prev.Hop, prev.Profile)
		case hop == 1 && c.base.mfaSerial != "":
			on = "an MFA session (profile " + c.base.profile + ")"
		case hop == 1:
			_, why := c.base.hop1()
			on = "session credentials (" + why + ")"
		}
		hint = fmt.Sprintf("profile %s is hop %d, assumed with the credentials of %s: "+
			"set duration_seconds to 3600 or less, or remove it (the default is 3600)", s.Profile, hop, on)
	}
	return c.idx.profileErr(s.Profile, key, err, hint)
}

// mfaStrategy says, in a sentence, when a person is asked for a code.
func (c *profileChain) mfaStrategy(o *Options) string {
	source := "Options.MFA"
	if o.MFA == nil {
		source = "the terminal (xacct.TerminalToken, as Options.MFA is nil)"
	}
	var parts []string
	if b := c.base; b.mfaSerial != "" {
		parts = append(parts, fmt.Sprintf("an MFA session on %s (mfa_serial on profile %s, which has keys "+
			"and no role_arn: aws-vault's convention): one code per %v session, however often the hops refresh; "+
			"the hops on it are role chaining, one hour at most", b.mfaSerial, b.profile, b.session))
	}
	for i, r := range c.roles {
		if r.MFASerial != "" {
			parts = append(parts, fmt.Sprintf("mfa_serial on hop %d (profile %s): a code from %s "+
				"for each AssumeRole of that hop, once per its %v session", i+1, c.plan.Hops[i].Profile, r.MFASerial, r.Duration))
		}
	}
	if len(parts) == 0 {
		return "none: no profile of the chain has mfa_serial"
	}
	return strings.Join(parts, "; ") + "; codes come from " + source
}

func (c *profileChain) hop1Chaining() string {
	chaining, _ := c.base.hop1()
	return chaining
}

func (c *profileChain) note(s string) { c.plan.Notes = append(c.plan.Notes, s) }

// profileName picks the profile: the argument, else AWS_PROFILE (or the
// SDK's older AWS_DEFAULT_PROFILE), else "default".
func profileName(profile string, env config.EnvConfig) (name, chosenBy string) {
	switch {
	case profile != "":
		return profile, "argument"
	case env.SharedConfigProfile != "":
		if v, ok := os.LookupEnv("AWS_PROFILE"); ok && v != "" {
			return env.SharedConfigProfile, "AWS_PROFILE"
		}
		return env.SharedConfigProfile, "AWS_DEFAULT_PROFILE"
	}
	return config.DefaultSharedConfigProfile, "default"
}
