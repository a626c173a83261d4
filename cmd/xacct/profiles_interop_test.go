package main

// One generated config file, read by the AWS CLI, boto3, the AWS SDK for
// JavaScript v3 (fromIni), the Go SDK's LoadDefaultConfig and
// xacct.LoadConfig, all against `xacct fake-sts` on real time: every
// profile must give the same GetCallerIdentity ARN in every client, or the
// same STS error code (xacct's before the network, where it can tell).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/xaccttest"
)

const (
	interopTOTP   = "JBSWY3DPEHPK3PXPJBSWY3DP" // the device of user interop
	interopIssuer = "https://oidc.example.com/interop"
	interopSecret = "interop-secret"
)

// interopScenario: user interop may assume the roles of 222222222222: Ext
// (External ID ext-interop; it may assume Chain in 333333333333) and MFA
// (MFA required). Web in 444444444444 trusts the OIDC issuer.
func interopScenario() *xaccttest.Scenario {
	doc := func(s string) json.RawMessage { return json.RawMessage(s) }
	trust := func(principal, condition string) json.RawMessage {
		return doc(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":` + principal +
			`,"Action":"sts:AssumeRole","Condition":` + condition + `}}`)
	}
	return &xaccttest.Scenario{Accounts: map[string]xaccttest.Account{
		"111111111111": {Users: map[string]xaccttest.User{"interop": {
			AccessKeyID: "AKIAEXAMPLEINTEROP01", SecretAccessKey: interopSecret, MFATOTPSecret: interopTOTP,
			Policies: []json.RawMessage{doc(`{"Version":"2012-10-17","Statement":{"Effect":"Allow",` +
				`"Action":"sts:AssumeRole","Resource":"arn:aws:iam::222222222222:role/*"}}`)},
		}}},
		"222222222222": {Roles: map[string]xaccttest.Role{
			"Ext": {
				Trust: trust(`{"AWS":"arn:aws:iam::111111111111:root"}`, `{"StringEquals":{"sts:ExternalId":"ext-interop"}}`),
				Policies: []json.RawMessage{doc(`{"Version":"2012-10-17","Statement":{"Effect":"Allow",` +
					`"Action":"sts:AssumeRole","Resource":"arn:aws:iam::333333333333:role/Chain"}}`)},
				MaxSessionDurationSeconds: 43200,
			},
			"MFA": {Trust: trust(`{"AWS":"arn:aws:iam::111111111111:root"}`, `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`)},
		}},
		"333333333333": {Roles: map[string]xaccttest.Role{"Chain": {
			Trust:                     trust(`{"AWS":"arn:aws:iam::222222222222:role/Ext"}`, `{}`),
			MaxSessionDurationSeconds: 43200,
		}}},
		"444444444444": {
			OIDCProviders: []xaccttest.OIDCProvider{{URL: interopIssuer, Audiences: []string{"sts.amazonaws.com"}}},
			Roles: map[string]xaccttest.Role{"Web": {Trust: doc(`{"Version":"2012-10-17","Statement":{"Effect":"Allow",` +
				`"Principal":{"Federated":"arn:aws:iam::444444444444:oidc-provider/oidc.example.com/interop"},` +
				`"Action":"sts:AssumeRoleWithWebIdentity",` +
				`"Condition":{"StringEquals":{"oidc.example.com/interop:aud":"sts.amazonaws.com"}}}}`)}},
		},
	}}
}

