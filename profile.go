package xacct

// Profiles: the chains that users already wrote in ~/.aws/config, built
// from xacct's providers. internal/awsprofile resolves a profile into its
// base and hops, with no network call; this file turns that into caches:
// the base (profile_base.go), an MFA session on it if the profile says
// so, and each hop, through the core's constructors.

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct/internal/awsprofile"
)

// LoadConfig loads the shared configuration of profile as config.LoadDefaultConfig does (region,
// endpoints, retry settings) and sets Credentials to xacct providers for the profile's whole chain.
//
// An empty profile means AWS_PROFILE, else "default". The files are
// Options.ConfigFiles and Options.CredentialsFiles, else AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials.
// Credentials is the last hop's *Cache itself, not wrapped in an
// aws.CredentialsCache, so that it refreshes ahead of expiry. When the
// chain needs MFA codes and Options.MFA is nil, TerminalToken asks for them.
//
// Errors in the profiles (an unknown profile, a source_profile cycle, a
// duration STS would refuse, ...) come before any network call, as a
// *ProfileError naming the profile, the key and the file. See FromProfile
// for how a profile becomes a chain. LoadConfig is PlanProfile and then
// ProfilePlan.Config: a program that shows the plan first calls those two.
func LoadConfig(ctx context.Context, profile string, optFns ...func(*Options)) (aws.Config, error) {
	plan, err := PlanProfile(ctx, profile, optFns...)
	if err != nil {
		return aws.Config{}, err
	}
	return plan.Config(ctx)
}

// FromProfile returns the credentials of profile's chain; cfg supplies region, endpoint, HTTP client, retryer.
//
// The profile and its files are chosen as in LoadConfig. The chain is
// what the AWS CLI reads in the same files, with xacct's caches:
//
//   - Each profile with role_arn is one hop, with its own cache: role_arn,
//     external_id, mfa_serial (a code on that hop's AssumeRole),
//     role_session_name and duration_seconds (default 1h; a hop on a session
//     is role chaining, which STS caps at 1h, and a longer duration is an
//     error here, not at STS). source_profile names the profile whose
//     credentials assume it; a profile may be its own source when it has
//     keys. credential_source assumes it with the environment's keys, the
//     EC2 instance's role or the container's.
//   - The base, at the end of source_profile, is any kind the SDKs accept,
//     through the SDK's own provider: static keys (with or without
//     aws_session_token), credential_process, web_identity_token_file with
//     role_arn, SSO (sso_session or the legacy sso_* keys, on the token
//     that LoginSSO or `aws sso login` cached, refreshed under a lock), and
//     login_session. A profile with no credentials at all, asked for by
//     name, uses the container's or the instance's, as in the SDKs.
//   - mfa_serial on a profile with keys (or credential_process) and no
//     role_arn makes the base an MFA session (aws-vault's convention, which
//     the AWS CLI ignores): one code per session (duration_seconds there,
//     else Options.SessionDuration, default 12h), and the hops on it are
//     role chaining, one hour each. A hop whose mfa_serial is the session's
//     device asks no code of its own: the session carries MFA.
//
// Every hop's STS client is built from cfg, whose Credentials are ignored:
// the profile supplies them. When cfg has no region, the profile's region
// is used. PlanProfile shows the chain without building it; `xacct explain`
// prints it.
func FromProfile(ctx context.Context, cfg aws.Config, profile string, optFns ...func(*Options)) (*Cache, error) {
	r, err := resolveProfile(ctx, profile, optFns)
	if err != nil {
		return nil, err
	}
	return r.build(ctx, cfg, r.opts)
}

// PlanProfile resolves profile as FromProfile does, with no network call,
// and returns the plan of its chain: the base, each hop, the MFA strategy.
// It fails with the errors FromProfile would fail with before the network.
// The plan's Config method builds the chain it shows, from the files as
// they were read here: PlanProfile reads them, with the configuration
// config.LoadDefaultConfig takes from them (region, endpoints, retry
// settings), and Config reads them no more.
func PlanProfile(ctx context.Context, profile string, optFns ...func(*Options)) (*ProfilePlan, error) {
	r, err := resolveProfile(ctx, profile, optFns)
	if err != nil {
		return nil, err
	}
	r.sdk, r.sdkErr = sdkConfig(ctx, r.chain)
	return newPlan(r), nil
}

// Config builds the chain the plan shows, as LoadConfig does, without
// reading the shared files again: a file changed since PlanProfile changes
// nothing of it, neither the chain nor the configuration (region,
// endpoints, retry settings, as config.LoadDefaultConfig read them for
// PlanProfile). Each call builds new caches on the same configuration, so
// that chains built from one plan with different options (a store, an STS
// client) use the same region and endpoints, hence the same store keys.
// It makes no network call, and is safe for concurrent use.
//
// Its options are PlanProfile's, then optFns (applied to a copy). The
// fields that shaped the plan (ConfigFiles, CredentialsFiles,
// SessionDuration, LastHopDuration) cannot change here: a different value is an error
// naming the field. A plan that PlanProfile did not make (a zero one, one
// decoded from JSON) holds no chain, and is an error too.
func (p *ProfilePlan) Config(ctx context.Context, optFns ...func(*Options)) (aws.Config, error) {
	if p == nil || p.config == nil {
		return aws.Config{}, errors.New("xacct: ProfilePlan.Config: the plan was not made by PlanProfile " +
			"(a zero plan, or one decoded from JSON, holds no chain): call PlanProfile")
	}
	return p.config(ctx, optFns)
}

