package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xacct/xacct"
)

// explainFiles writes a config and a credentials file and points the
// environment at them, as a user's shell would.
func explainFiles(t *testing.T) {
	dir := t.TempDir()
	cfg, creds := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	os.WriteFile(cfg, []byte(`[profile alice]
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = eu-west-1

[profile hub]
role_arn = arn:aws:iam::222222222222:role/Hub
source_profile = alice
external_id = ext-123
region = eu-west-1

[profile deploy]
role_arn = arn:aws:iam::333333333333:role/ci/Deploy
source_profile = hub
duration_seconds = 900
role_session_name = me
region = eu-west-1

[profile broken]
role_arn = arn:aws:iam::333333333333:role/ci/Deploy
source_profile = hub
duration_seconds = 7200
`), 0o600)
	os.WriteFile(creds, []byte("[alice]\naws_access_key_id = AKIAEXAMPLEALICE0001\naws_secret_access_key = alice-secret\n"), 0o600)
	for k, v := range map[string]string{"AWS_CONFIG_FILE": cfg, "AWS_SHARED_CREDENTIALS_FILE": creds, "AWS_PROFILE": "",
		"AWS_DEFAULT_PROFILE": "", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""} {
		t.Setenv(k, v)
	}
}

func TestExplain(t *testing.T) {
	explainFiles(t)
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"explain", "--profile", "deploy"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	s := out.String()
	for _, want := range []string{
		"profile deploy (from the command line)",
		"region:  eu-west-1",
		"base:    static-keys of profile alice, aws_access_key_id in ",
		"access key …0001",
		"MFA session on arn:aws:iam::111111111111:mfa/alice: one code per 12h0m0s session",
		"hop 1 on it is role chaining: yes",
		"hop 1:   arn:aws:iam::222222222222:role/Hub (profile hub, ",
		"external ID ext-123, duration 1h0m0s (the default), role chaining: STS caps it at 1h",
		"hop 2:   arn:aws:iam::333333333333:role/ci/Deploy (profile deploy, ",
		"duration 15m0s, role chaining: STS caps it at 1h, session name me",
		"MFA:     an MFA session on arn:aws:iam::111111111111:mfa/alice",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("explain lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "alice-secret") || strings.Contains(s, "AKIAEXAMPLEALICE0001") {
		t.Errorf("explain prints a key:\n%s", s)
	}
}

func TestExplainJSON(t *testing.T) {
	explainFiles(t)
	t.Setenv("AWS_PROFILE", "deploy")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"explain", "--json"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var p xacct.ProfilePlan
	if err := json.Unmarshal(out.Bytes(), &p); err != nil {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	if p.Profile != "deploy" || p.ChosenBy != "AWS_PROFILE" || p.Base.Kind != "static-keys" ||
		p.Base.MFASerial == "" || len(p.Hops) != 2 || p.Hops[1].DurationSeconds != 900 || !p.Hops[1].Chaining {
		t.Errorf("plan %+v", p)
	}
	for _, key := range []string{`"role_arn"`, `"duration_seconds"`, `"chaining"`, `"mfa"`, `"kind"`} {
		if !strings.Contains(out.String(), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
	if strings.Contains(out.String(), "alice-secret") {
		t.Error("the JSON holds the secret")
	}
}

func TestExplainErrors(t *testing.T) {
	explainFiles(t)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"explain", "--profile", "broken"}, 2,
			"xacct explain: profile broken, duration_seconds (" /* then the file, line 20 */},
		{[]string{"explain", "--profile", "nope"}, 2, "hint: the profiles there: alice, broken, deploy, hub"},
		{[]string{"explain", "deploy", "extra"}, 2, `unexpected argument "extra": the command takes its values in flags`},
		{[]string{"explain", "--profile", "deploy", "other"}, 2, `the profile is given twice, as "other" and as --profile deploy`},
		{[]string{"explain", "deploy", "--output", "yaml"}, 2, `--output "yaml": want text or json`},
		{[]string{"explain", "--nope"}, 2, "unknown flag: --nope (see 'xacct explain -h')"},
		{[]string{"explain", "-nope"}, 2, "unknown shorthand flag: 'n' in -nope (see 'xacct explain -h')"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), tt.args, &out, &errOut)
		if code != tt.code || !strings.Contains(errOut.String(), tt.want) || out.Len() != 0 {
			t.Errorf("xacct %v: exit %d, stdout %q, stderr %q; want %d and %q", tt.args, code, out.String(), errOut.String(), tt.code, tt.want)
		}
		if strings.HasPrefix(errOut.String(), "xacct explain: profile") && strings.Count(errOut.String(), "\n") != 1 {
			t.Errorf("xacct %v: the error is not one line: %q", tt.args, errOut.String())
		}
	}
}