// interopConfig is the config file every client reads. The fake's STS
// endpoint is in a services section, which every client reads for its
// own chain's STS calls too (a profile's global endpoint_url is not: the
// Go SDK resolves credentials before it).
func interopConfig(url, tokenFile string) string {
	common := "role_session_name = interop\nregion = us-east-1\nservices = fake\n"
	return `[services fake]
sts =
  endpoint_url = ` + url + `

[profile base]
aws_access_key_id = AKIAEXAMPLEINTEROP01
aws_secret_access_key = ` + interopSecret + `
region = us-east-1
services = fake

[profile ext]
role_arn = arn:aws:iam::222222222222:role/Ext
source_profile = base
external_id = ext-interop
` + common + `
[profile chain]
role_arn = arn:aws:iam::333333333333:role/Chain
source_profile = ext
` + common + `
[profile mfa]
role_arn = arn:aws:iam::222222222222:role/MFA
source_profile = base
mfa_serial = arn:aws:iam::111111111111:mfa/interop
` + common + `
[profile chained-7200]
role_arn = arn:aws:iam::333333333333:role/Chain
source_profile = ext
duration_seconds = 7200
` + common + `
[profile wrong-external-id]
role_arn = arn:aws:iam::222222222222:role/Ext
source_profile = base
external_id = ext-wrong
` + common + `
[profile web]
role_arn = arn:aws:iam::444444444444:role/Web
web_identity_token_file = ` + tokenFile + `
` + common
}

// interopProfiles are the profiles, in order, with what every client must see.
var interopProfiles = []struct {
	name string
	want profileOutcome
}{
	{"base", profileOutcome{ARN: "arn:aws:iam::111111111111:user/interop"}},
	{"ext", profileOutcome{ARN: "arn:aws:sts::222222222222:assumed-role/Ext/interop"}},
	{"chain", profileOutcome{ARN: "arn:aws:sts::333333333333:assumed-role/Chain/interop"}},
	{"mfa", profileOutcome{ARN: "arn:aws:sts::222222222222:assumed-role/MFA/interop"}},
	{"chained-7200", profileOutcome{Code: "ValidationError"}},
	{"wrong-external-id", profileOutcome{Code: "AccessDenied"}},
	{"web", profileOutcome{ARN: "arn:aws:sts::444444444444:assumed-role/Web/interop"}},
}

// profileOutcome is what a client saw for a profile: the caller ARN, or
// the STS error code; Early when xacct refused before any network call.
type profileOutcome struct {
	ARN, Code string
	Early     bool
}

func (o profileOutcome) String() string {
	switch {
	case o.ARN != "":
		return o.ARN
	case o.Early:
		return o.Code + " (before the network)"
	}
	return o.Code
}

// interopClient runs every profile in one client. code is an MFA code of
// a time step no other client used.
type interopClient struct {
	name    string
	missing func() string // why the client cannot run here; "" when it can
	run     func(t *testing.T, env *interopEnv, code string) map[string]profileOutcome
}

// interopEnv is what the clients share.
type interopEnv struct {
	dir, configFile, noFile string
}

// processEnv is the environment of a client process: the generated files,
// a home of its own (the AWS CLI caches assumed roles there), and none of
// the caller's AWS settings.
func (e *interopEnv) processEnv(home string, extra ...string) []string {
	os.MkdirAll(home, 0o700)
	return cleanEnv(home, append([]string{"AWS_CONFIG_FILE=" + e.configFile, "AWS_SHARED_CREDENTIALS_FILE=" + e.noFile,
		"AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard"}, extra...)...)
}

// stsCode finds "An error occurred (CODE)" in the AWS CLI's stderr.
func stsCode(stderr string) string {
	const marker = "An error occurred ("
	if i := strings.Index(stderr, marker); i >= 0 {
		rest := stderr[i+len(marker):]
		if j := strings.IndexByte(rest, ')'); j >= 0 {
			return rest[:j]
		}
	}
	return "no STS error in: " + strings.TrimSpace(stderr)
}

// jsClientDir is where `npm ci` installs the AWS SDK for JavaScript.
const jsClientDir = "testdata/jsclient"

