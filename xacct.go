// Package xacct gives a Go program AWS credentials in another account.
//
// A program holding credentials of account A acts in account B by assuming
// an IAM role there with STS AssumeRole. The role's trust policy (in B) names
// who may assume it, often with an External ID condition (third parties) or
// an MFA condition (people); the caller's own policy (in A) must allow
// sts:AssumeRole on the role's ARN. Sessions are short, so the credentials
// must be refreshed; roles may be chained (A → B → C), and STS caps chained
// sessions at one hour.
//
// AssumeRole, Chain and MFASession each return a *Cache, an
// aws.CredentialsProvider to put into aws.Config.Credentials. Every SDK
// client built from that config then signs with credentials of the target
// role that are refreshed ahead of expiry in the background, so that the
// program's goroutines never wait on STS and never get expired credentials.
//
//	cfg, _ := config.LoadDefaultConfig(ctx)            // account A
//	creds, err := xacct.Chain(cfg, []xacct.Role{
//		{ARN: "arn:aws:iam::222222222222:role/Hub", ExternalID: "ext-123"},
//		{ARN: "arn:aws:iam::333333333333:role/Deploy"},
//	})
//	if err != nil { ... }                              // bad input fails here
//	cfg.Credentials = creds                            // account C
//	s3c := s3.NewFromConfig(cfg)
//
// Assign the *Cache to cfg.Credentials directly. config.WithCredentialsProvider
// would wrap it in an aws.CredentialsCache, which holds credentials until
// they expire and so defeats the refresh ahead of expiry.
//
// The same chains come from the profiles users already wrote in
// ~/.aws/config (LoadConfig, FromProfile), can be shared between processes
// so that short-lived tools make one STS call and one MFA prompt per
// session between them (Options.Store, FileStore), and can be run in every
// account of an organization under one STS rate (Accounts, FanOut). The
// package xaccttest is a fake STS that enforces what STS enforces, for
// tests.
//
// # Map of the package
//
// Calls go one way: the features (profiles, the store, the fan-out) build
// on the core through its constructors, Options and small interfaces
// (errors join the core's through one interface). The core's links to
// them are Options' fields that features read (ConfigFiles,
// CredentialsFiles, Store) and the refresh path's store step. Mechanisms
// live in internal packages, one job each.
//
//	The core
//	  xacct.go        Role, AssumeRole: one hop (and this map)
//	  chain.go        Chain: hops one after another
//	  mfa.go          MFASession, TokenFunc, TokenRequest
//	  tokens.go       TokenFunc sources: TerminalToken, ProcessToken, StaticToken
//	  prompt.go       one prompt at a time per device; no code twice
//	  cache.go        Cache: the states of cached credentials, Retrieve, Invalidate
//	  cache_format.go a Cache prints no secret, with any verb
//	  state.go        an entry's states: fresh, stale, due, expired
//	  refresh.go      the refresh path: begin, call, check, record, report
//	  describe.go     what a Cache knows of the provider it wraps; Cache.SessionKind
//	  options.go      Options and the defaults; options_check.go: fields a function cannot use
//	  errors.go       HopError, SessionError, their format
//	  sts.go          the STS client, its answers bounded, the one converter of its answers
//	The store (Options.Store)
//	  store.go        Store, StoredCredentials, the cache's store step, StoreKeys
//	  requester.go    who asks for a session, identified and bound to the call it signs
//	  storecall.go    store calls bounded, a hung store skipped
//	  filestore.go    FileStore, over internal/filestore
//	Profiles (LoadConfig, FromProfile, PlanProfile, ProfilePlan.Config)
//	  profile.go      a resolved chain built through the core's constructors
//	  profile_plan.go ProfilePlan, PlanBase, PlanHop: the chain as data
//	  profile_base.go the base in a Cache; a web identity session as a requester
//	  profile_error.go ProfileError, by profile, key, file and line
//	The fan-out (FanOut, Accounts)
//	  fanout.go       FanOut, its options, Report, Result; internal/fanout runs it
//	  accounts.go     Account, Accounts; internal/orgaccounts lists Organizations
//	Sign-in and serving (each over its internal package)
//	  handler.go      CredentialsHandler (internal/credendpoint: the wire)
//	  cache_validfor.go  Cache.RetrieveValidFor: credentials with a margin left
//	  eks.go          NewEKSToken (internal/ekstoken)
//	  console.go      ConsoleURL (internal/signin)
//	  sso.go          LoginSSO (internal/ssologin, ssocache, ssorole)
//	internal/
//	  one job each: filestore, storekey, sharedini, awsprofile, basecreds,
//	  boundedcall, answerlimit, stshint, mfadevice, codeprompt, proctree,
//	  fanout, orgaccounts, stsrate, workpool, recovered, partition,
//	  validate, backoff, totp, trunc; fakeclock and testutil for tests
package xacct

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/xacct/xacct/internal/rolereq"
)

