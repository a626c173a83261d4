package xacct

// Profiles: the chains that users already wrote in ~/.aws/config, built
// from xacct's providers. Each profile with role_arn is one hop with a
// cache of its own; the base at the end of source_profile is one of the
// kinds the AWS SDKs accept, through the SDK's own provider, in an xacct
// cache.

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
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
// for how a profile becomes a chain.
func LoadConfig(ctx context.Context, profile string, optFns ...func(*Options)) (aws.Config, error) {
	o := resolveOptions(optFns)
	c, err := resolveChain(ctx, profile, &o)
	if err != nil {
		return aws.Config{}, err
	}
	var named []func(*config.LoadOptions) error
	if c.plan.ChosenBy == "argument" {
		// Else the SDK picks AWS_PROFILE, or "default" when the files have
		// it, as it picked for resolveChain.
		named = append(named, config.WithSharedConfigProfile(c.plan.Profile))
	}
	// The SDK reads the files that resolveChain has checked (sharedini.ReadIndex);
	// one swapped for a FIFO since is the user's own doing.
	cfg, err := config.LoadDefaultConfig(ctx, append(named,
		config.WithSharedConfigFiles(c.files.Config),
		config.WithSharedCredentialsFiles(c.files.Credentials),
		// A provider given here keeps LoadDefaultConfig from building the
		// SDK's own chain of the profile (which re-assumes every hop on every
		// refresh, and fails on mfa_serial without a token provider). It is
		// replaced by xacct's chain below; region, endpoints and retry
		// settings are the profile's as usual.
		config.WithCredentialsProvider(aws.AnonymousCredentials{}),
	)...)
	if err != nil {
		return aws.Config{}, &ProfileError{Profile: c.plan.Profile, Err: fmt.Errorf("the AWS SDK cannot load its configuration: %w", err)}
	}
	creds, err := c.build(ctx, cfg, o)
	if err != nil {
		return aws.Config{}, err
	}
	cfg.Credentials = creds
	return cfg, nil
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
//     role_arn, SSO (sso_session or the legacy sso_* keys, reading the
//     token that `aws sso login` cached: xacct does not log in), and
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
	o := resolveOptions(optFns)
	c, err := resolveChain(ctx, profile, &o)
	if err != nil {
		return nil, err
	}
	return c.build(ctx, cfg, o)
}

// PlanProfile resolves profile as FromProfile does, with no network call,
// and returns the plan of its chain: the base, each hop, the MFA strategy.
// It fails with the errors FromProfile would fail with before the network.
func PlanProfile(ctx context.Context, profile string, optFns ...func(*Options)) (*ProfilePlan, error) {
	o := resolveOptions(optFns)
	c, err := resolveChain(ctx, profile, &o)
	if err != nil {
		return nil, err
	}
	plan := c.plan
	return &plan, nil
}

// build makes the chain's providers: the base, an MFA session on it if
// the profile says so, and the hops in order. It makes no network call.
func (c *profileChain) build(ctx context.Context, cfg aws.Config, o Options) (*Cache, error) {
	if cfg.Region == "" {
		cfg.Region = c.plan.Region
	}
	if cfg.Region == "" && (len(c.roles) > 0 || c.base.mfaSerial != "" || c.base.kind == BaseWebIdentity) {
		return nil, c.idx.profileErr(c.plan.Profile, "region", errors.New("is not set, nor AWS_REGION, "+
			"nor aws.Config.Region: STS calls are signed for a region"), "set region in the profile")
	}
	if o.MFA == nil {
		o.MFA = TerminalToken()
	}
	last, err := c.base.provider(ctx, cfg, &o)
	if err != nil {
		return nil, err
	}
	cfg.Credentials = last
	if c.base.mfaSerial != "" {
		so := o
		so.SessionDuration = c.base.session
		last, err = mfaSession(cfg, c.base.mfaSerial, o.MFA, so)
		if err != nil {
			return nil, err
		}
		cfg.Credentials = last
	}
	for _, r := range c.roles {
		if last, err = assumeRole(cfg, r, o); err != nil {
			return nil, err // validated in resolveChain: only a nil-config mistake comes here
		}
		cfg.Credentials = last
	}
	return last, nil
}
