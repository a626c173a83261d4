package basecreds

// The container credentials endpoint (ECS, EKS Pod Identity, Greengrass):
// which URLs the SDKs accept, checked when a chain is resolved
// (ContainerURL) and, for a host name, when the provider is built
// (Container), and the authorization token file, read bounded.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
)

// The addresses of the container credential endpoints, as the SDK has them.
const ecsRelativeHost = "http://169.254.170.2"

var containerIPs = []net.IP{
	net.ParseIP("169.254.170.2"), net.ParseIP("169.254.170.23"), net.ParseIP("fd00:ec2::23"),
}

// ContainerURL is the endpoint of container credentials, by the SDK's rule:
// the relative URI on the ECS host, or a full URI that is HTTPS or on a
// loopback or container address. Its error says which variable is wrong.
func ContainerURL(env config.EnvConfig) (string, error) {
	switch {
	case env.ContainerCredentialsRelativePath != "":
		return ecsRelativeHost + env.ContainerCredentialsRelativePath, nil
	case env.ContainerCredentialsEndpoint == "":
		return "", errors.New("neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set")
	}
	u, err := url.Parse(env.ContainerCredentialsEndpoint)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI %q is not a URL with a host", env.ContainerCredentialsEndpoint)
	}
	if ip := net.ParseIP(u.Hostname()); u.Scheme == "http" && ip != nil && !allowedContainerIP(ip) {
		return "", fmt.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI %q is plain HTTP to %s: the SDKs take HTTP only "+
			"to a loopback or container address (169.254.170.2, 169.254.170.23, fd00:ec2::23)", env.ContainerCredentialsEndpoint, ip)
	}
	return env.ContainerCredentialsEndpoint, nil
}

// Container is the SDK's provider of the container's credentials at
// endpoint (from ContainerURL), with its authorization token from the
// environment as the SDK reads it: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
// at each fetch, else the token of env. A plain-HTTP endpoint given by
// host name must resolve to loopback or container addresses only.
func Container(ctx context.Context, cfg aws.Config, endpoint string, env config.EnvConfig) (aws.CredentialsProvider, error) {
	if err := checkContainerHost(ctx, endpoint); err != nil {
		return nil, err
	}
	return endpointcreds.New(endpoint, func(eo *endpointcreds.Options) {
		eo.APIOptions = cfg.APIOptions
		if cfg.Retryer != nil {
			eo.Retryer = cfg.Retryer()
		}
		eo.AuthorizationToken = env.ContainerAuthorizationToken
		if path := os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); path != "" {
			eo.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
				return readContainerToken(path)
			})
		}
	}), nil
}

func allowedContainerIP(ip net.IP) bool {
	if ip.IsLoopback() {
		return true
	}
	for _, a := range containerIPs {
		if a.Equal(ip) {
			return true
		}
	}
	return false
}

// checkContainerHost resolves a plain-HTTP container endpoint given by host
// name, as the SDK does when it loads the config: every address must be a
// loopback or container address.
func checkContainerHost(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "http" || net.ParseIP(u.Hostname()) != nil {
		return nil
	}
	addrs, err := net.DefaultResolver.LookupHost(ctx, u.Hostname())
	if err != nil {
		return fmt.Errorf("resolving the host of AWS_CONTAINER_CREDENTIALS_FULL_URI: %w", err)
	}
	for _, a := range addrs {
		if ip := net.ParseIP(a); ip == nil || !allowedContainerIP(ip) {
			return fmt.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI is plain HTTP to %s, which resolves to %s: "+
				"the SDKs take HTTP only to a loopback or container address", u.Hostname(), a)
		}
	}
	return nil
}

// maxContainerToken bounds the container's authorization token file: a
// token of a few hundred bytes, in a file another program writes.
const maxContainerToken = 16 << 10

// readContainerToken reads AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE.
func readContainerToken(path string) (string, error) {
	b, err := ReadRegular(path, maxContainerToken)
	if err != nil {
		return "", fmt.Errorf("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s %w", path, err)
	}
	return string(b), nil
}
