package awsprofile

// Each kind of base, resolved from its profile: the key that makes it so,
// whether an AssumeRole with it is role chaining, how errors and hints
// name it, and what to do when its provider fails.

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/xacct/xacct/internal/basecreds"
)

func (c *Chain) staticBase(s *config.SharedConfig) {
	b, k := &c.Base, s.Credentials
	b.Kind, b.Key = KindStaticKeys, "aws_access_key_id"
	b.chaining, b.chainingWhy = ChainingNo, "an IAM user's long-term keys"
	if k.SessionToken != "" {
		b.Kind = KindSessionKeys
		b.chaining, b.chainingWhy = ChainingYes, "a session's keys (aws_session_token)"
	}
	b.Name = fmt.Sprintf("profile %s (access key %s)", s.Profile, lastFour(k.AccessKeyID))
	b.Caller = fmt.Sprintf("the access key %s of profile %s", lastFour(k.AccessKeyID), s.Profile)
	b.Hint = "the keys are read once, when the chain is built: change the file and build it again"
}

// sourceBase is credential_source: credentials from outside the files, on
// which the profile's role_arn is assumed.
func (c *Chain) sourceBase(s *config.SharedConfig) error {
	x, p, b := c.idx, s.Profile, &c.Base
	b.Key = "credential_source"
	switch s.CredentialSource {
	case "Environment":
		k := b.env.Credentials
		if !k.HasKeys() {
			return x.err(p, "credential_source", errors.New("is Environment, but AWS_ACCESS_KEY_ID "+
				"and AWS_SECRET_ACCESS_KEY are not both set"), "set them before the chain is built: they are read once")
		}
		c.envBase(fmt.Sprintf("profile %s (Environment, access key %s)", p, lastFour(k.AccessKeyID)),
			fmt.Sprintf("the access key %s of the environment (profile %s's credential_source)", lastFour(k.AccessKeyID), p))
	case "Ec2InstanceMetadata":
		c.ec2Base(p)
	case "EcsContainer":
		u, err := basecreds.ContainerURL(b.env)
		if err != nil {
			return x.err(p, "credential_source", fmt.Errorf("is EcsContainer, but %w", err), "")
		}
		c.ecsBase(p, u)
	default:
		return x.err(p, "credential_source", fmt.Errorf("%q is not a credential source: "+
			"the AWS SDKs take Environment, Ec2InstanceMetadata or EcsContainer (case matters)", s.CredentialSource), "")
	}
	return nil
}

// envBase makes the base the environment's keys (AWS_ACCESS_KEY_ID and
// its kin), named for errors and hints by name and caller.
func (c *Chain) envBase(name, caller string) {
	b, k := &c.Base, c.Base.env.Credentials
	b.Kind, b.Name, b.Caller = KindEnvironment, name, caller
	b.chaining, b.chainingWhy = ChainingNo, "long-term keys from the environment (no AWS_SESSION_TOKEN)"
	if k.SessionToken != "" {
		b.chaining, b.chainingWhy = ChainingYes, "a session's keys from the environment (AWS_SESSION_TOKEN)"
	}
}

func (c *Chain) ec2Base(p string) {
	b := &c.Base
	b.Kind = KindEC2Metadata
	b.chaining, b.chainingWhy = ChainingNo, "the EC2 instance's role, which AWS does not count as role chaining"
	b.Name = fmt.Sprintf("profile %s (EC2 instance metadata)", p)
	b.Caller = "the EC2 instance's role (profile " + p + ")"
	b.Hint = "the instance metadata service answers only on an EC2 instance with an instance profile"
}

func (c *Chain) ecsBase(p, u string) {
	b := &c.Base
	b.Kind, b.containerURL = KindECSContainer, u
	b.chaining, b.chainingWhy = ChainingYes, "a container's task role session, which STS treats as a session"
	b.Name = fmt.Sprintf("profile %s (container credentials)", p)
	b.Caller = "the container's task role (profile " + p + ")"
	b.Hint = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI is set by ECS, EKS Pod Identity or Greengrass; " +
		"check the variables and the endpoint"
}

// implicitBase is a profile without credentials of any kind, asked for by
// name: like the SDKs, the container's credentials when its variables are
// set, else the EC2 instance's.
func (c *Chain) implicitBase(s *config.SharedConfig) {
	b := &c.Base
	if u, err := basecreds.ContainerURL(b.env); err == nil {
		c.ecsBase(s.Profile, u)
	} else {
		c.ec2Base(s.Profile)
	}
	b.Key = ""
	c.note(fmt.Sprintf("profile %s has no credentials of its own: as the AWS SDKs do, xacct uses %s", s.Profile, b.chainingWhy))
}

