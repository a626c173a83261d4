package rolereq

import (
	"errors"
	"os/user"
	"strings"
	"testing"

	"github.com/xacct/xacct/internal/validate"
)

// The default session name says who: the login name from the
// environment, else the system's, cut to STS's rule.
func TestSessionUser(t *testing.T) {
	t.Parallel()
	system := func(name string, err error) func() (*user.User, error) {
		return func() (*user.User, error) { return &user.User{Username: name}, err }
	}
	for _, tt := range []struct {
		name    string
		env     map[string]string
		current func() (*user.User, error)
		want    string // the session name
	}{
		{"USER first", map[string]string{"USER": "alice", "LOGNAME": "bob", "USERNAME": "carol"}, system("dave", nil), "xacct-alice"},
		{"LOGNAME without USER (cron)", map[string]string{"LOGNAME": "bob", "USERNAME": "carol"}, system("dave", nil), "xacct-bob"},
		{"USERNAME on Windows", map[string]string{"USERNAME": "carol"}, system("dave", nil), "xacct-carol"},
		{"the system's name when the environment has none", nil, system("dave", nil), "xacct-dave"},
		{"a Windows account name: the backslash becomes -", nil, system(`CORP\dave`, nil), "xacct-CORP-dave"},
		{"no passwd entry", nil, system("", errors.New("unknown userid 4242")), "xacct-unknown"},
		{"characters STS refuses become -", map[string]string{"USER": "jean françois"}, system("x", nil), "xacct-jean-fran-ois"},
		{"cut to 64 characters", map[string]string{"USER": strings.Repeat("a", 80)}, system("x", nil), "xacct-" + strings.Repeat("a", 58)},
	} {
		got := validate.SanitizeSessionName("xacct-" + sessionUser(func(k string) string { return tt.env[k] }, tt.current))
		if got != tt.want || validate.SessionName(got) != nil {
			t.Errorf("%s: %q, want %q (valid: %v)", tt.name, got, tt.want, validate.SessionName(got))
		}
	}
}
