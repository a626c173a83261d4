package errfmt

import (
	"errors"
	"testing"
)

func TestFormat(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, subject, hint string
		err                 error
		want                string
	}{
		{"with a hint", "hop 1 (arn)", "check the trust policy", errors.New("AccessDenied"), "xacct: hop 1 (arn): AccessDenied (hint: check the trust policy)"},
		{"without a hint", "profile p", "", errors.New("bad"), "xacct: profile p: bad"},
		{"a nil error prints as fmt does", "s", "", nil, "xacct: s: <nil>"},
	} {
		if got := Format(tt.subject, tt.err, tt.hint); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
