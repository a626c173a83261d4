package validate

import (
	"strings"
	"testing"

	"github.com/xacct/xacct/internal/trunc"
)

func TestSanitizeSessionName(t *testing.T) {
	for in, want := range map[string]string{
		"xacct-myservice@ip-10-0-0-1": "xacct-myservice@ip-10-0-0-1",
		"xacct-my service/v2@héllo":   "xacct-my-service-v2@h-llo",
		"":                            "--",
		"a":                           "a-",
		strings.Repeat("x", 80):       strings.Repeat("x", 64),
	} {
		got := SanitizeSessionName(in)
		if got != want {
			t.Errorf("SanitizeSessionName(%q) = %q, want %q", in, got, want)
		}
		if err := SessionName(got); err != nil {
			t.Errorf("the sanitized name %q is invalid: %v", got, err)
		}
	}
}

// TestQuotedValuesAreCut: a message quotes a value whole up to trunc.Max
// bytes, and cut beyond, so that a huge input makes a one-line error.
// Every huge value is made of x, so no run of trunc.Max+1 x may remain.
func TestQuotedValuesAreCut(t *testing.T) {
	huge := strings.Repeat("x", 20<<10)
	for _, tt := range []struct {
		name string
		err  error
		want string // the exact message, or a part of it
	}{
		{"a normal value whole", IAMName("role name", "a b"),
			`role name "a b" contains ' ': only letters, digits and +=,.@_- are allowed`},
		{"a normal ARN whole", RoleARN("arn:aws:iam::123:role/R"),
			`ARN "arn:aws:iam::123:role/R" has account "123", not 12 digits`},
		{"IAMName", IAMName("user name", huge), `is 20480 characters long`},
		{"SessionName", SessionName(huge), `is 20480 characters long`},
		{"SourceIdentity", SourceIdentity("aws:" + huge), `starts with "aws:"`},
		{"SerialNumber", SerialNumber("MFASerial", huge), `is 20480 characters long`},
		{"RoleARN", RoleARN("arn:aws:iam::123456789012:role/" + huge), `has role name`},
		{"RoleARN, not an ARN", RoleARN(huge), `is not an ARN`},
		{"PolicyARNs", PolicyARNs([]string{huge}), `is not an IAM policy ARN`},
		{"Tags key", Tags(map[string]string{huge: "v"}, nil), `tag keys are 1 to 128 characters`},
		{"Tags value", Tags(map[string]string{huge[:100]: huge}, nil), `tag values are at most 256 characters`},
		{"TransitiveTagKeys", Tags(nil, []string{huge}), `which is not a key of Tags`},
	} {
		if tt.err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		msg := tt.err.Error()
		if !strings.Contains(msg, tt.want) {
			t.Errorf("%s: %q lacks %q", tt.name, msg, tt.want)
		}
		if strings.Contains(msg, strings.Repeat("x", trunc.Max+1)) {
			t.Errorf("%s: a message of %d bytes quotes a value whole: %.200s…", tt.name, len(msg), msg)
		}
	}
}