// config is ProfilePlan.Config of the plan of r.
func (r *resolvedProfile) config(ctx context.Context, optFns []func(*Options)) (aws.Config, error) {
	o, err := r.options(optFns)
	if err != nil {
		return aws.Config{}, err
	}
	if r.sdkErr != nil {
		return aws.Config{}, r.sdkErr
	}
	cfg := r.sdk.Copy()
	if cfg.Credentials, err = r.build(ctx, cfg, o); err != nil {
		return aws.Config{}, err
	}
	return cfg, nil
}

// resolveProfile resolves a profile into its chain, or fails with a
// ProfileError naming the profile, the key and the file.
func resolveProfile(ctx context.Context, profile string, optFns []func(*Options)) (*resolvedProfile, error) {
	o := resolveOptions(optFns)
	source := "Options.MFA"
	if o.MFA == nil {
		source = "the terminal (no other source of codes is set)"
	}
	session := o.SessionDuration
	if session == 0 {
		session = DefaultSessionDuration
	}
	c, err := awsprofile.Resolve(ctx, awsprofile.Options{
		Profile: profile, ConfigFiles: o.ConfigFiles, CredentialsFiles: o.CredentialsFiles,
		SessionDuration: session, MinSession: minSessionDuration, MaxSession: maxSessionDuration,
		MFASource: source, CheckRole: checkProfileRole, LastHopDuration: o.LastHopDuration,
	})
	if err != nil {
		return nil, profileError(err)
	}
	return &resolvedProfile{chain: c, fns: slices.Clone(optFns), opts: o}, nil
}

// checkProfileRole fills in the defaults of a profile's role and checks
// it with the core's rules.
func checkProfileRole(pr awsprofile.Role, chaining bool) (awsprofile.Role, error) {
	r := withDefaults(Role{ARN: pr.ARN, SessionName: pr.SessionName, ExternalID: pr.ExternalID,
		MFASerial: pr.MFASerial, Duration: pr.Duration})
	if err := validateRole(r, chaining); err != nil {
		return pr, err
	}
	return awsprofile.Role{ARN: r.ARN, SessionName: r.SessionName, ExternalID: r.ExternalID,
		MFASerial: r.MFASerial, Duration: r.Duration}, nil
}

// options are the options of a Config call: PlanProfile's, then optFns,
// none of which may change what shaped the plan.
func (r *resolvedProfile) options(optFns []func(*Options)) (Options, error) {
	if len(optFns) == 0 {
		return r.opts, nil
	}
	o := resolveOptions(append(slices.Clone(r.fns), optFns...))
	for _, f := range []struct {
		name string
		same bool
	}{
		{"ConfigFiles", sameFiles(o.ConfigFiles, r.opts.ConfigFiles)},
		{"CredentialsFiles", sameFiles(o.CredentialsFiles, r.opts.CredentialsFiles)},
		{"SessionDuration", o.SessionDuration == r.opts.SessionDuration},
		{"LastHopDuration", o.LastHopDuration == r.opts.LastHopDuration},
	} {
		if !f.same {
			return Options{}, fmt.Errorf("xacct: ProfilePlan.Config: Options.%s differs from PlanProfile's, "+
				"which resolved the plan with it: set it in PlanProfile", f.name)
		}
	}
	return o, nil
}

// sameFiles reports whether two file lists choose the same files: nil
// (the environment's, else the defaults) is not an empty list.
func sameFiles(a, b []string) bool { return (a == nil) == (b == nil) && slices.Equal(a, b) }

// sdkConfig is the SDK's configuration of a resolved profile.
func sdkConfig(ctx context.Context, c *awsprofile.Chain) (aws.Config, error) {
	cfg, err := c.SDKConfig(ctx)
	if err != nil {
		return aws.Config{}, &ProfileError{Profile: c.Profile, Err: err}
	}
	return cfg, nil
}

// build makes the chain's providers: the base, an MFA session on it if
// the profile says so, and the hops in order. It makes no network call.
func (r *resolvedProfile) build(ctx context.Context, cfg aws.Config, o Options) (*Cache, error) {
	c, b := r.chain, &r.chain.Base
	if cfg.Region == "" {
		cfg.Region = c.Region
	}
	if cfg.Region == "" && (len(c.Hops) > 0 || b.MFASerial != "" || b.Kind == awsprofile.KindWebIdentity) {
		return nil, profileError(c.Err(c.Profile, "region", errors.New("is not set, nor in the profiles it uses, "+
			"nor AWS_REGION or AWS_DEFAULT_REGION: STS calls are signed for a region"), "set region in the profile, or aws.Config.Region"))
	}
	if o.MFA == nil {
		o.MFA = TerminalToken()
	}
	last, err := baseCache(ctx, cfg, b, &o)
	if err != nil {
		return nil, err
	}
	cfg.Credentials = last
	if b.MFASerial != "" {
		so := o
		so.SessionDuration = b.Session
		if last, err = mfaSession(cfg, b.MFASerial, o.MFA, so); err != nil {
			return nil, err
		}
		cfg.Credentials = last
	}
	for _, h := range c.Hops {
		role := Role{ARN: h.Role.ARN, SessionName: h.Role.SessionName, ExternalID: h.Role.ExternalID,
			MFASerial: h.Role.MFASerial, Duration: h.Role.Duration}
		if last, err = assumeRole(cfg, role, o); err != nil {
			return nil, err // checked in the resolution: only a nil-config mistake comes here
		}
		cfg.Credentials = last
	}
	return last, nil
}
