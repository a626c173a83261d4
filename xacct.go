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
package xacct

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/xacct/xacct/internal/validate"
)

// Role describes one AssumeRole call: the role to assume and what to pass
// to STS. Only ARN is required.
type Role struct {
	// ARN of the role: arn:<partition>:iam::<12 digits>:role/<optional path/><name>.
	ARN string

	// SessionName names the session in CloudTrail and in the assumed-role
	// ARN; 2 to 64 characters of [\w+=,.@-]. Empty: "xacct-<program>@<host>",
	// fixed when the provider is built, so that a reader of CloudTrail can
	// tell where a call came from.
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
	return assumeRole(cfg, role, resolveOptions(optFns))
}

func assumeRole(cfg aws.Config, role Role, o Options) (*Cache, error) {
	hop, chaining, caller := baseOf(cfg.Credentials)
	fail := func(err error) (*Cache, error) {
		return nil, &HopError{Hop: hop, RoleARN: role.ARN, Err: err}
	}
	if cfg.Credentials == nil {
		return fail(fmt.Errorf("aws.Config.Credentials is nil: AssumeRole signs its STS call with the caller's credentials, so load them first (config.LoadDefaultConfig, or another xacct provider)"))
	}
	role = withDefaults(role)
	if err := validateRole(role, chaining); err != nil {
		return fail(err)
	}
	if role.MFASerial != "" && o.MFA == nil {
		return fail(fmt.Errorf("MFASerial is set but Options.MFA is nil: a role with an MFA device needs a TokenFunc to supply codes (xacct.TerminalToken, xacct.ProcessToken, or your own)"))
	}

	p := &roleProvider{
		client: o.NewSTSClient(cfg.Copy()),
		base:   cfg.Credentials,
		role:   role,
		hop:    hop,
		caller: caller,
		opts:   o,
	}
	c := newCache(p, o, role.ARN)
	c.hop, c.temporary, c.interactive = hop, true, role.MFASerial != ""
	if b, ok := cfg.Credentials.(*Cache); ok {
		c.prompts = b.prompts
	}
	if c.interactive {
		c.prompts++
	}
	return c, nil
}

// baseOf tells where a new hop on base stands: its position, whether STS
// will treat it as role chaining, and who the caller is, for hints.
func baseOf(base aws.CredentialsProvider) (hop int, chaining bool, caller string) {
	switch b := base.(type) {
	case *Cache:
		if b.hop > 0 {
			return b.hop + 1, b.temporary, fmt.Sprintf("hop %d's session of %s", b.hop, b.name)
		}
		return 1, b.temporary, b.name
	case credentials.StaticCredentialsProvider:
		return 1, b.Value.SessionToken != "", "the caller (the static credentials of the aws.Config)"
	case *credentials.StaticCredentialsProvider:
		return 1, b != nil && b.Value.SessionToken != "", "the caller (the static credentials of the aws.Config)"
	}
	if aws.IsCredentialsProvider(base, (*stscreds.AssumeRoleProvider)(nil)) ||
		aws.IsCredentialsProvider(base, (*stscreds.WebIdentityRoleProvider)(nil)) {
		return 1, true, "the SDK's assumed-role credentials"
	}
	return 1, false, "the caller (the credentials of the aws.Config)"
}

// defaultSessionName says where calls come from: "xacct-<program>@<host>".
func defaultSessionName() string {
	prog := "go"
	if len(os.Args) > 0 && os.Args[0] != "" {
		prog = filepath.Base(os.Args[0])
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return validate.SanitizeSessionName("xacct-" + prog + "@" + host)
}

func withDefaults(r Role) Role {
	if r.SessionName == "" {
		r.SessionName = defaultSessionName()
	}
	if r.Duration == 0 {
		r.Duration = DefaultDuration
	}
	// Copy what the caller could change under us later.
	r.PolicyARNs = slices.Clone(r.PolicyARNs)
	r.TransitiveTagKeys = slices.Clone(r.TransitiveTagKeys)
	r.Tags = maps.Clone(r.Tags)
	return r
}

func validateRole(r Role, chaining bool) error {
	for _, err := range []error{
		validate.RoleARN(r.ARN),
		validate.SessionName(r.SessionName),
		validate.ExternalID(r.ExternalID),
		validate.Duration(r.Duration, chaining),
		validateSerial(r.MFASerial),
		validate.Policy(r.Policy),
		validate.PolicyARNs(r.PolicyARNs),
		validate.Tags(r.Tags, r.TransitiveTagKeys),
		validate.SourceIdentity(r.SourceIdentity),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

func validateSerial(s string) error {
	if s == "" {
		return nil
	}
	return validate.SerialNumber("MFASerial", s)
}

// roleProvider makes the AssumeRole calls of one hop.
type roleProvider struct {
	client STSClient
	base   aws.CredentialsProvider // signs the STS calls; another hop's *Cache in a chain
	role   Role                    // defaults resolved, validated; read-only
	hop    int
	caller string
	opts   Options
}

// Retrieve assumes the role once. stscreds builds the request and checks
// the response; this adds the MFA code (asked with a context) and the
// hop's name and a hint to errors.
func (p *roleProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	var code string
	if p.role.MFASerial != "" {
		// Earlier hops first: their prompts come in chain order, and no code
		// is spent when they fail.
		if _, err := p.base.Retrieve(ctx); err != nil {
			if earlier := upstreamError(err); earlier != nil {
				return aws.Credentials{}, earlier
			}
			return aws.Credentials{}, &HopError{Hop: p.hop, RoleARN: p.role.ARN, Err: fmt.Errorf("credentials of %s: %w", p.caller, err)}
		}
		var err error
		code, err = tokenCode(ctx, p.opts.MFA, p.opts, TokenRequest{SerialNumber: p.role.MFASerial, RoleARN: p.role.ARN, Hop: p.hop})
		if err != nil {
			return aws.Credentials{}, &HopError{Hop: p.hop, RoleARN: p.role.ARN, Err: err}
		}
	}
	r := p.role
	sp := stscreds.NewAssumeRoleProvider(p.client, r.ARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = r.SessionName
		o.Duration = r.Duration
		o.ExternalID = optional(r.ExternalID)
		o.Policy = optional(r.Policy)
		o.SourceIdentity = optional(r.SourceIdentity)
		o.TransitiveTagKeys = r.TransitiveTagKeys
		for _, a := range r.PolicyARNs {
			o.PolicyARNs = append(o.PolicyARNs, types.PolicyDescriptorType{Arn: aws.String(a)})
		}
		for _, k := range slices.Sorted(maps.Keys(r.Tags)) {
			o.Tags = append(o.Tags, types.Tag{Key: aws.String(k), Value: aws.String(r.Tags[k])})
		}
		if code != "" {
			o.SerialNumber = aws.String(r.MFASerial)
			o.TokenProvider = func() (string, error) { return code, nil }
		}
	})
	creds, err := sp.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, p.runtimeError(err)
	}
	creds.Source = "xacct.AssumeRole"
	return creds, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
