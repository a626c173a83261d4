package stshint

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
)

func TestHintsAndRetriesGoByTheErrorCode(t *testing.T) {
	t.Parallel()
	role := Facts{RoleARN: "arn:aws:iam::222222222222:role/Deploy", Caller: "the base credentials"}
	for _, tt := range []struct {
		name      string
		err       error
		facts     Facts
		hint      string // a part of the hint; "" for none
		retryable bool
	}{
		{"a refused AssumeRole names the trust policy", &smithy.GenericAPIError{Code: "AccessDenied"}, role,
			"the trust policy of arn:aws:iam::222222222222:role/Deploy must allow the base credentials", false},
		{"a refused GetSessionToken names the device", &smithy.GenericAPIError{Code: "AccessDenied"},
			Facts{MFASerial: "arn:aws:iam::111111111111:mfa/alice"}, "check that arn:aws:iam::111111111111:mfa/alice", false},
		{"throttling is retried, with nothing to check", &smithy.GenericAPIError{Code: "Throttling"}, role, "", true},
		{"an expired caller is named", &smithy.GenericAPIError{Code: "ExpiredToken"}, role, "(the base credentials) have expired", true},
		{"not an API error: no hint, retried", errors.New("connection reset"), role, "", true},
	} {
		got := For(tt.err, tt.facts)
		if (tt.hint == "") != (got == "") || !strings.Contains(got, tt.hint) {
			t.Errorf("%s: For = %q; want %q in it", tt.name, got, tt.hint)
		}
		if r := Retryable(tt.err); r != tt.retryable {
			t.Errorf("%s: Retryable = %v; want %v", tt.name, r, tt.retryable)
		}
	}
}