var interopClients = []interopClient{{
	name:    "AWS CLI",
	missing: func() string { return missingCommand("aws", "the awscli package") },
	run: func(t *testing.T, env *interopEnv, code string) map[string]profileOutcome {
		out := map[string]profileOutcome{}
		home := filepath.Join(env.dir, "home-cli")
		for _, p := range interopProfiles {
			r := runCmd(t, detached(env.processEnv(home), "aws", "sts", "get-caller-identity", "--profile", p.name,
				"--output", "json"), code+"\n")
			var v struct{ Arn string }
			if r.code != 0 || json.Unmarshal([]byte(r.stdout), &v) != nil {
				out[p.name] = profileOutcome{Code: stsCode(r.stderr)}
				continue
			}
			out[p.name] = profileOutcome{ARN: v.Arn}
		}
		return out
	},
}, {
	name: "boto3",
	missing: func() string {
		if pythonWithBoto3() == "" {
			return "no python3 with boto3 (install python3-boto3, or set XACCT_PYTHON)"
		}
		return ""
	},
	run: func(t *testing.T, env *interopEnv, code string) map[string]profileOutcome {
		// One process, a session per profile; the MFA prompt (getpass)
		// reads the code from stdin.
		const script = `
import json, sys, boto3, botocore.exceptions
for p in sys.argv[1:]:
    try:
        arn = boto3.Session(profile_name=p).client("sts").get_caller_identity()["Arn"]
        print(json.dumps({"Profile": p, "ARN": arn}))
    except botocore.exceptions.ClientError as e:
        print(json.dumps({"Profile": p, "Code": e.response["Error"]["Code"]}))
    except Exception as e:
        print(json.dumps({"Profile": p, "Code": type(e).__name__ + ": " + str(e)}))
    sys.stdout.flush()
`
		args := []string{"-c", script}
		for _, p := range interopProfiles {
			args = append(args, p.name)
		}
		r := runCmd(t, detached(env.processEnv(filepath.Join(env.dir, "home-boto3")), pythonWithBoto3(), args...), code+"\n")
		if r.code != 0 {
			t.Errorf("boto3: exit %d\n%s", r.code, r.stderr)
		}
		out := map[string]profileOutcome{}
		for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			var v struct{ Profile, ARN, Code string }
			if json.Unmarshal([]byte(line), &v) == nil {
				out[v.Profile] = profileOutcome{ARN: v.ARN, Code: v.Code}
			}
		}
		return out
	},
}, {
	name: "JS SDK v3 (fromIni)",
	missing: func() string {
		if why := missingCommand("node", "Node.js"); why != "" {
			return why
		}
		if _, err := os.Stat(filepath.Join(jsClientDir, "node_modules", "@aws-sdk", "credential-providers")); err != nil {
			return "the AWS SDK for JavaScript is not installed: run npm ci in cmd/xacct/" + jsClientDir
		}
		return ""
	},
	run: func(t *testing.T, env *interopEnv, code string) map[string]profileOutcome {
		// A process per profile: the SDK reads the services section of
		// the profile that AWS_PROFILE names.
		out := map[string]profileOutcome{}
		script, _ := filepath.Abs(filepath.Join(jsClientDir, "whoami.mjs"))
		for _, p := range interopProfiles {
			r := runCmd(t, detached(env.processEnv(filepath.Join(env.dir, "home-js"),
				"AWS_PROFILE="+p.name, "XACCT_MFA_CODE="+code), "node", "--no-warnings", script), "")
			var v profileOutcome
			if r.code != 0 || json.Unmarshal([]byte(r.stdout), &v) != nil {
				v = profileOutcome{Code: fmt.Sprintf("node failed: exit %d %s", r.code, r.stderr)}
			}
			out[p.name] = v
		}
		return out
	},
}, {
	name:    "Go SDK LoadDefaultConfig",
	missing: func() string { return "" },
	run: func(t *testing.T, env *interopEnv, code string) map[string]profileOutcome {
		out := map[string]profileOutcome{}
		for _, p := range interopProfiles {
			cfg, err := config.LoadDefaultConfig(context.Background(), config.WithSharedConfigProfile(p.name),
				config.WithSharedConfigFiles([]string{env.configFile}), config.WithSharedCredentialsFiles([]string{}),
				config.WithRetryMaxAttempts(1),
				config.WithAssumeRoleCredentialOptions(func(o *stscreds.AssumeRoleOptions) {
					o.TokenProvider = func() (string, error) { return code, nil }
				}))
			if err != nil {
				out[p.name] = profileOutcome{Code: "LoadDefaultConfig: " + err.Error()}
				continue
			}
			out[p.name] = goCallerIdentity(cfg)
		}
		return out
	},
}, {
	name:    "xacct.LoadConfig",
	missing: func() string { return "" },
	run: func(t *testing.T, env *interopEnv, code string) map[string]profileOutcome {
		out := map[string]profileOutcome{}
		for _, p := range interopProfiles {
			cfg, err := xacct.LoadConfig(context.Background(), p.name, func(o *xacct.Options) {
				o.ConfigFiles, o.CredentialsFiles = []string{env.configFile}, []string{}
				o.MFA = xacct.StaticToken(code)
			})
			var pe *xacct.ProfileError
			switch {
			case errors.As(err, &pe) && pe.Key == "duration_seconds":
				// Refused before any call, by the rule behind STS's
				// ValidationError.
				out[p.name] = profileOutcome{Code: "ValidationError", Early: true}
			case err != nil:
				out[p.name] = profileOutcome{Code: "LoadConfig: " + err.Error()}
			default:
				out[p.name] = goCallerIdentity(cfg)
			}
		}
		return out
	},
}}

