package xacct

// A profile's base in a Cache: the provider that internal/awsprofile
// builds for it, described to the cache by the resolved base (its name,
// how hints name it, whether it is a session), with its failures made
// ProfileErrors that name the profile and the key. A web identity session
// is kept in a Store as a hop's session is, under the hash of the token it
// presents (storekey.go's requester).

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xacct/xacct/internal/awsprofile"
	"github.com/xacct/xacct/internal/basecreds"
)

// baseCache builds the base b as a Cache around its provider.
func baseCache(ctx context.Context, cfg aws.Config, b *awsprofile.Base, o *Options) (*Cache, error) {
	if b.Kind == awsprofile.KindWebIdentity {
		return webIdentityCache(cfg, b, o), nil
	}
	p, err := b.Provider(ctx, cfg, func(ctx context.Context) bool { return !mayAsk(ctx) })
	if err != nil {
		return nil, profileError(err)
	}
	d := descriptor{name: b.Name, caller: b.Caller, temporary: b.Temporary, kind: baseSessionKind(b)}
	// SSO role credentials and a credential_process's output are not
	// stored: fetching them is not STS's to answer, and the SSO token and
	// the tool have caches of their own. Hops on them are, keyed by the
	// credentials they return (storekey.go).
	return newCache(&baseProvider{p: p, base: b}, d, *o), nil
}

// baseSessionKind is the base's kind for Cache.SessionKind: long-term
// keys (of the profile, or of the environment without a token), the EC2
// instance's role; "" where only the answer could tell.
func baseSessionKind(b *awsprofile.Base) string {
	switch {
	case b.Kind == awsprofile.KindEC2Metadata:
		return kindRole
	case (b.Kind == awsprofile.KindStaticKeys || b.Kind == awsprofile.KindEnvironment) && !b.Temporary:
		return kindLongTerm
	}
	return ""
}

// baseProvider runs the provider of a base, and makes its failures
// ProfileErrors that name the profile and the key, with a hint.
type baseProvider struct {
	p    aws.CredentialsProvider
	base *awsprofile.Base
}

// Retrieve calls the base's provider.
func (bp *baseProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := bp.p.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, profileError(bp.base.Fail(err))
	}
	return creds, nil
}

// webIdentityCache builds the web identity base: a Cache that a Store
// keeps as it keeps a hop's session, under the token's hash.
func webIdentityCache(cfg aws.Config, b *awsprofile.Base, o *Options) *Cache {
	client, ok := newSTSClient(cfg, aws.AnonymousCredentials{}, o).(stscreds.AssumeRoleWithWebIdentityAPIClient)
	if !ok {
		// A test double of Options.NewSTSClient without this call: the
		// SDK's client, bounded like xacct's own.
		client = sts.NewFromConfig(cfg, func(so *sts.Options) { so.APIOptions = append(so.APIOptions, addAnswerLimit) })
	}
	p := &webIdentityBase{w: b.WebIdentity(client, fromSTS), base: b}
	d := descriptor{name: b.Name, caller: b.Caller, temporary: true, kind: kindRole, session: &sessionKey{
		Kind: "web-identity", Endpoint: endpointOf(cfg), Region: cfg.Region, RoleARN: b.WebRole.ARN,
		SessionName: b.WebRole.SessionName, DurationSeconds: int32(b.WebRole.Duration / time.Second),
	}}
	return newCache(p, d, *o)
}

// webIdentityBase is the web identity provider as a Store's requester,
// its failures ProfileErrors.
type webIdentityBase struct {
	w    *basecreds.WebIdentity
	base *awsprofile.Base
}

// Retrieve exchanges the token for the role's credentials.
func (p *webIdentityBase) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := p.w.Retrieve(ctx)
	return creds, p.fail(err)
}

// requesterID identifies the session's requester: the token now in the
// file, by its SHA-256.
func (p *webIdentityBase) requesterID(ctx context.Context) (string, error) {
	id, err := p.w.RequesterID(ctx)
	return id, p.fail(err)
}

// bind reads the token, identifies it, and binds the call to it.
func (p *webIdentityBase) bind(ctx context.Context) (string, context.Context, error) {
	id, bound, err := p.w.Bind(ctx)
	return id, bound, p.fail(err)
}

func (p *webIdentityBase) fail(err error) error {
	if err == nil {
		return nil
	}
	return profileError(p.base.Fail(err))
}
