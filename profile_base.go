package xacct

// The base of a profile's chain: the credentials that sign its first
// AssumeRole, resolved from its profile's SharedConfig into a baseSpec.
// Each kind says what it is: a name for errors and logs, how hints name
// it, and whether an AssumeRole with it is role chaining. How a base is
// built is in profile_base_provider.go, what the plan shows of it in
// profile_base_plan.go. Who the base is comes from what it returns at run
// time (storekey.go), never from its profile's name or settings.

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/xacct/xacct/internal/sharedini"
	"github.com/xacct/xacct/internal/validate"
)

// baseSpec is how to build a chain's base. It may hold secrets (the SDK's
// SharedConfig of static keys, the environment's keys): String and
// GoString say only what it is.
type baseSpec struct {
	kind, profile, key string
	sc                 *config.SharedConfig
	env                config.EnvConfig // as read when the chain was resolved

	chaining, chainingWhy string
	name, caller          string // the descriptor's, without secrets
	hint                  string // what to do when the provider fails

	mfaSerial string        // an MFA session on this base
	session   time.Duration // its length; 0: Options.SessionDuration or its default

	web          Role   // web identity: ARN, SessionName, Duration
	containerURL string // ecs-container

	at sharedini.Place // where key is written (or the profile's header), for errors when the provider fails
}

func (b baseSpec) String() string {
	return "xacct.baseSpec{" + b.kind + " of profile " + b.profile + "}"
}
func (b baseSpec) GoString() string { return b.String() }

// resolveBase reads the base of a chain from its last profile s, and says
// whether s is a hop too (role_arn with credential_source). top: s is the
// profile asked for, with no source_profile.
func (c *profileChain) resolveBase(s *config.SharedConfig, top bool, env config.EnvConfig) (leafIsHop bool, err error) {
	p := s.Profile
	b := &c.base
	*b = baseSpec{profile: p, sc: s, env: env}
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
			return false, c.idx.profileErr(p, "", errors.New("has no credentials to be a source_profile"), "")
		}
		c.implicitBase(s)
	}
	return false, c.mfaSessionBase(s)
}

// noSource is the error of profile p whose role_arn has no credentials to
// assume it with; has names the credentials of another kind that p holds.
func (c *profileChain) noSource(p, has string) error {
	hint := "name the credentials to assume it with: source_profile (another profile, or this one " +
		"when it has keys of its own) or credential_source (Environment, Ec2InstanceMetadata, EcsContainer)"
	why := "is set, but neither source_profile nor credential_source says which credentials assume it"
	if has != "" {
		why += " (the profile has " + has + ", which the AWS CLI refuses as the credentials of role_arn, " +
			"and the SDKs read in different ways)"
	}
	return c.idx.profileErr(p, "role_arn", errors.New(why), hint)
}

