package xacct_test

// Table tests of the errors in profiles: each is found before any network
// call and names the profile, the key and where it is written.

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct"
)

// noNetwork is an HTTP client that counts the requests it is asked to make
// and makes none.
type noNetwork struct{ calls atomic.Int32 }

func (n *noNetwork) Do(*http.Request) (*http.Response, error) {
	n.calls.Add(1)
	return nil, errors.New("test: no network call is allowed here")
}

func TestProfileErrors(t *testing.T) {
	t.Parallel()
	const keys = "aws_access_key_id = AKIAEXAMPLEDEV00001\naws_secret_access_key = SECRET\n"
	for _, tt := range []struct {
		name                string
		config, credentials string
		profile             string

		errProfile, key string
		file            string // "config", "credentials" or "" (written nowhere)
		line            int
		want            []string // in the message
	}{{
		name:        "an unknown profile is named with the files and the profiles there",
		credentials: "[dev]\n" + keys,
		profile:     "prod", errProfile: "prod",
		want: []string{"xacct: profile prod: is not in ", "[profile NAME]", "hint: the profiles there: dev"},
	}, {
		name:    "source_profile that names no profile",
		config:  "[profile a]\nrole_arn = " + roleA + "\nsource_profile = nope\n",
		profile: "a", errProfile: "a", key: "source_profile", file: "config", line: 3,
		want: []string{"names profile nope, which is not in "},
	}, {
		name: "a source_profile cycle is shown whole",
		config: "[profile a]\nrole_arn = " + roleA + "\nsource_profile = b\n" +
			"[profile b]\nrole_arn = " + roleB + "\nsource_profile = a\n",
		profile: "a", errProfile: "b", key: "source_profile", file: "config", line: 6,
		want: []string{"closes a cycle: a → b → a"},
	}, {
		name:    "a profile may be its own source only with keys of its own",
		config:  "[profile a]\nrole_arn = " + roleA + "\nsource_profile = a\n",
		profile: "a", errProfile: "a", key: "source_profile", file: "config", line: 3,
		want: []string{"names the profile itself, which works only when it has keys of its own"},
	}, {
		name:    "a source profile without credentials",
		config:  "[profile a]\nrole_arn = " + roleA + "\nsource_profile = empty\n[profile empty]\nregion = us-east-1\n",
		profile: "a", errProfile: "a", key: "source_profile", file: "config", line: 3,
		want: []string{"names profile empty, which has no credentials"},
	}, {
		name:    "role_arn without a source",
		config:  "[profile a]\nregion = us-east-1\nrole_arn = " + roleA + "\n",
		profile: "a", errProfile: "a", key: "role_arn", file: "config", line: 3,
		want: []string{"is set, but neither source_profile nor credential_source says", "hint: name the credentials"},
	}, {
		name:    "role_arn with the profile's own keys and no source_profile says how to use them",
		config:  "[profile a]\nrole_arn = " + roleA + "\n" + keys,
		profile: "a", errProfile: "a", key: "role_arn", file: "config", line: 2,
		want: []string{"add source_profile = a to assume the role with them"},
	}, {
		name:    "role_arn with credential_process and no source",
		config:  "[profile a]\nrole_arn = " + roleA + "\ncredential_process = get-creds\n",
		profile: "a", errProfile: "a", key: "role_arn", file: "config", line: 2,
		want: []string{"the profile has credential_process"},
	}, {
		name: "source_profile together with credential_source",
		config: "[profile a]\nrole_arn = " + roleA + "\nsource_profile = dev\ncredential_source = Environment\n" +
			"[profile dev]\n" + keys,
		profile: "a", errProfile: "a", key: "credential_source", file: "config", line: 4,
		want: []string{"is set together with source_profile: a profile takes one source of credentials"},
	}, {
		name:    "an unknown credential_source, with the values the SDKs take",
		config:  "[profile a]\nrole_arn = " + roleA + "\ncredential_source = Ec2Metadata\n",
		profile: "a", errProfile: "a", key: "credential_source", file: "config", line: 3,
		want: []string{`"Ec2Metadata" is not a credential source`, "Environment, Ec2InstanceMetadata or EcsContainer"},
	}, {
		name:    "credential_source without role_arn",
		config:  "[profile a]\ncredential_source = Ec2InstanceMetadata\n",
		profile: "a", errProfile: "a", key: "credential_source", file: "config", line: 2,
		want: []string{"is set, but role_arn is not"},
	}, {
		name: "a chained hop with duration_seconds above 3600",
		config: "[profile a]\nrole_arn = " + roleA + "\nsource_profile = dev\n" +
			"[profile b]\nrole_arn = " + roleB + "\nsource_profile = a\nduration_seconds = 7200\n",
		credentials: "[dev]\n" + keys,
		profile:     "b", errProfile: "b", key: "duration_seconds", file: "config", line: 7,
		want: []string{"2h0m0s is above 1h, but this hop is role chaining",
			"hint: profile b is hop 2, assumed with the credentials of hop 1's session (profile a)"},
	}, {
		name: "a hop on an MFA session with duration_seconds above 3600",
		config: "[profile dev]\nmfa_serial = " + mfaA + "\n" +
			"[profile a]\nrole_arn = " + roleA + "\nsource_profile = dev\nduration_seconds = 7200\n",
		credentials: "[dev]\n" + keys,
		profile:     "a", errProfile: "a", key: "duration_seconds", file: "config", line: 6,
		want: []string{"role chaining", "assumed with the credentials of an MFA session (profile dev)"},
	}, {
		name:    "duration_seconds of 600 is below STS's 15 minutes (the Go SDK ignores it silently)",
		config:  "[profile a]\nrole_arn = " + roleA + "\nsource_profile = a\nduration_seconds = 600\n" + keys,
		profile: "a", errProfile: "a", key: "duration_seconds", file: "config", line: 4,
		want: []string{"10m0s is outside STS's range for AssumeRole: 15m to 12h"},
	}, {
		name:    "duration_seconds that is not a number",
		config:  "[profile a]\nrole_arn = " + roleA + "\nsource_profile = a\nduration_seconds = 1h\n" + keys,
		profile: "a", errProfile: "a", key: "duration_seconds", file: "config", line: 4,
		want: []string{`"1h" is not a whole number of seconds`},
	}, {
		name:    "duration_seconds that is not a number, on a web identity profile",
		config:  "[profile ci]\nrole_arn = " + roleA + "\nweb_identity_token_file = /var/run/token\nduration_seconds = abc\n",
		profile: "ci", errProfile: "ci", key: "duration_seconds", file: "config", line: 4,
		want: []string{`"abc" is not a whole number of seconds`},
	}, {
		name:    "mfa_serial that is not a serial, on a hop",
		config:  "[profile a]\nrole_arn = " + roleA + "\nsource_profile = a\nmfa_serial = alice\n" + keys,
		profile: "a", errProfile: "a", key: "mfa_serial", file: "config", line: 4,
		want: []string{`"alice" is 5 characters long: an MFA serial is 9 to 256 characters`},
	}, {
		name:        "mfa_serial that is not a serial, on an MFA session's profile",
		config:      "[profile dev]\nmfa_serial = arn:aws:iam::111111111111:mfa/al ice\n",
		credentials: "[dev]\n" + keys,
		profile:     "dev", errProfile: "dev", key: "mfa_serial", file: "config", line: 2,
		want: []string{`contains ' ': only letters, digits`},
	}, {
		name:        "mfa_serial without role_arn on a session's keys: no MFA session from a session",
		config:      "[profile dev]\nmfa_serial = " + mfaA + "\n",
		credentials: "[dev]\n" + keys + "aws_session_token = SESSTOKEN\n",
		profile:     "dev", errProfile: "dev", key: "mfa_serial", file: "config", line: 2,
		want: []string{"STS gives MFA sessions only for an IAM user's long-term keys", "a session's keys"},
	}, {
		name: "mfa_serial without role_arn on an SSO profile",
		config: "[profile sso]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n" +
			"sso_account_id = 111111111111\nsso_role_name = Dev\nmfa_serial = " + mfaA + "\n",
		profile: "sso", errProfile: "sso", key: "mfa_serial", file: "config", line: 6,
		want: []string{"SSO role credentials, a session"},
	}, {
		name:    "a duration for an MFA session beyond 36h",
		config:  "[profile dev]\nmfa_serial = " + mfaA + "\nduration_seconds = 200000\n" + keys,
		profile: "dev", errProfile: "dev", key: "duration_seconds", file: "config", line: 3,
		want: []string{"GetSessionToken takes 900 to 129600 seconds"},
	}, {
		name:    "web_identity_token_file without role_arn",
		config:  "[profile ci]\nweb_identity_token_file = /var/run/token\n",
		profile: "ci", errProfile: "ci", key: "web_identity_token_file", file: "config", line: 2,
		want: []string{"is set, but role_arn is not"},
	}, {
		name:    "external_id on a web identity profile: AssumeRoleWithWebIdentity takes none",
		config:  "[profile ci]\nrole_arn = " + roleA + "\nweb_identity_token_file = /t\nexternal_id = ext-1\n",
		profile: "ci", errProfile: "ci", key: "external_id", file: "config", line: 4,
		want: []string{"AssumeRoleWithWebIdentity takes neither an MFA code nor an External ID"},
	}, {
		name:    "sso_session naming a missing [sso-session] section",
		config:  "[profile sso]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Dev\n",
		profile: "sso", errProfile: "sso", key: "sso_session", file: "config", line: 2,
		want: []string{"names [sso-session corp], which is not in "},
	}, {
		name: "an SSO profile without sso_account_id",
		config: "[sso-session corp]\nsso_region = eu-west-1\nsso_start_url = https://x.awsapps.com/start\n" +
			"[profile sso]\nsso_session = corp\nsso_role_name = Dev\n",
		profile: "sso", errProfile: "sso", key: "sso_account_id", file: "config", line: 4,
		want: []string{"is missing: an SSO profile needs sso_account_id"},
	}, {
		name:        "aws_access_key_id without aws_secret_access_key",
		credentials: "[dev]\naws_access_key_id = AKIAEXAMPLEDEV00001\n",
		profile:     "dev", errProfile: "dev", key: "aws_access_key_id", file: "credentials", line: 2,
		want: []string{"is set without its pair"},
	}, {
		name:    "role_arn that is not a role's ARN",
		config:  "[profile a]\nrole_arn = arn:aws:iam::222222222222:user/A\nsource_profile = a\n" + keys,
		profile: "a", errProfile: "a", key: "role_arn", file: "config", line: 2,
		want: []string{`names a "user", not a role`},
	}, {
		name:    "external_id with a character STS refuses",
		config:  "[profile a]\nrole_arn = " + roleA + "\nsource_profile = a\nexternal_id = ext 123\n" + keys,
		profile: "a", errProfile: "a", key: "external_id", file: "config", line: 4,
		want: []string{"contains ' '"},
	}, {
		name:    "role_session_name with a character STS refuses",
		config:  "[profile a]\nrole_arn = " + roleA + "\nsource_profile = a\nrole_session_name = me/you\n" + keys,
		profile: "a", errProfile: "a", key: "role_session_name", file: "config", line: 4,
		want: []string{`"me/you" contains '/'`},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files, cfgPath, credPath := profileFiles(t, tt.config, tt.credentials)
			_, planErr := xacct.PlanProfile(context.Background(), tt.profile, files)
			net := &noNetwork{}
			_, err := xacct.FromProfile(context.Background(),
				aws.Config{Region: "us-east-1", HTTPClient: net, BaseEndpoint: aws.String("http://127.0.0.1:9")}, tt.profile, files)
			if n := net.calls.Load(); n != 0 {
				t.Errorf("FromProfile made %d HTTP calls before failing", n)
			}
			if errorText(planErr) != errorText(err) {
				t.Errorf("PlanProfile and FromProfile disagree:\n%v\n%v", planErr, err)
			}
			var pe *xacct.ProfileError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want a *xacct.ProfileError", err, err)
			}
			file := map[string]string{"config": cfgPath, "credentials": credPath}[tt.file]
			if pe.Profile != tt.errProfile || pe.Key != tt.key || pe.File != file || pe.Line != tt.line {
				t.Errorf("profile %q key %q at %s:%d; want %q %q at %s:%d\n%v",
					pe.Profile, pe.Key, filepath.Base(pe.File), pe.Line, tt.errProfile, tt.key, tt.file, tt.line, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			assertNoSecret(t, err)
		})
	}
}

func errorText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
