package awsprofile

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const sharedMFAConfig = `[profile keys]
aws_access_key_id = AKIAEXAMPLE
aws_secret_access_key = secret
%s
[profile admin]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = keys
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile ops]
role_arn = arn:aws:iam::333333333333:role/Ops
source_profile = keys
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile long]
role_arn = arn:aws:iam::333333333333:role/Ops
source_profile = keys
mfa_serial = arn:aws:iam::111111111111:mfa/alice
duration_seconds = 7200
`

// resolveIn resolves profile in a config of text; lastHop is
// Options.LastHopDuration.
func resolveIn(t *testing.T, text, profile string, lastHop ...time.Duration) (*Chain, error) {
	t.Helper()
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return Resolve(context.Background(), Options{Profile: profile, ConfigFiles: []string{config},
		CredentialsFiles: []string{filepath.Join(dir, "none")}, SessionDuration: 12 * time.Hour,
		MFASource: "the terminal", CheckRole: func(r Role, chaining bool) (Role, error) { return r, nil },
		LastHopDuration: append(lastHop, 0)[0]})
}

func TestSharedMFASession(t *testing.T) {
	t.Parallel()
	shared := strings.Replace(sharedMFAConfig, "%s", "xacct_mfa_session = shared\n", 1)
	for _, p := range []string{"admin", "ops"} {
		c, err := resolveIn(t, shared, p)
		if err != nil {
			t.Fatal(err)
		}
		b, h := c.Base, c.Hops[0]
		if b.MFASerial != "arn:aws:iam::111111111111:mfa/alice" || !b.SharedMFA || b.Session != 12*time.Hour ||
			h.Role.MFASerial != "" || !h.Chaining {
			t.Errorf("%s: base MFA %q shared %v session %v; hop MFA %q chaining %v: want the base's session to carry "+
				"the device, the hop chained", p, b.MFASerial, b.SharedMFA, b.Session, h.Role.MFASerial, h.Chaining)
		}
		if !strings.Contains(c.MFA, "shared by xacct_mfa_session = shared on profile keys") {
			t.Errorf("%s: MFA strategy %q does not say the session is shared", p, c.MFA)
		}
	}

	c, err := resolveIn(t, shared, "long")
	if err != nil {
		t.Fatal(err)
	}
	if c.Base.MFASerial != "" || c.Hops[0].Role.MFASerial == "" ||
		!strings.Contains(strings.Join(c.Notes, "\n"), "profile long asks its own MFA code: its duration_seconds (2h0m0s)") {
		t.Errorf("a 2h role: base MFA %q, hop MFA %q, notes %q: want its own prompt, and why",
			c.Base.MFASerial, c.Hops[0].Role.MFASerial, c.Notes)
	}

	// The caller's length of the last hop counts as its duration_seconds.
	c, err = resolveIn(t, shared, "admin", 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if c.Base.MFASerial != "" || c.Hops[0].Role.MFASerial == "" || c.Hops[0].Chaining ||
		!strings.Contains(strings.Join(c.Notes, "\n"), "profile admin asks its own MFA code: the duration asked for it (2h0m0s)") {
		t.Errorf("--duration 2h: base MFA %q, hop MFA %q, chaining %v, notes %q: want its own prompt, unchained",
			c.Base.MFASerial, c.Hops[0].Role.MFASerial, c.Hops[0].Chaining, c.Notes)
	}

	plain := strings.Replace(sharedMFAConfig, "%s", "", 1)
	c, err = resolveIn(t, plain, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if c.Base.MFASerial != "" || c.Hops[0].Role.MFASerial == "" {
		t.Errorf("without the key: base MFA %q, hop MFA %q: want the AWS CLI's reading, a code on the hop",
			c.Base.MFASerial, c.Hops[0].Role.MFASerial)
	}
	if notes := strings.Join(c.Notes, "\n"); !strings.Contains(notes, "profiles admin, long, ops each ask their own code") ||
		!strings.Contains(notes, "xacct_mfa_session = shared on profile keys would ask one code for all of them") {
		t.Errorf("notes %q: want the setting suggested", notes)
	}

	_, err = resolveIn(t, strings.Replace(sharedMFAConfig, "%s", "xacct_mfa_session = yes\n", 1), "admin")
	if err == nil || !strings.Contains(err.Error(), `profile keys, xacct_mfa_session (`) ||
		!strings.Contains(err.Error(), `is "yes": its one value is shared`) {
		t.Errorf("a bad value: err %v, want the key, the value and the rule", err)
	}
}
