package xacct

// The plan of a profile: what FromProfile builds, resolved from the shared
// files with no network call (internal/awsprofile), as data for people
// and scripts (`xacct explain`, its --json).

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct/internal/awsprofile"
)

// ProfilePlan is what FromProfile builds for a profile: the base
// credentials, the hops assumed on them in order, and how MFA codes are
// asked for. PlanProfile resolves it from the shared files with no network
// call, and its Config method builds it; it holds no secret (static keys
// show the access key ID's last four characters at most). `xacct explain`
// prints it, and its JSON form (the field tags) is for scripts.
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

	// config is Config's work, on the chain the plan was made from; nil
	// in a plan that PlanProfile did not make. A func, which fmt shows as
	// an address with any verb: a pointer to a struct would be shown
	// whole by %s (and the chain's base holds keys).
	config func(ctx context.Context, optFns []func(*Options)) (aws.Config, error)
}

// PlanBase is where a profile's chain starts: the credentials that sign the
// first hop's AssumeRole (or that the profile gives as they are).
type PlanBase struct {
	// Kind is every base the AWS SDKs accept in a profile, one of:
	//   - "static-keys": aws_access_key_id and aws_secret_access_key, long-term keys
	//   - "session-keys": the same with aws_session_token, a session's keys
	//   - "environment": credential_source = Environment
	//   - "ec2-instance-metadata": credential_source = Ec2InstanceMetadata, or no credentials at all
	//   - "ecs-container": credential_source = EcsContainer, or no credentials in a container
	//   - "credential-process": credential_process
	//   - "web-identity": web_identity_token_file with role_arn
	//   - "sso": sso_session, or the legacy sso_* keys
	//   - "login": login_session, from `aws login`
	Kind    string `json:"kind"`
	Profile string `json:"profile"` // the profile that holds it
	Key     string `json:"key"`     // the key that makes it this kind, such as "credential_process"
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Detail  string `json:"detail"` // what it is, without secrets: "access key …MPLE", the command, the role and token file

	// Command is the command line of credential_process, as written, for
	// a "credential-process" base; "" for other kinds. It is
	// configuration, and an argument may be a secret: xacct's errors and
	// logs show only its program, never the line.
	Command string `json:"command,omitempty"`

	// Chaining says whether hop 1's AssumeRole, signed with the base's
	// credentials, is role chaining, which STS caps at one hour: "yes",
	// "no", or "unknown" (a credential_process may print long-term keys or
	// a session: STS decides).
	Chaining    string `json:"chaining"`
	ChainingWhy string `json:"chaining_why"` // the reason, in a clause

	// MFASerial is set when the base is an MFA session (mfa_serial on a
	// profile with keys and no role_arn, aws-vault's convention), and
	// SessionSeconds is then its length.
	MFASerial      string `json:"mfa_serial,omitempty"`
	SessionSeconds int    `json:"session_seconds,omitempty"`
}

// PlanHop is one AssumeRole of the chain, from one profile with role_arn.
type PlanHop struct {
	Hop             int               `json:"hop"` // from 1
	Profile         string            `json:"profile"`
	File            string            `json:"file,omitempty"` // where role_arn is written
	Line            int               `json:"line,omitempty"`
	RoleARN         string            `json:"role_arn"`
	ExternalID      string            `json:"external_id,omitempty"`
	MFASerial       string            `json:"mfa_serial,omitempty"` // a code on each AssumeRole of this hop
	SessionName     string            `json:"session_name"`
	DurationSeconds int               `json:"duration_seconds"`
	DefaultDuration bool              `json:"default_duration"`      // no duration_seconds: DefaultDuration
	Chaining        bool              `json:"chaining"`              // STS caps the session at one hour
	SameDevice      map[string]string `json:"same_device,omitempty"` // other roles on the source asking for MFASerial's codes: profile → role ARN
}

// resolvedProfile is what ProfilePlan.Config builds from: the resolved
// chain (whose base may hold secrets), the option functions PlanProfile
// was given, and the SDK's configuration of the profile, all read when
// the plan was made. It is not changed after.
type resolvedProfile struct {
	chain *awsprofile.Chain
	fns   []func(*Options)
	opts  Options // fns resolved: what the chain was resolved with

	sdk    aws.Config // LoadDefaultConfig's (PlanProfile's only); Config copies it
	sdkErr error      // LoadDefaultConfig's failure, for Config to return
}

// newPlan makes the plan of a resolved chain.
func newPlan(r *resolvedProfile) *ProfilePlan {
	c, b := r.chain, r.chain.Base
	p := &ProfilePlan{
		Profile: c.Profile, ChosenBy: c.ChosenBy, ConfigFiles: c.Files.Config, CredentialsFiles: c.Files.Credentials,
		Region: c.Region, MFA: c.MFA, Notes: c.Notes, config: r.config,
		Base: PlanBase{
			Kind: b.Kind, Profile: b.Profile, Key: b.Key, File: b.File, Line: b.Line, Detail: b.Detail,
			Command: b.Command, Chaining: b.Chaining, ChainingWhy: b.ChainingWhy, MFASerial: b.MFASerial,
		},
	}
	if b.MFASerial != "" {
		p.Base.SessionSeconds = int(b.Session / time.Second)
	}
	for i, h := range c.Hops {
		p.Hops = append(p.Hops, PlanHop{
			Hop: i + 1, Profile: h.Profile, File: h.At.File, Line: h.At.Line,
			RoleARN: h.Role.ARN, ExternalID: h.Role.ExternalID, MFASerial: h.Role.MFASerial,
			SessionName: h.Role.SessionName, DurationSeconds: int(h.Role.Duration / time.Second),
			DefaultDuration: h.DefaultDuration, Chaining: h.Chaining, SameDevice: h.SameDevice,
		})
	}
	return p
}
