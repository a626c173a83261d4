package basecreds

// The EC2 instance's role, found behind a short probe. It is the last
// resort of the SDKs' default chain, so it is what a laptop with no
// profile reaches: there the metadata address answers nothing, and the
// SDK's provider retries (and logs a warning) before it fails with its
// own text. The probe says in a second, in words, that there is no
// instance, yet keeps CI on EC2 and ECS working.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/smithy-go/logging"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ProbeTimeout bounds the first call to the instance metadata service:
// on an instance it answers in milliseconds; elsewhere its address
// answers nothing, and a second is what a person waits without wondering.
const ProbeTimeout = time.Second

// rolesPath lists the instance profile's role (one line) when it has one.
const rolesPath = "iam/security-credentials/"

// InstanceRole is the provider of the EC2 instance's role credentials
// (the SDK's ec2rolecreds) whose first call is a probe of at most
// ProbeTimeout; until a probe succeeds, every call probes. Its errors are
// *InstanceError. It is safe for concurrent use.
type InstanceRole struct {
	client  *imds.Client
	creds   *ec2rolecreds.Provider
	timeout time.Duration // of a probe: ProbeTimeout
	found   atomic.Bool   // a probe has found the role
}

// NewInstanceRole returns the provider for cfg's retry settings and
// metadata endpoint settings. Its client is the SDK's IMDS client with its
// own short timeouts (not cfg's HTTP client, which could lack them), no
// retries within the probe, and no log: a warning about IMDSv1 is no
// business of a person at a terminal.
func NewInstanceRole(cfg aws.Config) *InstanceRole {
	return newInstanceRole(cfg, "")
}

// newInstanceRole is NewInstanceRole with the metadata service at
// endpoint ("": cfg's, else the SDK's default).
func newInstanceRole(cfg aws.Config, endpoint string) *InstanceRole {
	client := imds.NewFromConfig(cfg, func(o *imds.Options) {
		o.HTTPClient, o.Logger = nil, logging.Nop{}
		if endpoint != "" {
			o.Endpoint = endpoint
		}
	})
	return &InstanceRole{client: client, timeout: ProbeTimeout,
		creds: ec2rolecreds.New(func(o *ec2rolecreds.Options) { o.Client = client })}
}

// Retrieve returns the role's credentials.
func (p *InstanceRole) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if strings.EqualFold(os.Getenv("AWS_EC2_METADATA_DISABLED"), "true") {
		return aws.Credentials{}, &InstanceError{Why: "the instance metadata service is turned off here " +
			"(AWS_EC2_METADATA_DISABLED=true)"}
	}
	if !p.found.Load() {
		switch err := p.probe(ctx); {
		case errors.Is(err, errAnswered):
			// An answer, but not the role: the SDK's provider, with its
			// retries, tries again (a throttled or busy service recovers).
		case err != nil:
			return aws.Credentials{}, err
		default:
			p.found.Store(true)
		}
	}
	v, err := p.creds.Retrieve(ctx)
	var resp *smithyhttp.ResponseError
	switch {
	case err == nil:
		return v, nil
	case errors.As(err, &resp) && resp.HTTPStatusCode() < 500 && resp.HTTPStatusCode() != http.StatusTooManyRequests:
		return aws.Credentials{}, &InstanceError{Why: "the instance metadata service refused the request" +
			statusOf(err) + ": it may be turned off, or its hop limit too low for a container", err: err}
	}
	return aws.Credentials{}, &InstanceError{Why: "the instance metadata service gave no credentials for " +
		"the instance's role" + statusOf(err) + ", retries included", err: err}
}

// errAnswered is a probe's answer other than the role's name or its
// absence: an HTTP error that the SDK's provider may retry.
var errAnswered = errors.New("the instance metadata service answered with an error")

// probe asks for the instance profile's role, within ProbeTimeout: it
// tells a machine with no metadata service (no answer), and an instance
// without a role, at once.
func (p *InstanceRole) probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	out, err := p.client.GetMetadata(ctx, &imds.GetMetadataInput{Path: rolesPath}, func(o *imds.Options) {
		o.Retryer = aws.NopRetryer{}
	})
	var resp *smithyhttp.ResponseError
	switch {
	case errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusNotFound:
		return &InstanceError{Why: "this EC2 instance has no role (no instance profile)", err: err}
	case errors.As(err, &resp):
		return errAnswered
	case err != nil:
		return &InstanceError{Why: fmt.Sprintf("no instance metadata service answered within %v: "+
			"this is not an EC2 instance, or its metadata service is unreachable", p.timeout), err: err}
	}
	defer out.Content.Close()
	line, _ := bufio.NewReader(io.LimitReader(out.Content, 1024)).ReadString('\n')
	if strings.TrimSpace(line) == "" {
		return &InstanceError{Why: "this EC2 instance has no role (no instance profile)"}
	}
	return nil
}

// statusOf is " (HTTP N)" for an error with an HTTP answer, else "".
func statusOf(err error) string {
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) {
		return fmt.Sprintf(" (HTTP %d)", resp.HTTPStatusCode())
	}
	return ""
}

// InstanceError says why the instance's role gave no credentials, in a
// sentence without the SDK's text; Unwrap gives the SDK's error.
type InstanceError struct {
	Why string
	err error
}

func (e *InstanceError) Error() string { return e.Why }

// Unwrap returns the SDK's error, when there was one.
func (e *InstanceError) Unwrap() error { return e.err }
