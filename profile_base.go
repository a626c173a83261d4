package xacct

// A profile's base in a Cache: the provider that internal/awsprofile
// builds for it, described to the cache by the resolved base (its name,
// how hints name it, whether it is a session), with its failures made
// ProfileErrors that name the profile and the key. A web identity session
// and SSO role credentials are kept in a Store as a hop's session is,
// under the hash of the token they present (storekey.go's requester).

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xacct/xacct/internal/awsprofile"
)

// baseCache builds the base b as a Cache around its provider.
func baseCache(ctx context.Context, cfg aws.Config, b *awsprofile.Base, o *Options) (*Cache, error) {
	p, err := baseOfProfile(ctx, cfg, b, o)
	if err != nil {
		return nil, err
	}
	d := descriptor{name: b.Name, caller: b.Caller, temporary: b.Temporary, kind: baseSessionKind(b)}
	if k, ok := p.(awsprofile.Kept); ok {
		key := k.StoreSession()
		d.session = &key
		return newCache(&storedBase{p: k, base: b}, d, *o), nil
	}
	// Not stored: a credential_process's output (the tool caches it); hops on it are.
	return newCache(&baseProvider{p: p, base: b}, d, *o), nil
}

// baseOfProfile builds b's provider. An SSO token's refresh locks in the
// store (a nil Store is a nil Locker: in this process).
func baseOfProfile(ctx context.Context, cfg aws.Config, b *awsprofile.Base, o *Options) (aws.CredentialsProvider, error) {
	if b.Kind != awsprofile.KindWebIdentity {
		p, err := b.Provider(ctx, cfg, awsprofile.Env{NoPerson: func(ctx context.Context) bool { return !mayAsk(ctx) }, Locks: o.Store, Now: o.Now})
		if err != nil {
			return nil, profileError(err)
		}
		return p, nil
	}
	client, ok := newSTSClient(cfg, aws.AnonymousCredentials{}, o).(stscreds.AssumeRoleWithWebIdentityAPIClient)
	if !ok {
		// A test double of Options.NewSTSClient without this call: the
		// SDK's client, bounded like xacct's own.
		client = sts.NewFromConfig(cfg, func(so *sts.Options) { so.APIOptions = append(so.APIOptions, addAnswerLimit) })
	}
	return b.WebIdentity(client, fromSTS, cfg), nil
}

// baseSessionKind is the base's kind for Cache.SessionKind: long-term
// keys (of the profile, or of the environment without a token), the EC2
// instance's role, a web identity session; "" where only the answer could tell.
func baseSessionKind(b *awsprofile.Base) string {
	switch {
	case b.Kind == awsprofile.KindEC2Metadata || b.Kind == awsprofile.KindWebIdentity:
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

// storedBase is a base that presents a token (web identity's, in a file;
// an SSO session's access token) as a Store's requester: who asks is the
// token, by its digest. Its failures are ProfileErrors.
type storedBase struct {
	p    awsprofile.Kept
	base *awsprofile.Base
}

// Retrieve exchanges the token for the role's credentials.
func (p *storedBase) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := p.p.Retrieve(ctx)
	return creds, p.fail(err)
}

// requesterID identifies the session's requester: the token now.
func (p *storedBase) requesterID(ctx context.Context) (string, error) {
	id, err := p.p.RequesterID(ctx)
	return id, p.fail(err)
}

// bind reads the token, identifies it, and binds the call to it.
func (p *storedBase) bind(ctx context.Context) (string, context.Context, error) {
	id, bound, err := p.p.Bind(ctx)
	return id, bound, p.fail(err)
}

func (p *storedBase) fail(err error) error {
	if err == nil {
		return nil
	}
	return profileError(p.base.Fail(err))
}
