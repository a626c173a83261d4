package sharedini

import (
	"os"
	"path/filepath"
	"testing"
)

// The index finds keys where the SDK's parser reads them.
func TestIndexFollowsTheSDKsRules(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg, creds := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	os.WriteFile(cfg, []byte(`# a comment
[default]
region = us-west-2
[profile default]   ; wins over [default] as a whole
region = eu-north-1
[profile a]
Role_ARN = "arn:aws:iam::222222222222:role/A"  # case, quotes and an inline comment
s3 =
  max_concurrent_requests = 20
source_profile: b
[b]
region = ignored: a bare section other than default is not a profile in a config file
[sso-session corp]
sso_region = eu-west-1
`), 0o600)
	os.WriteFile(creds, []byte("[b]\naws_access_key_id = AKIAEXAMPLEB0000001\n[profile c]\naws_access_key_id = ignored\n"), 0o600)
	x, bad := ReadIndex(Files{Config: []string{cfg}, Credentials: []string{creds}})
	if bad != nil {
		t.Fatal(bad)
	}
	for _, tt := range []struct {
		profile, key, value, file string
		line                      int
	}{
		{"default", "region", "eu-north-1", cfg, 5},
		{"a", "role_arn", "arn:aws:iam::222222222222:role/A", cfg, 7},
		{"a", "source_profile", "b", cfg, 10},
		{"b", "aws_access_key_id", "AKIAEXAMPLEB0000001", creds, 2},
	} {
		at := x.Key(tt.profile, tt.key)
		if at.Value != tt.value || at.File != tt.file || at.Line != tt.line {
			t.Errorf("%s.%s: %q at %s; want %q at %s:%d", tt.profile, tt.key, at.Value, at.Where(), tt.value, tt.file, tt.line)
		}
	}
	if x.Has("a", "max_concurrent_requests") || x.Has("b", "region") || x.profiles["c"] != nil {
		t.Error("a sub-property, a bare config section or a [profile c] of a credentials file was indexed")
	}
	if x.sessions["corp"] == nil || x.sessions["corp"].keys["sso_region"].Value != "eu-west-1" {
		t.Error("the sso-session section was not indexed")
	}
}

func TestThousands(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 4980: "4,980", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q; want %q", n, got, want)
		}
	}
}
