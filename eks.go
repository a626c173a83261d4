package xacct

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xacct/xacct/internal/ekstoken"
	"github.com/xacct/xacct/internal/partition"
)

// EKSToken is a bearer token for an Amazon EKS cluster: what `aws eks
// get-token` prints in an ExecCredential for kubectl. Value is a secret
// for as long as it lasts: EKSToken prints "[redacted]" in its place with
// any verb.
type EKSToken struct {
	// Value is "k8s-aws-v1." and the base64url, unpadded, of a presigned
	// STS GetCallerIdentity URL.
	Value string
	// Expires is when kubectl should get a new token: 14 minutes after
	// signing (the cluster accepts 15), or when the credentials that signed
	// it expire, whichever comes first.
	Expires time.Time
}

// EKSTokenOptions are the options of NewEKSToken. All are optional.
type EKSTokenOptions struct {
	// Region is the STS region that signs the token; empty: cfg.Region.
	// A cluster's authenticator accepts the STS endpoints of its partition.
	Region string

	// GlobalEndpoint signs for the global STS endpoint, sts.amazonaws.com
	// (region us-east-1), instead of the region's own (sts.REGION.amazonaws.com),
	// for authenticators that accept only the global one. The aws partition
	// only; ignored when cfg.BaseEndpoint is set.
	GlobalEndpoint bool
}

// NewEKSToken returns a token for the EKS cluster named cluster (its name,
// or its ID for a local cluster on Outposts), signed with cfg.Credentials.
//
// As for any SDK client, the credentials, the region, the endpoint
// (cfg.BaseEndpoint) and the HTTP client come from cfg. The token is the
// SDK's presigned STS GetCallerIdentity URL (sts.NewPresignClient) for the
// regional STS endpoint of the region, with the x-k8s-aws-id header
// (the cluster) signed and X-Amz-Expires=60, as the AWS CLI sends it. It
// makes no network call but the credentials' own: with a *Cache in
// cfg.Credentials, none while the session lasts.
func NewEKSToken(ctx context.Context, cfg aws.Config, cluster string, optFns ...func(*EKSTokenOptions)) (EKSToken, error) {
	var o EKSTokenOptions
	for _, fn := range optFns {
		fn(&o)
	}
	fail := func(err error) (EKSToken, error) {
		return EKSToken{}, fmt.Errorf("xacct: EKS token for cluster %q: %w", cluster, err)
	}
	if err := ekstoken.CheckCluster(cluster); err != nil {
		return fail(err)
	}
	region := cfg.Region
	if o.Region != "" {
		region = o.Region
	}
	switch {
	case region == "":
		return fail(errors.New("no region: set cfg.Region or EKSTokenOptions.Region to the cluster's region " +
			"(the token is signed for that region's STS endpoint)"))
	case o.GlobalEndpoint && cfg.BaseEndpoint == nil && partition.Of(region) != "aws":
		return fail(fmt.Errorf("EKSTokenOptions.GlobalEndpoint: region %s is in partition %s, "+
			"which has no global STS endpoint (sts.amazonaws.com is the aws partition's)", region, partition.Of(region)))
	case cfg.Credentials == nil:
		return fail(errors.New("cfg.Credentials is nil: the token is signed with credentials"))
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return fail(err)
	}
	// Signed with the very credentials whose expiry bounds Expires.
	client := sts.NewFromConfig(cfg, func(so *sts.Options) {
		so.Credentials = credentials.StaticCredentialsProvider{Value: creds}
		so.Region = region
		if o.GlobalEndpoint && cfg.BaseEndpoint == nil {
			so.Region = "aws-global" // the SDK's name for sts.amazonaws.com, signed for us-east-1
		}
	})
	presigned, signedAt, err := ekstoken.Presign(ctx, client, cluster)
	if err != nil {
		return fail(err)
	}
	tok := EKSToken{Value: ekstoken.Encode(presigned), Expires: signedAt.Add(ekstoken.ClientLifetime)}
	if creds.CanExpire && creds.Expires.Before(tok.Expires) {
		tok.Expires = creds.Expires
	}
	return tok, nil
}

// String prints the token without its value.
func (t EKSToken) String() string {
	return fmt.Sprintf("xacct.EKSToken{Value: [redacted], Expires: %s}", t.Expires.UTC().Format(time.RFC3339))
}

// GoString is String, for %#v.
func (t EKSToken) GoString() string { return t.String() }

// Format prints String with every verb.
func (t EKSToken) Format(f fmt.State, _ rune) { fmt.Fprint(f, t.String()) }
