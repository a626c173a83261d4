package xacct_test

// Table tests of the profile shapes: what PlanProfile resolves for each
// kind of base and hop, with no network call.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xacct/xacct"
)

// profileSecret is the secret of every key in these files; no output of
// xacct may contain it.
const (
	profileSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPROFILESECRET"
	profileToken  = "FwoGZXIvYXdzEPROFILESESSIONTOKEN"
)

// profileFiles writes a config and a credentials file and returns the
// option that points xacct at them, and their paths.
func profileFiles(t *testing.T, configText, credentialsText string) (func(*xacct.Options), string, string) {
	t.Helper()
	dir := t.TempDir()
	cfg, creds := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	for path, text := range map[string]string{cfg: configText, creds: credentialsText} {
		if err := os.WriteFile(path, []byte(strings.NewReplacer("SECRET", profileSecret, "SESSTOKEN", profileToken).Replace(text)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return func(o *xacct.Options) {
		o.ConfigFiles, o.CredentialsFiles = []string{cfg}, []string{creds}
	}, cfg, creds
}

// hopShape is what a test checks of a hop: its profile, role, whether it
// is role chaining, its duration and its MFA device.
type hopShape struct {
	profile, role string
	chaining      bool
	seconds       int
	mfa           string
}

func hopsOf(p *xacct.ProfilePlan) []hopShape {
	var out []hopShape
	for _, h := range p.Hops {
		out = append(out, hopShape{h.Profile, h.RoleARN, h.Chaining, h.DurationSeconds, h.MFASerial})
	}
	return out
}

const (
	roleA = "arn:aws:iam::222222222222:role/A"
	roleB = "arn:aws:iam::333333333333:role/B"
	mfaA  = "arn:aws:iam::111111111111:mfa/alice"
)

func TestPlanShapes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name                string
		config, credentials string
		profile             string

		kind, baseProfile, chaining string
		hops                        []hopShape
		sessionMFA                  string
		sessionSeconds              int
		mfa                         string // in the MFA strategy
		note                        string // in a note
		detail                      string // in the base's detail
	}{{
		name:        "static keys in the credentials file are a base with no hop",
		credentials: "[dev]\naws_access_key_id = AKIAEXAMPLEDEV00001\naws_secret_access_key = SECRET\n",
		profile:     "dev", kind: "static-keys", baseProfile: "dev", chaining: "no",
		mfa: "none", detail: "access key …0001",
	}, {
		name:        "source_profile and external_id make one hop, not role chaining on long-term keys",
		config:      "[profile a]\nrole_arn = " + roleA + "\nsource_profile = dev\nexternal_id = ext-123\n",
		credentials: "[dev]\naws_access_key_id = AKIAEXAMPLEDEV00001\naws_secret_access_key = SECRET\n",
		profile:     "a", kind: "static-keys", baseProfile: "dev", chaining: "no",
		hops: []hopShape{{"a", roleA, false, 3600, ""}},
	}, {
		name:        "aws_session_token makes the keys a session: hop 1 is role chaining",
		config:      "[profile a]\nrole_arn = " + roleA + "\nsource_profile = dev\n",
		credentials: "[dev]\naws_access_key_id = ASIAEXAMPLEDEV00001\naws_secret_access_key = SECRET\naws_session_token = SESSTOKEN\n",
		profile:     "a", kind: "session-keys", baseProfile: "dev", chaining: "yes",
		hops: []hopShape{{"a", roleA, true, 3600, ""}},
	}, {
		name: "a profile with keys may be its own source",
		config: "[profile self]\nrole_arn = " + roleA + "\nsource_profile = self\n" +
			"aws_access_key_id = AKIAEXAMPLESELF0001\naws_secret_access_key = SECRET\n",
		profile: "self", kind: "static-keys", baseProfile: "self", chaining: "no",
		hops: []hopShape{{"self", roleA, false, 3600, ""}},
	}, {
		name: "two hops: the second is role chaining, its default is the 1h cap",
		config: "[profile a]\nrole_arn = " + roleA + "\nsource_profile = dev\nduration_seconds = 43200\n" +
			"[profile b]\nrole_arn = " + roleB + "\nsource_profile = a\n",
		credentials: "[dev]\naws_access_key_id = AKIAEXAMPLEDEV00001\naws_secret_access_key = SECRET\n",
		profile:     "b", kind: "static-keys", baseProfile: "dev", chaining: "no",
		hops: []hopShape{{"a", roleA, false, 43200, ""}, {"b", roleB, true, 3600, ""}},
	}, {
		name:        "mfa_serial on a hop goes on that hop's AssumeRole",
		config:      "[profile a]\nrole_arn = " + roleA + "\nsource_profile = dev\nmfa_serial = " + mfaA + "\nduration_seconds = 900\n",
		credentials: "[dev]\naws_access_key_id = AKIAEXAMPLEDEV00001\naws_secret_access_key = SECRET\n",
		profile:     "a", kind: "static-keys", baseProfile: "dev", chaining: "no",
		hops: []hopShape{{"a", roleA, false, 900, mfaA}},
		mfa:  "mfa_serial on hop 1 (profile a): a code from " + mfaA + " for each AssumeRole of that hop, once per its 15m0s session",
	}, {
		name:        "mfa_serial on a profile with keys and no role_arn makes an MFA session; hops on it chain",
		config:      "[profile dev]\nmfa_serial = " + mfaA + "\n[profile a]\nrole_arn = " + roleA + "\nsource_profile = dev\n",
		credentials: "[dev]\naws_access_key_id = AKIAEXAMPLEDEV00001\naws_secret_access_key = SECRET\n",
		profile:     "a", kind: "static-keys", baseProfile: "dev", chaining: "yes",
		hops: []hopShape{{"a", roleA, true, 3600, ""}}, sessionMFA: mfaA, sessionSeconds: 43200,
		mfa: "an MFA session on " + mfaA + " (mfa_serial on profile dev",
	}, {
		name: "duration_seconds on the MFA session's profile is the session's length",
		config: "[profile dev]\nmfa_serial = " + mfaA + "\nduration_seconds = 28800\n" +
			"[profile a]\nrole_arn = " + roleA + "\nsource_profile = dev\n",
		credentials: "[dev]\naws_access_key_id = AKIAEXAMPLEDEV00001\naws_secret_access_key = SECRET\n",
		profile:     "a", kind: "static-keys", baseProfile: "dev", chaining: "yes",
		hops: []hopShape{{"a", roleA, true, 3600, ""}}, sessionMFA: mfaA, sessionSeconds: 28800,
	}, {
		name: "a hop's mfa_serial that is the MFA session's device asks no code of its own",
		config: "[profile dev]\nmfa_serial = " + mfaA + "\n" +
			"[profile a]\nrole_arn = " + roleA + "\nsource_profile = dev\nmfa_serial = " + mfaA + "\n",
		credentials: "[dev]\naws_access_key_id = AKIAEXAMPLEDEV00001\naws_secret_access_key = SECRET\n",
		profile:     "a", kind: "static-keys", baseProfile: "dev", chaining: "yes",
		hops: []hopShape{{"a", roleA, true, 3600, ""}}, sessionMFA: mfaA, sessionSeconds: 43200,
		note: "profile a: mfa_serial is the device of the MFA session (profile dev)",
	}, {
		name:    "credential_source Ec2InstanceMetadata: AWS does not count the instance's role as role chaining",
		config:  "[profile a]\nrole_arn = " + roleA + "\ncredential_source = Ec2InstanceMetadata\nduration_seconds = 7200\n",
		profile: "a", kind: "ec2-instance-metadata", baseProfile: "a", chaining: "no",
		hops: []hopShape{{"a", roleA, false, 7200, ""}},
	}, {
		name: "credential_process: whether it is a session is unknown, so 7200 is left to STS",
		config: "[profile proc]\ncredential_process = /usr/local/bin/get-creds --vault work\n" +
			"[profile a]\nrole_arn = " + roleA + "\nsource_profile = proc\nduration_seconds = 7200\n",
		profile: "a", kind: "credential-process", baseProfile: "proc", chaining: "unknown",
		hops: []hopShape{{"a", roleA, false, 7200, ""}}, detail: "runs: /usr/local/bin/get-creds --vault work",
	}, {
		name: "credential_process with mfa_serial and no role_arn is an MFA session on what it prints",
		config: "[profile proc]\ncredential_process = get-creds\nmfa_serial = " + mfaA + "\n" +
			"[profile a]\nrole_arn = " + roleA + "\nsource_profile = proc\n",
		profile: "a", kind: "credential-process", baseProfile: "proc", chaining: "yes",
		hops: []hopShape{{"a", roleA, true, 3600, ""}}, sessionMFA: mfaA, sessionSeconds: 43200,
	}, {
		name: "web_identity_token_file with role_arn is a base; the hop on it is role chaining",
		config: "[profile ci]\nrole_arn = " + roleA + "\nweb_identity_token_file = /var/run/token\nrole_session_name = ci\n" +
			"[profile b]\nrole_arn = " + roleB + "\nsource_profile = ci\n",
		profile: "b", kind: "web-identity", baseProfile: "ci", chaining: "yes",
		hops:   []hopShape{{"b", roleB, true, 3600, ""}},
		detail: "role " + roleA + " with the token in /var/run/token, session ci, 1h0m0s",
	}, {
		name: "an sso_session profile is a base of SSO role credentials, a session",
		config: "[sso-session corp]\nsso_region = eu-west-1\nsso_start_url = https://corp.awsapps.com/start\n" +
			"[profile sso]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Dev\n" +
			"[profile b]\nrole_arn = " + roleB + "\nsource_profile = sso\n",
		profile: "b", kind: "sso", baseProfile: "sso", chaining: "yes",
		hops:   []hopShape{{"b", roleB, true, 3600, ""}},
		detail: "account 111111111111, role Dev, start URL https://corp.awsapps.com/start, region eu-west-1, sso-session corp",
	}, {
		name: "the legacy sso_* keys are a base too",
		config: "[profile sso]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n" +
			"sso_account_id = 111111111111\nsso_role_name = Dev\n",
		profile: "sso", kind: "sso", baseProfile: "sso", chaining: "yes",
	}, {
		name:    "login_session is a base of `aws login`",
		config:  "[profile web]\nlogin_session = arn:aws:iam::111111111111:user/alice\n",
		profile: "web", kind: "login", baseProfile: "web", chaining: "yes",
	}, {
		name: "a source profile with keys supplies its keys; its own role_arn is not used (as the AWS CLI reads it)",
		config: "[profile self]\nrole_arn = " + roleA + "\nsource_profile = self\n" +
			"aws_access_key_id = AKIAEXAMPLESELF0001\naws_secret_access_key = SECRET\n" +
			"[profile b]\nrole_arn = " + roleB + "\nsource_profile = self\n",
		profile: "b", kind: "static-keys", baseProfile: "self", chaining: "no",
		hops: []hopShape{{"b", roleB, false, 3600, ""}}, note: "profile self: role_arn is not used",
	}, {
		name:    "a profile asked for by name with no credentials uses the instance's role, as the SDKs do",
		config:  "[profile bare]\nregion = eu-west-1\n",
		profile: "bare", kind: "ec2-instance-metadata", baseProfile: "bare", chaining: "no",
		note: "profile bare has no credentials of its own",
	}, {
		name: "[profile default] in the config file wins over [default], and the credentials file merges in",
		config: "[default]\nregion = us-west-2\n[profile default]\nregion = eu-north-1\n" +
			"role_arn = " + roleA + "\nsource_profile = dev\n",
		credentials: "[dev]\naws_access_key_id = AKIAEXAMPLEDEV00001\naws_secret_access_key = SECRET\n",
		profile:     "default", kind: "static-keys", baseProfile: "dev", chaining: "no",
		hops: []hopShape{{"default", roleA, false, 3600, ""}},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files, _, _ := profileFiles(t, tt.config, tt.credentials)
			p, err := xacct.PlanProfile(context.Background(), tt.profile, files)
			if err != nil {
				t.Fatal(err)
			}
			b := p.Base
			if b.Kind != tt.kind || b.Profile != tt.baseProfile || b.Chaining != tt.chaining {
				t.Errorf("base %s of %s, chaining %s; want %s of %s, chaining %s",
					b.Kind, b.Profile, b.Chaining, tt.kind, tt.baseProfile, tt.chaining)
			}
			if b.MFASerial != tt.sessionMFA || b.SessionSeconds != tt.sessionSeconds {
				t.Errorf("MFA session %q of %ds; want %q of %ds", b.MFASerial, b.SessionSeconds, tt.sessionMFA, tt.sessionSeconds)
			}
			if got := hopsOf(p); !slices.Equal(got, tt.hops) {
				t.Errorf("hops\n%+v\nwant\n%+v", got, tt.hops)
			}
			if !strings.Contains(p.MFA, tt.mfa) {
				t.Errorf("MFA strategy %q lacks %q", p.MFA, tt.mfa)
			}
			if tt.note != "" && !slices.ContainsFunc(p.Notes, func(n string) bool { return strings.Contains(n, tt.note) }) {
				t.Errorf("notes %q lack %q", p.Notes, tt.note)
			}
			if !strings.Contains(b.Detail, tt.detail) {
				t.Errorf("detail %q lacks %q", b.Detail, tt.detail)
			}
			if b.File == "" && b.Key != "" || b.Line == 0 && b.Key != "" {
				t.Errorf("base at %s:%d: want where %s is written", b.File, b.Line, b.Key)
			}
			for _, h := range p.Hops {
				if h.File == "" || h.Line == 0 || h.SessionName == "" {
					t.Errorf("hop %d: file %q line %d session name %q", h.Hop, h.File, h.Line, h.SessionName)
				}
			}
			assertNoSecret(t, p)
		})
	}
}

