package storekey

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Endpoint names the STS endpoint that a client built from cfg calls, for
// store keys: a fake on loopback must never share entries with real STS.
// It asks the SDK's own STS client, so that every way of naming an
// endpoint counts: BaseEndpoint, a services section or AWS_ENDPOINT_URL_STS
// (the config's sources), FIPS and dual-stack settings, the region.
func Endpoint(cfg aws.Config) string {
	cfg.Credentials = aws.AnonymousCredentials{} // no provider is called, or kept
	o := sts.NewFromConfig(cfg).Options()
	if o.BaseEndpoint != nil {
		return *o.BaseEndpoint
	}
	if o.EndpointResolverV2 != nil {
		ep, err := o.EndpointResolverV2.ResolveEndpoint(context.Background(), sts.EndpointParameters{
			Region:       aws.String(o.Region),
			UseFIPS:      aws.Bool(o.EndpointOptions.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled),
			UseDualStack: aws.Bool(o.EndpointOptions.UseDualStackEndpoint == aws.DualStackEndpointStateEnabled),
		})
		if err == nil {
			return ep.URI.String()
		}
	}
	return "sts:" + o.Region
}