// processBase is credential_process. Whether its answer is a session is
// known only when it runs, so the one-hour cap of role chaining is left to
// STS, whose refusal comes with a hint.
func (c *Chain) processBase(s *config.SharedConfig) {
	b := &c.Base
	b.Kind, b.Key = KindProcess, "credential_process"
	b.chaining = ChainingUnknown
	b.chainingWhy = "whatever credential_process prints: long-term keys, or a session (then STS treats AssumeRole as role chaining)"
	// The command line is configuration, and shown by the plan; but an
	// argument could be a secret, so errors and logs name the program only.
	b.Name = fmt.Sprintf("profile %s (credential_process %s)", s.Profile, programName(s.CredentialProcess))
	b.Caller = fmt.Sprintf("the credentials that profile %s's credential_process prints", s.Profile)
	b.Hint = "run the command of credential_process yourself: it must print one JSON object " +
		`({"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ...}) on stdout and exit 0`
}

func (c *Chain) webIdentityBase(s *config.SharedConfig) error {
	x, p, b := c.idx, s.Profile, &c.Base
	for _, k := range []struct{ key, v string }{{"mfa_serial", s.MFASerial}, {"external_id", s.ExternalID}} {
		if k.v != "" {
			return x.err(p, k.key, errors.New("is set with web_identity_token_file, but "+
				"AssumeRoleWithWebIdentity takes neither an MFA code nor an External ID"),
				"move it to a profile whose role_arn is assumed with source_profile = "+p)
		}
	}
	role := Role{ARN: s.RoleARN, SessionName: s.RoleSessionName}
	var err error
	if role.Duration, err = x.roleDuration(s); err != nil {
		return err
	}
	if role, err = c.opts.CheckRole(role, false); err != nil {
		return c.roleErr(s, 0, false, err)
	}
	b.Kind, b.Key, b.WebRole, b.TokenFile = KindWebIdentity, "web_identity_token_file", role, s.WebIdentityTokenFile
	b.chaining, b.chainingWhy = ChainingYes, "a web identity session (AssumeRoleWithWebIdentity)"
	b.Name = fmt.Sprintf("profile %s (web identity, %s)", p, role.ARN)
	b.Caller = fmt.Sprintf("the web identity session of %s (profile %s)", role.ARN, p)
	b.Hint = "web_identity_token_file must be a readable OIDC token that the role's identity provider accepts " +
		"and that has not expired; the tool that writes it (EKS, a CI system) refreshes it"
	return nil
}

func (c *Chain) ssoBase(s *config.SharedConfig) error {
	x, p, b := c.idx, s.Profile, &c.Base
	region, startURL := s.SSORegion, s.SSOStartURL
	if s.SSOSession != nil {
		region, startURL = s.SSOSession.SSORegion, s.SSOSession.SSOStartURL
		for _, k := range []struct{ key, profile, session string }{
			{"sso_region", s.SSORegion, region}, {"sso_start_url", s.SSOStartURL, startURL},
		} {
			if k.profile != "" && k.profile != k.session {
				return x.err(p, k.key, fmt.Errorf("differs from %s of [sso-session %s]: when both are set "+
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
		return x.err(p, missing[0], fmt.Errorf("is missing: an SSO profile needs %s, in %s",
			strings.Join(missing, ", "), where), "")
	}
	b.Kind, b.Key = KindSSO, "sso_session"
	if s.SSOSession == nil {
		b.Key = "sso_start_url"
	}
	b.chaining, b.chainingWhy = ChainingYes, "SSO role credentials, a session"
	b.Name = fmt.Sprintf("profile %s (SSO, account %s, role %s)", p, s.SSOAccountID, s.SSORoleName)
	b.Caller = fmt.Sprintf("the SSO role %s in account %s (profile %s)", s.SSORoleName, s.SSOAccountID, p)
	b.Hint = fmt.Sprintf("run xacct login %s", p)
	return nil
}

func (c *Chain) loginBase(s *config.SharedConfig) {
	b := &c.Base
	b.Kind, b.Key = KindLogin, "login_session"
	b.chaining, b.chainingWhy = ChainingYes, "a console login session"
	b.Name = fmt.Sprintf("profile %s (login session)", s.Profile)
	b.Caller = fmt.Sprintf("the login session of profile %s", s.Profile)
	b.Hint = fmt.Sprintf("run `aws login --profile %s`: xacct reads the token that it caches, and does not log in", s.Profile)
}