// assertNoSecret fails when any formatting of v holds the files' secret.
func assertNoSecret(t *testing.T, v any) {
	t.Helper()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, v); strings.Contains(s, profileSecret) || strings.Contains(s, profileToken) {
			t.Errorf("%s of %T holds a secret: %s", verb, v, s)
		}
	}
}

// The command learns a credential_process base's command line from the
// plan, not the files (cmd/xacct's relay): Command holds it verbatim, and
// is empty for other kinds.
func TestPlanBaseCommand(t *testing.T) {
	t.Parallel()
	const command = `/opt/bin/xacct credential-process --profile "team a" --cache-dir '/tmp/x y'`
	files, _, _ := profileFiles(t, "[profile p]\ncredential_process = "+command+"\n"+
		"[profile k]\naws_access_key_id = AKIAEXAMPLE000000001\naws_secret_access_key = SECRET\n", "")
	plan, err := xacct.PlanProfile(t.Context(), "p", files)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Base.Kind != "credential-process" || plan.Base.Command != command {
		t.Errorf("base %s, Command = %q; want %s, %q", plan.Base.Kind, plan.Base.Command, "credential-process", command)
	}
	keys, err := xacct.PlanProfile(t.Context(), "k", files)
	if err != nil {
		t.Fatal(err)
	}
	if keys.Base.Command != "" {
		t.Errorf("static keys: Command = %q", keys.Base.Command)
	}
}
