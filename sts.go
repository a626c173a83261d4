package xacct

// Talking to STS: the client a hop calls, what xacct reads of its answers,
// and how an answer becomes aws.Credentials.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// STSClient is the part of *sts.Client that xacct calls.
type STSClient interface {
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
	GetSessionToken(ctx context.Context, in *sts.GetSessionTokenInput, optFns ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error)
}

// maxAnswerBytes bounds what xacct reads of one STS answer. STS answers
// are a few kilobytes; a misbehaving endpoint or proxy that streams more
// fails the call instead of filling memory.
const maxAnswerBytes = 1 << 20

// newSTSClient builds the STS client of a hop or MFA session from the
// caller's config, with base signing its calls and every answer bounded to
// maxAnswerBytes (through the config's API options, so that a client
// from Options.NewSTSClient built with sts.NewFromConfig is bounded too).
func newSTSClient(cfg aws.Config, base aws.CredentialsProvider, o *Options) STSClient {
	cfg = cfg.Copy()
	cfg.Credentials = base
	cfg.APIOptions = append(slices.Clip(cfg.APIOptions), addAnswerLimit)
	return o.NewSTSClient(cfg)
}

const answerLimitID = "xacct.AnswerLimit"

// addAnswerLimit adds the answer limit to a client's middleware stack,
// innermost in the deserialize step: it wraps the raw response body before
// any deserializer reads it.
func addAnswerLimit(stack *middleware.Stack) error {
	if _, ok := stack.Deserialize.Get(answerLimitID); ok {
		return nil
	}
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc(answerLimitID,
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
			middleware.DeserializeOutput, middleware.Metadata, error,
		) {
			out, md, err := next.HandleDeserialize(ctx, in)
			if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp.Body != nil {
				resp.Body = &limitedBody{ReadCloser: resp.Body, left: maxAnswerBytes}
			}
			return out, md, err
		}), middleware.After)
}

// errAnswerTooLarge ends the read of an answer over maxAnswerBytes.
var errAnswerTooLarge = fmt.Errorf("the answer is larger than %d bytes, which no STS answer is: "+
	"check the endpoint (cfg.BaseEndpoint) and any proxy", maxAnswerBytes)

// limitedBody fails a read past its limit.
type limitedBody struct {
	io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var one [1]byte
		n, err := b.ReadCloser.Read(one[:])
		if n > 0 {
			return 0, errAnswerTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// fromSTS turns the credentials of an STS answer into aws.Credentials,
// refusing an answer that lacks any part: session credentials without
// their token or expiry would fail every request signed with them.
func fromSTS(c *types.Credentials, source string) (aws.Credentials, error) {
	if c == nil {
		return aws.Credentials{}, errors.New("STS answered without credentials")
	}
	var missing []string
	for _, f := range []struct {
		name string
		ok   bool
	}{
		{"AccessKeyId", c.AccessKeyId != nil && *c.AccessKeyId != ""},
		{"SecretAccessKey", c.SecretAccessKey != nil && *c.SecretAccessKey != ""},
		{"SessionToken", c.SessionToken != nil && *c.SessionToken != ""},
		{"Expiration", c.Expiration != nil && !c.Expiration.IsZero()},
	} {
		if !f.ok {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return aws.Credentials{}, fmt.Errorf("STS answered with incomplete credentials, without %s",
			strings.Join(missing, ", "))
	}
	return aws.Credentials{
		AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken,
		Source: source, CanExpire: true, Expires: *c.Expiration,
	}, nil
}
