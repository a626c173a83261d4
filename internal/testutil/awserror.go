package testutil

import (
	"errors"

	"github.com/aws/smithy-go"
)

// ErrorCode returns the AWS error code inside err (smithy.APIError), or ""
// when there is none.
func ErrorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}