// withoutMFA notes an mfa_serial that is not used, and returns s without it.
func withoutMFA(s *config.SharedConfig, c *profileChain, why string) *config.SharedConfig {
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
func (c *profileChain) mfaSessionBase(s *config.SharedConfig) error {
	x, p, b := c.idx, s.Profile, &c.base
	if s.MFASerial == "" {
		if s.RoleDurationSeconds != nil && b.kind != BaseWebIdentity {
			c.note(fmt.Sprintf("profile %s: duration_seconds is not used: it sets the length of an AssumeRole "+
				"or of an MFA session, and this profile has neither role_arn nor mfa_serial", p))
		}
		return nil
	}
	if b.kind != BaseStaticKeys && b.kind != BaseProcess {
		return x.profileErr(p, "mfa_serial", fmt.Errorf("is set on a profile without role_arn, which makes "+
			"an MFA session (GetSessionToken) of its credentials; but STS gives MFA sessions only for an IAM user's "+
			"long-term keys, and this profile's credentials are %s", b.chainingWhy),
			"put mfa_serial on the profile with role_arn whose trust policy requires MFA")
	}
	if err := validate.SerialNumber("mfa_serial", s.MFASerial); err != nil {
		return x.profileErr(p, "mfa_serial", err, "")
	}
	b.mfaSerial = s.MFASerial
	if d, raw, ok := x.durationSeconds(s); d != 0 || !ok {
		if !ok || !validSessionDuration(d) {
			return x.profileErr(p, "duration_seconds", fmt.Errorf("%q is not a length for an MFA session: "+
				"GetSessionToken takes %d to %d seconds (15m to 36h)", raw,
				minSessionDuration/time.Second, maxSessionDuration/time.Second),
				"on a profile with mfa_serial and no role_arn, duration_seconds is the MFA session's length")
		}
		b.session = d
	}
	return nil
}

// hop1 says whether hop 1 is role chaining, and why: on an MFA session it
// is, whatever the session is made from.
func (b *baseSpec) hop1() (chaining, why string) {
	if b.mfaSerial != "" {
		return ChainingYes, "an MFA session, from GetSessionToken, which STS treats as a session"
	}
	return b.chaining, b.chainingWhy
}

func (c *profileChain) staticBase(s *config.SharedConfig) {
	b, k := &c.base, s.Credentials
	b.kind, b.key = BaseStaticKeys, "aws_access_key_id"
	b.chaining, b.chainingWhy = ChainingNo, "an IAM user's long-term keys"
	if k.SessionToken != "" {
		b.kind = BaseSessionKeys
		b.chaining, b.chainingWhy = ChainingYes, "a session's keys (aws_session_token)"
	}
	b.name = fmt.Sprintf("profile %s (access key %s)", s.Profile, lastFour(k.AccessKeyID))
	b.caller = fmt.Sprintf("the access key %s of profile %s", lastFour(k.AccessKeyID), s.Profile)
	b.hint = "the keys are read once, when the chain is built: change the file and build it again"
}

// sourceBase is credential_source: credentials from outside the files, on
// which the profile's role_arn is assumed.
func (c *profileChain) sourceBase(s *config.SharedConfig) error {
	x, p, b := c.idx, s.Profile, &c.base
	b.key = "credential_source"
	switch s.CredentialSource {
	case "Environment":
		k := b.env.Credentials
		if !k.HasKeys() {
			return x.profileErr(p, "credential_source", errors.New("is Environment, but AWS_ACCESS_KEY_ID "+
				"and AWS_SECRET_ACCESS_KEY are not both set"), "set them before the chain is built: they are read once")
		}
		c.envBase(fmt.Sprintf("profile %s (Environment, access key %s)", p, lastFour(k.AccessKeyID)),
			fmt.Sprintf("the access key %s of the environment (profile %s's credential_source)", lastFour(k.AccessKeyID), p))
	case "Ec2InstanceMetadata":
		c.ec2Base(p)
	case "EcsContainer":
		u, err := containerURL(b.env)
		if err != nil {
			return x.profileErr(p, "credential_source", fmt.Errorf("is EcsContainer, but %w", err), "")
		}
		c.ecsBase(p, u)
	default:
		return x.profileErr(p, "credential_source", fmt.Errorf("%q is not a credential source: "+
			"the AWS SDKs take Environment, Ec2InstanceMetadata or EcsContainer (case matters)", s.CredentialSource), "")
	}
	return nil
}

// envBase makes the base the environment's keys (AWS_ACCESS_KEY_ID and
// its kin), named for errors and hints by name and caller.
func (c *profileChain) envBase(name, caller string) {
	b, k := &c.base, c.base.env.Credentials
	b.kind, b.name, b.caller = BaseEnvironment, name, caller
	b.chaining, b.chainingWhy = ChainingNo, "long-term keys from the environment (no AWS_SESSION_TOKEN)"
	if k.SessionToken != "" {
		b.chaining, b.chainingWhy = ChainingYes, "a session's keys from the environment (AWS_SESSION_TOKEN)"
	}
}

func (c *profileChain) ec2Base(p string) {
	b := &c.base
	b.kind = BaseEC2Metadata
	b.chaining, b.chainingWhy = ChainingNo, "the EC2 instance's role, which AWS does not count as role chaining"
	b.name = fmt.Sprintf("profile %s (EC2 instance metadata)", p)
	b.caller = "the EC2 instance's role (profile " + p + ")"
	b.hint = "the instance metadata service answers only on an EC2 instance with an instance profile"
}

func (c *profileChain) ecsBase(p, u string) {
	b := &c.base
	b.kind, b.containerURL = BaseECSContainer, u
	b.chaining, b.chainingWhy = ChainingYes, "a container's task role session, which STS treats as a session"
	b.name = fmt.Sprintf("profile %s (container credentials)", p)
	b.caller = "the container's task role (profile " + p + ")"
	b.hint = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI is set by ECS, EKS Pod Identity or Greengrass; " +
		"check the variables and the endpoint"
}

// implicitBase is a profile without credentials of any kind, asked for by
// name: like the SDKs, the container's credentials when its variables are
// set, else the EC2 instance's.
func (c *profileChain) implicitBase(s *config.SharedConfig) {
	b := &c.base
	if u, err := containerURL(b.env); err == nil {
		c.ecsBase(s.Profile, u)
	} else {
		c.ec2Base(s.Profile)
	}
	b.key = ""
	c.note(fmt.Sprintf("profile %s has no credentials of its own: as the AWS SDKs do, xacct uses %s", s.Profile, b.chainingWhy))
}

// processBase is credential_process. Whether its answer is a session is
// known only when it runs, so the one-hour cap of role chaining is left to
// STS, whose refusal comes with a hint.
func (c *profileChain) processBase(s *config.SharedConfig) {
	b := &c.base
	b.kind, b.key = BaseProcess, "credential_process"
	b.chaining = ChainingUnknown
	b.chainingWhy = "whatever credential_process prints: long-term keys, or a session (then STS treats AssumeRole as role chaining)"
	// The command line is configuration, and shown by PlanProfile; but an
	// argument could be a secret, so errors and logs name the program only.
	b.name = fmt.Sprintf("profile %s (credential_process %s)", s.Profile, programName(s.CredentialProcess))
	b.caller = fmt.Sprintf("the credentials that profile %s's credential_process prints", s.Profile)
	b.hint = "run the command of credential_process yourself: it must print one JSON object " +
		`({"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ...}) on stdout and exit 0`
}

func (c *profileChain) webIdentityBase(s *config.SharedConfig) error {
	x, p, b := c.idx, s.Profile, &c.base
	for _, k := range []struct{ key, v string }{{"mfa_serial", s.MFASerial}, {"external_id", s.ExternalID}} {
		if k.v != "" {
			return x.profileErr(p, k.key, errors.New("is set with web_identity_token_file, but "+
				"AssumeRoleWithWebIdentity takes neither an MFA code nor an External ID"),
				"move it to a profile whose role_arn is assumed with source_profile = "+p)
		}
	}
	role := Role{ARN: s.RoleARN, SessionName: s.RoleSessionName}
	var err error
	if role.Duration, err = x.roleDuration(s); err != nil {
		return err
	}
	role = withDefaults(role)
	if err := validateRole(role, false); err != nil {
		return c.roleErr(s, 0, false, err)
	}
	b.kind, b.key, b.web = BaseWebIdentity, "web_identity_token_file", role
	b.chaining, b.chainingWhy = ChainingYes, "a web identity session (AssumeRoleWithWebIdentity)"
	b.name = fmt.Sprintf("profile %s (web identity, %s)", p, role.ARN)
	b.caller = fmt.Sprintf("the web identity session of %s (profile %s)", role.ARN, p)
	b.hint = "web_identity_token_file must be a readable OIDC token that the role's identity provider accepts " +
		"and that has not expired; the tool that writes it (EKS, a CI system) refreshes it"
	return nil
}

func (c *profileChain) ssoBase(s *config.SharedConfig) error {
	x, p, b := c.idx, s.Profile, &c.base
	region, startURL := s.SSORegion, s.SSOStartURL
	if s.SSOSession != nil {
		region, startURL = s.SSOSession.SSORegion, s.SSOSession.SSOStartURL
		for _, k := range []struct{ key, profile, session string }{
			{"sso_region", s.SSORegion, region}, {"sso_start_url", s.SSOStartURL, startURL},
		} {
			if k.profile != "" && k.profile != k.session {
				return x.profileErr(p, k.key, fmt.Errorf("differs from %s of [sso-session %s]: when both are set "+
					"they must match", k.key, s.SSOSessionName), "")
			}
		}
	}
	var missing []string
	for _, k := range []struct{ key, v string }{
		{"sso_account_id", s.SSOAccountID}, {"sso_role_name", s.SSORoleName},
		{"sso_region", region}, {"sso_start_url", startURL},
	} {
		if k.v == "" {
			missing = append(missing, k.key)
		}
	}
	if len(missing) > 0 {
		where := "the profile"
		if s.SSOSession != nil {
			where = "the profile (account, role) or [sso-session " + s.SSOSessionName + "] (region, start URL)"
		}
		return x.profileErr(p, missing[0], fmt.Errorf("is missing: an SSO profile needs %s, in %s",
			strings.Join(missing, ", "), where), "")
	}
	b.kind, b.key = BaseSSO, "sso_session"
	if s.SSOSession == nil {
		b.key = "sso_start_url"
	}
	b.chaining, b.chainingWhy = ChainingYes, "SSO role credentials, a session"
	b.name = fmt.Sprintf("profile %s (SSO, account %s, role %s)", p, s.SSOAccountID, s.SSORoleName)
	b.caller = fmt.Sprintf("the SSO role %s in account %s (profile %s)", s.SSORoleName, s.SSOAccountID, p)
	b.hint = fmt.Sprintf("run `aws sso login --profile %s`: xacct reads the token that it caches, and does not log in", p)
	return nil
}

func (c *profileChain) loginBase(s *config.SharedConfig) {
	b := &c.base
	b.kind, b.key = BaseLogin, "login_session"
	b.chaining, b.chainingWhy = ChainingYes, "a console login session"
	b.name = fmt.Sprintf("profile %s (login session)", s.Profile)
	b.caller = fmt.Sprintf("the login session of profile %s", s.Profile)
	b.hint = fmt.Sprintf("run `aws login --profile %s`: xacct reads the token that it caches, and does not log in", s.Profile)
}