// Role describes one AssumeRole call: the role to assume and what to pass
// to STS. Only ARN is required.
type Role struct {
	// ARN of the role: arn:<partition>:iam::<12 digits>:role/<optional path/><name>.
	ARN string

	// SessionName names the session in CloudTrail and in the assumed-role
	// ARN; 2 to 64 characters of [\w+=,.@-]. Empty: "xacct-<user>" ($USER,
	// else the login name; other characters become '-'), fixed when the
	// provider is built, so that a reader of CloudTrail can tell who called.
	SessionName string

	// ExternalID is passed as sts:ExternalId, for trust policies that demand
	// one (usually a third party's): 2 to 1224 characters of [\w+=,.@:/-].
	ExternalID string

	// Duration of each session: 15m to 12h, and at most the role's
	// MaxSessionDuration. Zero: DefaultDuration (1h). STS caps role chaining
	// (every hop after the first of a Chain, or any hop on temporary
	// credentials) at 1h; a longer Duration there is an error.
	Duration time.Duration

	// MFASerial is the MFA device (an ARN such as
	// arn:aws:iam::111111111111:mfa/alice, or a hardware serial). When set,
	// Options.MFA supplies a code for each AssumeRole call, and the hop is
	// refreshed only when a caller needs it, never in the background.
	MFASerial string

	// Policy is an inline session policy (JSON, at most 2048 characters).
	// It can only narrow the role's permissions.
	Policy string

	// PolicyARNs are managed session policies (at most 10).
	PolicyARNs []string

	// Tags are session tags (at most 50).
	Tags map[string]string

	// TransitiveTagKeys are keys of Tags that pass on to later hops.
	TransitiveTagKeys []string

	// SourceIdentity is recorded in CloudTrail and passes on through role
	// chaining; 2 to 64 characters of [\w+=,.@-].
	SourceIdentity string
}

// AssumeRole returns a *Cache that assumes role with cfg.Credentials.
//
// The STS client is built from cfg, so its region, BaseEndpoint, HTTP
// client, retryer and API options apply; pointing cfg.BaseEndpoint at any
// STS-compatible endpoint (a fake on loopback, a FIPS or regional endpoint)
// works. If cfg.Credentials is itself an xacct hop, the new hop is its next
// one: it is numbered after it in errors, and STS's one-hour cap on role
// chaining is checked.
//
// Bad input fails here, before any network call, with an error that names
// the hop, the field and the rule.
func AssumeRole(cfg aws.Config, role Role, optFns ...func(*Options)) (*Cache, error) {
	o := resolveOptions(optFns)
	if err := refuseOptions("AssumeRole", &o, optConfigFiles, optCredentialsFiles, optSessionDuration,
		optLastHopDuration); err != nil {
		return nil, err
	}
	return assumeRole(cfg, role, o)
}

