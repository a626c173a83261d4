// Package answerlimit bounds what an AWS SDK client reads of an answer.
// The answers of the APIs xacct calls are a few kilobytes: STS's
// credentials, a page of Organizations' listings (20 accounts at most). A
// misbehaving endpoint or proxy that streams more fails the call instead
// of filling memory (a 200 MB Organizations answer cost 1.2 GB of
// allocations before this bound).
package answerlimit

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// MaxBytes bounds what is read of one answer: hundreds of times the
// largest answer these APIs give, and still little memory.
const MaxBytes = 1 << 20

const id = "xacct.AnswerLimit"

// For returns the API option that bounds the answers of a client of
// service (named in the error of a longer answer), for aws.Config's or a
// client's APIOptions. Added twice, it bounds once.
func For(service string) func(*middleware.Stack) error {
	tooLarge := fmt.Errorf("the answer is larger than %d bytes, which no %s answer is: "+
		"check the endpoint (cfg.BaseEndpoint) and any proxy", MaxBytes, service)
	return func(stack *middleware.Stack) error { return add(stack, tooLarge) }
}

// add adds the limit innermost in the deserialize step: it wraps the raw
// response body before any deserializer reads it.
func add(stack *middleware.Stack, tooLarge error) error {
	if _, ok := stack.Deserialize.Get(id); ok {
		return nil
	}
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc(id,
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
			middleware.DeserializeOutput, middleware.Metadata, error,
		) {
			out, md, err := next.HandleDeserialize(ctx, in)
			if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp.Body != nil {
				resp.Body = &limitedBody{ReadCloser: resp.Body, left: MaxBytes, tooLarge: tooLarge}
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
