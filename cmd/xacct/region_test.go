package main

import (
	"os"
	"testing"

	"github.com/xacct/xacct/internal/testutil"
)

// A role profile without region takes its source profile's; --region
// wins over everything; a region the SDK finds is left alone.
func TestSetRegion(t *testing.T) {
	dir := t.TempDir()
	cfg := dir + "/config"
	testutil.WriteFile(t, cfg, "[profile base]\nregion = eu-central-1\naws_access_key_id = AKIAEXAMPLEREGION001\n"+
		"aws_secret_access_key = s\n[profile hop]\nrole_arn = arn:aws:iam::222222222222:role/R\nsource_profile = base\n"+
		"[profile own]\nregion = ap-south-1\nrole_arn = arn:aws:iam::222222222222:role/R\nsource_profile = base\n", 0o600)
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/none")
	t.Setenv("AWS_DEFAULT_REGION", "")
	os.Unsetenv("AWS_DEFAULT_REGION")
	for _, tt := range []struct {
		profile, flag, env, want, from string
	}{
		{"hop", "", "", "eu-central-1", "profile base"},
		{"hop", "us-west-2", "", "us-west-2", "--region"},
		{"own", "", "", "", ""},
		{"hop", "", "sa-east-1", "sa-east-1", ""},
	} {
		t.Setenv("AWS_REGION", tt.env)
		os.Unsetenv("AWS_REGION")
		if tt.env != "" {
			os.Setenv("AWS_REGION", tt.env)
		}
		from := setRegion(tt.flag, tt.profile)
		if got := os.Getenv("AWS_REGION"); got != tt.want || from != tt.from {
			t.Errorf("%s --region %q (AWS_REGION %q): AWS_REGION %q from %q; want %q from %q",
				tt.profile, tt.flag, tt.env, got, from, tt.want, tt.from)
		}
	}
}
