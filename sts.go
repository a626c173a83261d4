package xacct

// Talking to STS: the client a hop calls, and how an answer becomes
// aws.Credentials. What xacct reads of its answers is bounded
// (internal/answerlimit).

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/xacct/xacct/internal/answerlimit"
	"github.com/xacct/xacct/internal/stsanswer"
)

// STSClient is the part of *sts.Client that xacct calls.
type STSClient interface {
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
	GetSessionToken(ctx context.Context, in *sts.GetSessionTokenInput, optFns ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error)
}

// newSTSClient builds the STS client of a hop or MFA session from the
// caller's config, with base signing its calls and every answer bounded to
// answerlimit.MaxBytes (through the config's API options, so that a client
// from Options.NewSTSClient built with sts.NewFromConfig is bounded too).
func newSTSClient(cfg aws.Config, base aws.CredentialsProvider, o *Options) STSClient {
	cfg = cfg.Copy()
	cfg.Credentials = base
	cfg.APIOptions = append(slices.Clip(cfg.APIOptions), addAnswerLimit)
	return o.NewSTSClient(cfg)
}

// stsProvider is what a hop and an MFA session share: the client of their
// STS calls, the base that signs them, and what they are.
type stsProvider struct {
	client STSClient
	signer
	opts  Options
	desc  descriptor
	facts hintFacts // for the hints of its errors
}

// newSTSProvider builds it on cfg.Credentials.
func newSTSProvider(cfg aws.Config, o Options, d descriptor, f hintFacts) stsProvider {
	return stsProvider{client: newSTSClient(cfg, cfg.Credentials, &o), signer: signer{base: cfg.Credentials},
		opts: o, desc: d, facts: f}
}

func (p *stsProvider) describe() descriptor { return p.desc }

func (p *stsProvider) baseProvider() aws.CredentialsProvider { return p.base }

// fromSTS reads an STS answer's credentials (internal/stsanswer).
func fromSTS(c *types.Credentials, source string) (aws.Credentials, error) {
	return stsanswer.Credentials(c, source)
}

// The answer limits of xacct's STS and Organizations clients.
var (
	addAnswerLimit              = answerlimit.For("STS")
	addOrganizationsAnswerLimit = answerlimit.For("Organizations")
)
