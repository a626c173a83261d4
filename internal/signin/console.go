package signin

// What ConsoleURL (xacct's console.go) asks of this package beyond the
// rules: the endpoint to use, the session to sign in with, the client.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"

	"github.com/xacct/xacct/internal/partition"
	"github.com/xacct/xacct/internal/validate"
)

// allowAll is the default FederationPolicy: the intersection with the
// user's policies is the user's policies.
const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// EndpointFor is the federation endpoint of a region: option (ConsoleOptions.Endpoint),
// else XACCT_SIGNIN_ENDPOINT, else the partition's and region's.
func EndpointFor(region, option string) (string, error) {
	if region == "" {
		return "", errors.New("cfg.Region is empty: the console's partition, sign-in host and home page follow the region")
	}
	for _, e := range []struct{ name, value string }{
		{"ConsoleOptions.Endpoint", option}, {"XACCT_SIGNIN_ENDPOINT", os.Getenv("XACCT_SIGNIN_ENDPOINT")},
	} {
		if e.value != "" {
			if err := CheckEndpoint(e.value); err != nil {
				return "", fmt.Errorf("%s: %w", e.name, err)
			}
			return e.value, nil
		}
	}
	return Endpoint(partition.Of(region), region)
}

// SessionFor applies the rules of the session's kind: the session to sign
// in with, and its SessionDuration (0: none sent). Long-term keys get a
// GetFederationToken session named name (default: xacct@host) with policy
// (default: allow all, so the user's own policies decide), its STS client
// built from cfg with stsOption (the answer's bound).
func SessionFor(ctx context.Context, cfg aws.Config, creds aws.Credentials, kind string, duration time.Duration,
	name, policy string, stsOption func(*middleware.Stack) error) (aws.Credentials, time.Duration, error) {
	if creds.SessionToken == "" {
		kind = KindLongTerm // facts over names: no token, no session
	}
	plan, err := PlanFor(kind, duration, "ConsoleOptions.SessionDuration")
	if err != nil || !plan.Federate {
		return creds, plan.Duration, err
	}
	if name == "" {
		host, _ := os.Hostname()
		name = validate.SanitizeSessionName("xacct@" + host)
		name = name[:min(len(name), 32)]
	}
	if policy == "" {
		policy = allowAll
	}
	client := sts.NewFromConfig(cfg, func(so *sts.Options) {
		so.Credentials = credentials.StaticCredentialsProvider{Value: creds}
		so.APIOptions = append(so.APIOptions, stsOption)
	})
	fed, err := FederationToken(ctx, client, name, policy, plan.Duration)
	if err != nil {
		return creds, 0, fmt.Errorf("an IAM user's keys sign in through GetFederationToken (name %q): %w "+
			"(hint: the user's policy must allow sts:GetFederationToken on arn:%s:sts::<account>:federated-user/%s)",
			name, err, partition.Of(cfg.Region), name)
	}
	return fed, 0, nil
}

// HTTPClientOf is cfg's HTTP client, or a default one.
func HTTPClientOf(cfg aws.Config) HTTPClient {
	if cfg.HTTPClient != nil {
		return cfg.HTTPClient
	}
	return awshttp.NewBuildableClient().WithTimeout(consoleTimeout)
}

// consoleTimeout bounds a call to the federation endpoint without cfg's
// HTTP client: it answers in well under a second.
const consoleTimeout = 30 * time.Second