// goCallerIdentity calls GetCallerIdentity with cfg, once.
func goCallerIdentity(cfg aws.Config) profileOutcome {
	id, err := sts.NewFromConfig(cfg, func(o *sts.Options) { o.RetryMaxAttempts = 1 }).
		GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		return profileOutcome{Code: errorCode(err)}
	}
	return profileOutcome{ARN: aws.ToString(id.Arn)}
}

func missingCommand(name, what string) string {
	if _, err := exec.LookPath(name); err != nil {
		return fmt.Sprintf("no %s on PATH (install %s)", name, what)
	}
	return ""
}

func TestProfilesInteroperability(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scenario, _ := json.Marshal(interopScenario())
	scenarioFile, tokenFile := filepath.Join(dir, "scenario.json"), filepath.Join(dir, "token")
	if err := os.WriteFile(scenarioFile, scenario, 0o600); err != nil {
		t.Fatal(err)
	}
	fake := startFake(t, scenarioFile, "--web-identity-token",
		interopIssuer+",system:serviceaccount:ci:interop,sts.amazonaws.com="+tokenFile)
	url := fake.url
	env := &interopEnv{dir: dir, configFile: filepath.Join(dir, "config"), noFile: filepath.Join(dir, "none")}
	if err := os.WriteFile(env.configFile, []byte(interopConfig(url, tokenFile)), 0o600); err != nil {
		t.Fatal(err)
	}

	results := map[string]map[string]profileOutcome{}
	var ran []string
	for _, c := range interopClients {
		if why := c.missing(); why != "" {
			t.Logf("skipping the %s: %s (.ci/run installs it)", c.name, why)
			continue
		}
		// A TOTP step of its own: the fake refuses a code used before.
		now := adminClock(t, url, map[string]string{"advance": "30s"}).now
		started := time.Now()
		results[c.name] = c.run(t, env, codeAt(t, interopTOTP, now))
		t.Logf("%s: %v", c.name, time.Since(started).Round(time.Millisecond))
		ran = append(ran, c.name)
	}

	var table strings.Builder
	fmt.Fprintf(&table, "\n| profile | %s |\n|---%s|\n", strings.Join(ran, " | "), strings.Repeat("|---", len(ran)))
	for _, p := range interopProfiles {
		row := []string{p.name}
		for _, c := range ran {
			got := results[c][p.name]
			row = append(row, got.String())
			want := p.want
			if c == "xacct.LoadConfig" && p.name == "chained-7200" {
				want.Early = true // xacct tells this one before the network
			}
			if got != want {
				t.Errorf("profile %s, %s: %v; want %v", p.name, c, got, want)
			}
		}
		fmt.Fprintf(&table, "| %s |\n", strings.Join(row, " | "))
	}
	t.Log(table.String())
	if log := fake.stop(t); strings.Contains(log, interopSecret) {
		t.Error("the secret appears in the fake's log")
	}
}
