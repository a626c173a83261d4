package validate

import (
	"strings"
	"testing"
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
