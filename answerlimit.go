package xacct

// What xacct reads of an AWS answer is bounded. The answers of the APIs it
// calls are a few kilobytes: STS's credentials, a page of Organizations'
// listings (20 accounts at most). A misbehaving endpoint or proxy that
// streams more fails the call instead of filling memory (a 200 MB
// Organizations answer cost 1.2 GB of allocations before this bound).

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// maxAnswerBytes bounds what xacct reads of one answer: hundreds of times
// the largest answer these APIs give, and still little memory.
const maxAnswerBytes = 1 << 20

const answerLimitID = "xacct.AnswerLimit"

// addAnswerLimit bounds the answers of an STS client.
func addAnswerLimit(stack *middleware.Stack) error { return addLimit(stack, errAnswerTooLarge) }

// addOrganizationsAnswerLimit bounds the answers of an Organizations client.
func addOrganizationsAnswerLimit(stack *middleware.Stack) error {
	return addLimit(stack, errOrganizationsAnswerTooLarge)
}

// Errors that end the read of an answer over maxAnswerBytes.
var (
	errAnswerTooLarge              = answerTooLarge("STS")
	errOrganizationsAnswerTooLarge = answerTooLarge("Organizations")
)

func answerTooLarge(service string) error {
	return fmt.Errorf("the answer is larger than %d bytes, which no %s answer is: "+
		"check the endpoint (cfg.BaseEndpoint) and any proxy", maxAnswerBytes, service)
}

// addLimit adds the answer limit to a client's middleware stack, innermost
// in the deserialize step: it wraps the raw response body before any
// deserializer reads it. tooLarge is the error of a longer answer.
func addLimit(stack *middleware.Stack, tooLarge error) error {
	if _, ok := stack.Deserialize.Get(answerLimitID); ok {
		return nil
	}
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc(answerLimitID,
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
			middleware.DeserializeOutput, middleware.Metadata, error,
		) {
			out, md, err := next.HandleDeserialize(ctx, in)
			if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp.Body != nil {
				resp.Body = &limitedBody{ReadCloser: resp.Body, left: maxAnswerBytes, tooLarge: tooLarge}
			}
			return out, md, err
		}), middleware.After)
}

// limitedBody fails a read past its limit.
type limitedBody struct {
	io.ReadCloser
	left     int64
	tooLarge error // the error of a read past the limit
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var one [1]byte
		n, err := b.ReadCloser.Read(one[:])
		if n > 0 {
			return 0, b.tooLarge
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
