package main

// Would getting a profile's credentials now need an MFA code? A process
// with no way to get one (no terminal, no --token-command) must fail at
// once, before any network call, when it would; but it must succeed when
// the store holds what it needs (a valid MFA session from `xacct login`,
// or fresh hops), as any process that needs no prompt does.
//
// The answer is the library's own: a second copy of the chain runs with
// STS answered locally (offlineSTS: credentials that go nowhere), the
// store read but never locked or written, and a TokenFunc that fails in
// a way needsCode recognizes. It reads the store entries the real fetch
// would, in the same order, and asks for a code where the real fetch
// would.

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/xacct/xacct"
)

// errOfflineCode is what the offline chain's TokenFunc returns.
var errOfflineCode = errors.New("xacct: an MFA code would be needed")

// needsCode returns the MFA device whose code getting profile's
// credentials now needs; "" when none is needed. It makes no STS call,
// takes no lock and writes nothing; the chain's base is read only where
// the real fetch would read it before asking for a code (an MFA hop right
// on the base). The offline chain is built from the plan the real one was
// built from, with the same configuration (ProfilePlan.Config loads it
// once), so that it reads the same store keys. store may be nil. Other
// failures are not its business: the real fetch reports them.
func needsCode(ctx context.Context, plan *xacct.ProfilePlan, store xacct.Store) string {
	if store == nil {
		return firstSerial(plan) // nothing kept: every MFA step asks
	}
	var serial string
	cfg, err := plan.Config(ctx, func(o *xacct.Options) {
		o.Store = readOnlyStore{store}
		o.NewSTSClient = func(cfg aws.Config) xacct.STSClient { return offlineSTS{signer: cfg.Credentials} }
		o.MFA = func(_ context.Context, req xacct.TokenRequest) (string, error) {
			serial = req.SerialNumber // one fetch at a time: each step waits for the one below
			return "", errOfflineCode
		}
	})
	if err != nil {
		return ""
	}
	c, ok := cfg.Credentials.(*xacct.Cache)
	if !ok {
		return ""
	}
	if keys, err := c.StoreKeys(ctx); err != nil || len(keys) == 0 {
		return firstSerial(plan) // nothing of the chain is stored, or who asks is unknown: every MFA step asks
	}
	if _, err = c.Retrieve(ctx); errors.Is(err, errOfflineCode) {
		return serial
	}
	return ""
}

// firstSerial returns the MFA device asked first along the chain.
func firstSerial(p *xacct.ProfilePlan) string {
	if p.Base.MFASerial != "" {
		return p.Base.MFASerial
	}
	for _, h := range p.Hops {
		if h.MFASerial != "" {
			return h.MFASerial
		}
	}
	return ""
}

// readOnlyStore reads a Store and never changes it: its lock is granted
// at once (nothing is written under it) and Save does nothing.
type readOnlyStore struct{ xacct.Store }

func (readOnlyStore) Lock(context.Context, string) (func(), error) { return func() {}, nil }

func (readOnlyStore) Save(context.Context, string, *xacct.StoredCredentials) error { return nil }

func (readOnlyStore) Delete(context.Context, string) error { return nil }

// offlineSTS answers every call with credentials that work nowhere, as
// STS would answer it, without the network. Like the SDK's client, it
// first gets the credentials that would sign the call, when they are a
// hop or an MFA session of the chain (a *Cache with store keys), so that
// the walk down the chain is the real one. The chain's base (the
// profile's keys, a credential_process) is read only as far as the store
// keys need: they name who asks, as it is at run time.
type offlineSTS struct {
	signer aws.CredentialsProvider
}

func (s offlineSTS) sign(ctx context.Context) error {
	if c, ok := s.signer.(*xacct.Cache); ok {
		if keys, err := c.StoreKeys(ctx); err != nil || len(keys) == 0 {
			return nil
		}
		_, err := c.Retrieve(ctx)
		return err
	}
	return nil
}

func (s offlineSTS) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput,
	_ ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	if err := s.sign(ctx); err != nil {
		return nil, err
	}
	return &sts.AssumeRoleOutput{Credentials: offlineCredentials(in.DurationSeconds)}, nil
}

func (s offlineSTS) GetSessionToken(ctx context.Context, in *sts.GetSessionTokenInput,
	_ ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error) {
	if err := s.sign(ctx); err != nil {
		return nil, err
	}
	return &sts.GetSessionTokenOutput{Credentials: offlineCredentials(in.DurationSeconds)}, nil
}

// AssumeRoleWithWebIdentity keeps a web identity base offline too; it is
// not signed.
func (offlineSTS) AssumeRoleWithWebIdentity(_ context.Context, in *sts.AssumeRoleWithWebIdentityInput,
	_ ...func(*sts.Options)) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	return &sts.AssumeRoleWithWebIdentityOutput{Credentials: offlineCredentials(in.DurationSeconds)}, nil
}

func offlineCredentials(seconds *int32) *types.Credentials {
	d := time.Hour
	if seconds != nil {
		d = time.Duration(*seconds) * time.Second
	}
	return &types.Credentials{
		AccessKeyId: aws.String("ASIAXACCTOFFLINE0000"), SecretAccessKey: aws.String("offline"),
		SessionToken: aws.String("offline"), Expiration: aws.Time(time.Now().Add(d)),
	}
}
