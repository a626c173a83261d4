package xacct_test

// Profiles that read the environment: the profile's name and files, and
// the credential sources Environment and EcsContainer. These tests set
// variables, so they do not run in parallel.

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/xacct/xacct"
)

// clearAWSEnv unsets the variables that would change these tests.
func clearAWSEnv(t *testing.T) {
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
	}
}

func TestProfileNameAndFilesFromEnvironment(t *testing.T) {
	clearAWSEnv(t)
	_, cfg, creds := profileFiles(t, "[profile prod]\nrole_arn = "+roleA+"\nsource_profile = dev\n",
		"[dev]\naws_access_key_id = AKIAEXAMPLEDEV00001\naws_secret_access_key = SECRET\n"+
			"[default]\naws_access_key_id = AKIAEXAMPLEDEF00001\naws_secret_access_key = SECRET\n")
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	for _, tt := range []struct {
		name, awsProfile, arg string
		profile, chosenBy     string
	}{
		{"the argument wins over AWS_PROFILE", "dev", "prod", "prod", "argument"},
		{"an empty argument means AWS_PROFILE", "prod", "", "prod", "AWS_PROFILE"},
		{"with neither, the profile is default", "", "", "default", "default"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_PROFILE", tt.awsProfile)
			p, err := xacct.PlanProfile(context.Background(), tt.arg)
			if err != nil {
				t.Fatal(err)
			}
			if p.Profile != tt.profile || p.ChosenBy != tt.chosenBy {
				t.Errorf("profile %s chosen by %s; want %s by %s", p.Profile, p.ChosenBy, tt.profile, tt.chosenBy)
			}
			if len(p.ConfigFiles) != 1 || p.ConfigFiles[0] != cfg || len(p.CredentialsFiles) != 1 || p.CredentialsFiles[0] != creds {
				t.Errorf("files %v %v; want AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE", p.ConfigFiles, p.CredentialsFiles)
			}
		})
	}
}

func TestCredentialSourcesFromEnvironment(t *testing.T) {
	for _, tt := range []struct {
		name     string
		env      map[string]string
		config   string
		kind     string
		chaining string
		detail   string
		err      string // the error's text, when one is wanted
	}{{
		name:   "Environment with long-term keys: hop 1 is not role chaining",
		env:    map[string]string{"AWS_ACCESS_KEY_ID": "AKIAEXAMPLEENV00001", "AWS_SECRET_ACCESS_KEY": profileSecret},
		config: "[profile a]\nrole_arn = " + roleA + "\ncredential_source = Environment\nduration_seconds = 7200\n",
		kind:   "environment", chaining: "no", detail: "AWS_ACCESS_KEY_ID …0001 from the environment",
	}, {
		name: "Environment with AWS_SESSION_TOKEN: hop 1 is role chaining, and 7200 is refused",
		env: map[string]string{"AWS_ACCESS_KEY_ID": "ASIAEXAMPLEENV00001", "AWS_SECRET_ACCESS_KEY": profileSecret,
			"AWS_SESSION_TOKEN": profileToken},
		config: "[profile a]\nrole_arn = " + roleA + "\ncredential_source = Environment\nduration_seconds = 7200\n",
		err:    "xacct: profile a, duration_seconds",
	}, {
		name:   "Environment without keys in the environment",
		config: "[profile a]\nrole_arn = " + roleA + "\ncredential_source = Environment\n",
		err:    "is Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set",
	}, {
		name:   "EcsContainer on the relative URI: a task role's session, so hop 1 is role chaining",
		env:    map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"},
		config: "[profile a]\nrole_arn = " + roleA + "\ncredential_source = EcsContainer\n",
		kind:   "ecs-container", chaining: "yes", detail: "from http://169.254.170.2/v2/credentials/abc",
	}, {
		name:   "EcsContainer with a full URI over plain HTTP beyond loopback and the container addresses",
		env:    map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://10.1.2.3/creds"},
		config: "[profile a]\nrole_arn = " + roleA + "\ncredential_source = EcsContainer\n",
		err:    "is plain HTTP to 10.1.2.3",
	}, {
		name:   "EcsContainer without the container's variables",
		config: "[profile a]\nrole_arn = " + roleA + "\ncredential_source = EcsContainer\n",
		err:    "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set",
	}, {
		name:   "a profile without credentials in a container uses the container's, as the SDKs do",
		env:    map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:51679/creds"},
		config: "[profile bare]\nregion = us-east-1\n",
		kind:   "ecs-container", chaining: "yes", detail: "from http://127.0.0.1:51679/creds",
	}} {
		t.Run(tt.name, func(t *testing.T) {
			clearAWSEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			files, _, _ := profileFiles(t, tt.config, "")
			profile := strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(tt.config, "\n", 2)[0], "[profile "), "]")
			p, err := xacct.PlanProfile(context.Background(), profile, files)
			if tt.err != "" {
				var pe *xacct.ProfileError
				if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v; want a ProfileError with %q", err, tt.err)
				}
				assertNoSecret(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Base.Kind != tt.kind || p.Base.Chaining != tt.chaining || !strings.Contains(p.Base.Detail, tt.detail) {
				t.Errorf("base %s, chaining %s, detail %q; want %s, %s, %q",
					p.Base.Kind, p.Base.Chaining, p.Base.Detail, tt.kind, tt.chaining, tt.detail)
			}
			assertNoSecret(t, p)
		})
	}
}

// A program that names no profile gets what the AWS SDKs' default chain
// gives it: the environment's keys, its web identity, or, with no default
// profile in the files, the container's or the instance's credentials.
func TestNoProfileNamedUsesTheDefaultChain(t *testing.T) {
	for _, tt := range []struct {
		name       string
		env        map[string]string
		config     string
		kind, note string
	}{
		{"the environment's keys win over the default profile",
			map[string]string{"AWS_ACCESS_KEY_ID": "AKIAEXAMPLEENV00001", "AWS_SECRET_ACCESS_KEY": profileSecret},
			"[default]\nregion = eu-west-1\n", "environment", "uses the environment's keys"},
		{"a web identity from the environment",
			map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token", "AWS_ROLE_ARN": roleA},
			"", "web-identity", "assumes AWS_ROLE_ARN"},
		{"no default profile and nothing in the environment: the instance's role",
			nil, "[profile other]\nregion = eu-west-1\n", "ec2-instance-metadata", "no default profile"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clearAWSEnv(t)
			for _, k := range []string{"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"} {
				t.Setenv(k, "")
			}
			_, cfg, creds := profileFiles(t, tt.config, "")
			t.Setenv("AWS_CONFIG_FILE", cfg)
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			p, err := xacct.PlanProfile(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			if p.Base.Kind != tt.kind || len(p.Hops) != 0 || !strings.Contains(strings.Join(p.Notes, "\n"), tt.note) {
				t.Errorf("plan %+v; want base %s, no hop, a note that says %q", p, tt.kind, tt.note)
			}
		})
	}
	// Named, a missing profile is an error still.
	clearAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEENV00001")
	t.Setenv("AWS_SECRET_ACCESS_KEY", profileSecret)
	if _, err := xacct.PlanProfile(context.Background(), "missing"); err == nil {
		t.Error("a missing profile named by the caller: no error")
	}
}
