package awsprofile

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// SDKConfig is the SDK's configuration of the resolved profile: region,
// endpoints, retry settings; its credentials are none (anonymous), for
// the caller's chain to replace.
func (c *Chain) SDKConfig(ctx context.Context) (aws.Config, error) {
	var named []func(*config.LoadOptions) error
	caOption, caClient := deferCABundle()
	if caOption != nil {
		named = append(named, caOption)
	}
	if c.ChosenBy == "argument" {
		// Else the SDK picks AWS_PROFILE, or "default" when the files have
		// it, as it picked for the resolution.
		named = append(named, config.WithSharedConfigProfile(c.Profile))
	}
	// The SDK reads the files that the resolution has checked
	// (sharedini.ReadIndex); one swapped for a FIFO since is the user's own doing.
	cfg, err := config.LoadDefaultConfig(ctx, append(named,
		config.WithSharedConfigFiles(c.Files.Config),
		config.WithSharedCredentialsFiles(c.Files.Credentials),
		// A provider given here keeps LoadDefaultConfig from building the
		// SDK's own chain of the profile (which re-assumes every hop on every
		// refresh, and fails on mfa_serial without a token provider). It is
		// replaced by xacct's chain; region, endpoints and retry settings
		// are the profile's as usual.
		config.WithCredentialsProvider(aws.AnonymousCredentials{}),
	)...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("the AWS SDK cannot load its configuration: %w", err)
	}
	if caClient != nil {
		cfg.HTTPClient = caClient
	}
	return cfg, nil
}