func assumeRole(cfg aws.Config, role Role, o Options) (*Cache, error) {
	if cfg.Credentials == nil {
		return nil, &HopError{Hop: 1, RoleARN: role.ARN, Err: errors.New("aws.Config.Credentials is nil: " +
			"AssumeRole signs its STS call with the caller's credentials, so load them first " +
			"(config.LoadDefaultConfig, or another xacct provider)")}
	}
	base := describe(cfg.Credentials)
	hop, caller := base.nextHop()
	fail := func(err error) (*Cache, error) { return nil, &HopError{Hop: hop, RoleARN: role.ARN, Err: err} }
	role = withDefaults(role)
	if err := validateRole(role, base.temporary); err != nil {
		return fail(err)
	}
	if role.MFASerial != "" && o.MFA == nil {
		return fail(errors.New("MFASerial is set but Options.MFA is nil: a role with an MFA device needs " +
			"a TokenFunc to supply codes (xacct.TerminalToken, xacct.ProcessToken, or your own)"))
	}
	p := &roleProvider{role: role, input: assumeRoleInput(role), stsProvider: newSTSProvider(cfg, o,
		descriptor{name: role.ARN, hop: hop, temporary: true, kind: hopKind(base), interactive: role.MFASerial != "", prompts: base.prompts},
		hintFacts{
			RoleARN: role.ARN, HasExternal: role.ExternalID != "", MFASerial: role.MFASerial,
			Duration: role.Duration, Caller: caller,
		})}
	if p.desc.interactive {
		p.desc.prompts++
	}
	p.desc.session = &sessionKey{
		Kind: "assume-role", Endpoint: endpointOf(cfg), Region: cfg.Region,
		RoleARN: role.ARN, SessionName: role.SessionName, ExternalID: role.ExternalID, MFASerial: role.MFASerial,
		DurationSeconds: aws.ToInt32(p.input.DurationSeconds), Policy: role.Policy, PolicyARNs: role.PolicyARNs,
		Tags: tagList(p.input.Tags), TransitiveTagKeys: role.TransitiveTagKeys, SourceIdentity: role.SourceIdentity,
	}
	return newCache(p, p.desc, o), nil
}

// The defaults, checks and request of a role (internal/rolereq).
func withDefaults(r Role) Role {
	return Role(rolereq.WithDefaults(rolereq.Role(r), DefaultDuration))
}

func validateRole(r Role, chaining bool) error { return rolereq.Validate(rolereq.Role(r), chaining) }

func assumeRoleInput(r Role) *sts.AssumeRoleInput { return rolereq.Input(rolereq.Role(r)) }

func tagList(tags []types.Tag) []string { return rolereq.TagList(tags) }

// roleProvider makes the AssumeRole calls of one hop.
type roleProvider struct {
	stsProvider                      // its base is another hop's *Cache in a chain
	role        Role                 // defaults resolved, validated; read-only
	input       *sts.AssumeRoleInput // built from role; read-only
}

// Retrieve assumes the role once, with an MFA code (asked with a context)
// when the role has a device.
func (p *roleProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	in := *p.input
	if p.role.MFASerial != "" {
		// Earlier hops first: their prompts come in chain order, and no code
		// is spent when they fail.
		if _, err := p.base.Retrieve(ctx); err != nil {
			if earlier := upstreamError(err); earlier != nil {
				return aws.Credentials{}, earlier
			}
			// No hint: the hints are for this hop's own STS call, which was
			// not made.
			return aws.Credentials{}, &HopError{Hop: p.desc.hop, RoleARN: p.role.ARN,
				Err: fmt.Errorf("credentials of %s: %w", p.facts.Caller, err)}
		}
		code, err := tokenCode(ctx, p.opts.MFA, &p.opts, TokenRequest{
			SerialNumber: p.role.MFASerial, RoleARN: p.role.ARN, Hop: p.desc.hop,
		})
		if err != nil {
			return aws.Credentials{}, p.fail(err)
		}
		in.TokenCode = aws.String(code)
		ctx = p.afterPrompt(ctx)
	}
	out, err := p.client.AssumeRole(ctx, &in, p.signWith(ctx)...)
	if err != nil {
		if earlier := upstreamError(err); earlier != nil {
			return aws.Credentials{}, earlier
		}
		return aws.Credentials{}, p.fail(fmt.Errorf("AssumeRole: %w", err))
	}
	creds, err := fromSTS(out.Credentials, "xacct.AssumeRole")
	if err != nil {
		return aws.Credentials{}, p.fail(fmt.Errorf("AssumeRole: %w", err))
	}
	if out.AssumedRoleUser != nil {
		if a, err := arn.Parse(aws.ToString(out.AssumedRoleUser.Arn)); err == nil {
			creds.AccountID = a.AccountID
		}
	}
	return creds, nil
}

// fail makes a hop's error, with a hint when STS refused the call.
func (p *roleProvider) fail(err error) error {
	return &HopError{Hop: p.desc.hop, RoleARN: p.role.ARN, Err: err, Hint: hint(err, p.facts)}
}
