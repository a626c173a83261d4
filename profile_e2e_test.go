package xacct_test

// Profiles end to end: chains read from config files, built by FromProfile
// and LoadConfig, through the real sts.Client against xaccttest, on its
// fake clock, with exact counts of STS calls per hop and of prompts.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/xaccttest"
)

// worldProfiles are the profiles of the e2e world (see world): alice's
// keys, the Hub → Deploy chain, Admin on an MFA session and with MFA on
// the hop.
const worldProfiles = `[profile alice]
aws_access_key_id = AKIAEXAMPLEALICE0001
aws_secret_access_key = alice-secret

[profile hub]
role_arn = arn:aws:iam::222222222222:role/Hub
source_profile = alice
external_id = ext-123
duration_seconds = 43200
role_session_name = e2e

[profile deploy]
role_arn = arn:aws:iam::333333333333:role/ci/Deploy
source_profile = hub
role_session_name = e2e

[profile alice-mfa]
aws_access_key_id = AKIAEXAMPLEALICE0001
aws_secret_access_key = alice-secret
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile admin-session]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = alice-mfa
role_session_name = e2e

[profile admin-hop]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = alice
mfa_serial = arn:aws:iam::111111111111:mfa/alice
role_session_name = e2e
`

// worldFiles writes the world's profiles, plus extra, to a config file.
func worldFiles(t *testing.T, extra string) func(*xacct.Options) {
	t.Helper()
	files, _, _ := profileFiles(t, worldProfiles+extra, "")
	return files
}

// counted wraps the server's virtual devices and counts the prompts.
func counted(srv *xaccttest.Server, n *atomic.Int32) xacct.TokenFunc {
	device := srv.TokenFunc()
	return func(ctx context.Context, req xacct.TokenRequest) (string, error) {
		n.Add(1)
		return device(ctx, req)
	}
}

// refreshHourly reads creds, then moves the clock into the last minute of
// each one-hour session (due: callers wait for the refresh) n times.
func refreshHourly(t *testing.T, srv *xaccttest.Server, creds aws.CredentialsProvider, n int) {
	t.Helper()
	for i := 0; i <= n; i++ {
		if i > 0 {
			srv.Clock.Advance(59*time.Minute + 30*time.Second)
		}
		if _, err := creds.Retrieve(context.Background()); err != nil {
			t.Fatalf("refresh %d: %v", i, err)
		}
		waitIdle(t, srv)
	}
}

func TestProfileChainEndToEnd(t *testing.T) {
	srv, alice := world(t)
	files := worldFiles(t, "")
	deploy, err := xacct.FromProfile(context.Background(), alice, "deploy", files,
		func(o *xacct.Options) { o.Now = srv.Clock.Now })
	if err != nil {
		t.Fatal(err)
	}
	if arn := whoAmI(with(alice, deploy)); arn != "arn:aws:sts::333333333333:assumed-role/Deploy/e2e" {
		t.Fatalf("caller %s", arn)
	}
	// Five refreshes of Deploy (1h, role chaining) within Hub's 12h
	// session: Hub is assumed once, each Deploy session once.
	refreshHourly(t, srv, deploy, 5)
	if hub, dep := assumeCalls(srv)[hubRole], assumeCalls(srv)[deployRole]; hub != 1 || dep != 6 {
		t.Errorf("AssumeRole calls: Hub %d, Deploy %d; want 1 and 6", hub, dep)
	}
	if s := fmt.Sprintf("%v %+v %#v", deploy, deploy, deploy); strings.Contains(s, "alice-secret") {
		t.Errorf("the cache prints a secret: %s", s)
	}
}

func TestProfileMFASessionEndToEnd(t *testing.T) {
	srv, alice := world(t)
	var prompts atomic.Int32
	admin, err := xacct.FromProfile(context.Background(), alice, "admin-session", worldFiles(t, ""),
		func(o *xacct.Options) { o.Now, o.MFA = srv.Clock.Now, counted(srv, &prompts) })
	if err != nil {
		t.Fatal(err)
	}
	// aws-vault's convention: one code buys a 12h session; Admin (1h,
	// chaining) is refreshed every hour on it with no prompt.
	refreshHourly(t, srv, admin, 8)
	if p, s, a := prompts.Load(), srv.CallCount("GetSessionToken"), assumeCalls(srv)[adminRole]; p != 1 || s != 1 || a != 9 {
		t.Errorf("prompts %d, GetSessionToken %d, AssumeRole Admin %d; want 1, 1, 9", p, s, a)
	}
	if arn := whoAmI(with(alice, admin)); arn != "arn:aws:sts::222222222222:assumed-role/Admin/e2e" {
		t.Fatalf("caller %s", arn)
	}
}

func TestProfileMFAOnHopEndToEnd(t *testing.T) {
	srv, alice := world(t)
	var prompts atomic.Int32
	admin, err := xacct.FromProfile(context.Background(), alice, "admin-hop", worldFiles(t, ""),
		func(o *xacct.Options) { o.Now, o.MFA = srv.Clock.Now, counted(srv, &prompts) })
	if err != nil {
		t.Fatal(err)
	}
	// The AWS CLI's convention: a code on each AssumeRole of the hop, so
	// one prompt per hop session, and none between.
	refreshHourly(t, srv, admin, 2)
	for range 10 {
		if _, err := admin.Retrieve(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if p, a := prompts.Load(), assumeCalls(srv)[adminRole]; p != 3 || a != 3 {
		t.Errorf("prompts %d, AssumeRole Admin %d; want 3 and 3", p, a)
	}
}

// script writes an executable shell script and returns its path.
func script(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "creds.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestProfileCredentialProcessEndToEnd(t *testing.T) {
	t.Parallel()
	srv, alice := world(t)
	ok := script(t, `echo '{"Version": 1, "AccessKeyId": "AKIAEXAMPLEALICE0001", "SecretAccessKey": "alice-secret"}'`)
	files := worldFiles(t, "\n[profile proc]\ncredential_process = "+ok+"\n"+
		"[profile proc-hub]\nrole_arn = "+hubRole+"\nsource_profile = proc\nexternal_id = ext-123\nrole_session_name = e2e\n"+
		"duration_seconds = 7200\n")
	hub, err := xacct.FromProfile(context.Background(), alice, "proc-hub", files,
		func(o *xacct.Options) { o.Now = srv.Clock.Now })
	if err != nil {
		t.Fatal(err)
	}
	// The process printed long-term keys, so 2h was right not to refuse.
	if arn := whoAmI(with(alice, hub)); arn != "arn:aws:sts::222222222222:assumed-role/Hub/e2e" {
		t.Fatalf("caller %s", arn)
	}
}

func TestProfileBaseErrorsNameTheProfile(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, command string
		want          []string
	}{{
		name:    "a credential_process that fails",
		command: `exit 3`,
		want:    []string{"xacct: profile proc, credential_process (", "exit status 3", "hint: run the command"},
	}, {
		name:    "a credential_process whose output is not JSON is not quoted: it may hold a secret",
		command: `echo "AccessKeyId=AKIAEXAMPLEALICE0001 SecretAccessKey=` + profileSecret + `"`,
		want:    []string{"printed something that is not JSON (at byte 1), not quoted here as it may hold a secret"},
	}, {
		name:    "a credential_process whose JSON has a field of the wrong type names the field, not the value",
		command: `echo '{"Version": 1, "AccessKeyId": 7, "SecretAccessKey": "` + profileSecret + `"}'`,
		want:    []string{`printed JSON whose "AccessKeyId" is a number, not the string the format wants`},
	}, {
		name:    "a credential_process whose JSON the format refuses otherwise is not quoted either",
		command: `echo '{"Version": 1, "AccessKeyId": "AKIAEXAMPLEALICE0001", "SecretAccessKey": "` + profileSecret + `", "Expiration": 5}'`,
		want:    []string{"printed something that is not its JSON format, not quoted here as it may hold a secret"},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, alice := world(t)
			files := worldFiles(t, "\n[profile proc]\ncredential_process = "+script(t, tt.command)+"\n"+
				"[profile proc-hub]\nrole_arn = "+hubRole+"\nsource_profile = proc\nexternal_id = ext-123\n")
			hub, err := xacct.FromProfile(context.Background(), alice, "proc-hub", files,
				func(o *xacct.Options) { o.Now = srv.Clock.Now })
			if err != nil {
				t.Fatal(err)
			}
			_, err = hub.Retrieve(context.Background())
			var pe *xacct.ProfileError
			line := strings.Count(worldProfiles, "\n") + 3 // after a blank line and [profile proc]
			if !errors.As(err, &pe) || pe.Profile != "proc" || pe.Key != "credential_process" || pe.Line != line {
				t.Fatalf("error %#v; want a ProfileError of profile proc, credential_process, line %d", err, line)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			assertNoSecret(t, err)
			if n := srv.CallCount("AssumeRole"); n != 0 {
				t.Errorf("%d AssumeRole calls without base credentials", n)
			}
		})
	}
}

func TestLoadConfigUsesTheProfilesSettings(t *testing.T) {
	t.Parallel()
	srv, _ := world(t)
	// The STS endpoint, region and retries come from the profile, as
	// LoadDefaultConfig reads them; a hop with mfa_serial does not fail
	// (the SDK's own chain would, without a token provider).
	files := worldFiles(t, "\n[profile loaded]\nrole_arn = "+deployRole+"\nsource_profile = hub\nrole_session_name = e2e\n"+
		"region = eu-west-3\nmax_attempts = 2\nservices = fake\n"+
		"[services fake]\nsts =\n  endpoint_url = "+srv.URL+"\n"+
		"[profile admin-hop-here]\nrole_arn = "+adminRole+"\nsource_profile = alice\nmfa_serial = "+aliceMFA+"\nregion = us-east-1\n")
	cfg, err := xacct.LoadConfig(context.Background(), "loaded", files, func(o *xacct.Options) { o.Now = srv.Clock.Now })
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.Credentials.(*xacct.Cache); !ok {
		t.Fatalf("Credentials is a %T, want the *xacct.Cache itself", cfg.Credentials)
	}
	if cfg.Region != "eu-west-3" || cfg.RetryMaxAttempts != 2 {
		t.Errorf("region %q, max attempts %d; want the profile's eu-west-3 and 2", cfg.Region, cfg.RetryMaxAttempts)
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if arn := aws.ToString(out.Arn); arn != "arn:aws:sts::333333333333:assumed-role/Deploy/e2e" {
		t.Errorf("caller %s", arn)
	}
	if n := srv.CallCount(""); n != 3 {
		t.Errorf("%d calls reached the fake through the profile's endpoint, want 3 (Hub, Deploy, GetCallerIdentity)", n)
	}

	// A profile's global endpoint_url serves every hop of the chain too
	// (the Go SDK's own chain would call the real STS for the hops).
	global := worldFiles(t, "\n[profile global]\nrole_arn = "+deployRole+"\nsource_profile = hub\n"+
		"role_session_name = e2e\nregion = us-east-1\nendpoint_url = "+srv.URL+"\n")
	gcfg, err := xacct.LoadConfig(context.Background(), "global", global, func(o *xacct.Options) { o.Now = srv.Clock.Now })
	if err != nil {
		t.Fatal(err)
	}
	if arn := whoAmI(gcfg); arn != "arn:aws:sts::333333333333:assumed-role/Deploy/e2e" {
		t.Errorf("with endpoint_url: caller %s", arn)
	}

	mfa, err := xacct.LoadConfig(context.Background(), "admin-hop-here", files)
	if err != nil {
		t.Fatalf("LoadConfig of a profile with mfa_serial: %v", err)
	}
	if _, ok := mfa.Credentials.(*xacct.Cache); !ok {
		t.Fatalf("Credentials is a %T", mfa.Credentials)
	}
}

func TestProfileWebIdentityEndToEnd(t *testing.T) {
	t.Parallel()
	srv, cfg := webIdentityWorld(t)
	token, err := srv.WebIdentityToken("https://oidc.example.com/cluster1", "system:serviceaccount:ci:deployer",
		"sts.amazonaws.com", 6*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tokenFile, configFile := filepath.Join(dir, "token"), filepath.Join(dir, "config")
	os.WriteFile(tokenFile, []byte(token), 0o600)
	os.WriteFile(configFile, []byte("[profile ci]\nrole_arn = arn:aws:iam::444444444444:role/Deployer\n"+
		"web_identity_token_file = "+tokenFile+"\nrole_session_name = wi\nduration_seconds = 7200\n"+
		"[profile target]\nrole_arn = arn:aws:iam::555555555555:role/Target\nsource_profile = ci\nrole_session_name = wi\n"), 0o600)
	// cfg's credentials are not used: AssumeRoleWithWebIdentity is signed
	// by nobody, and the hop by the web identity session.
	target, err := xacct.FromProfile(context.Background(), cfg, "target", func(o *xacct.Options) {
		o.ConfigFiles, o.CredentialsFiles, o.Now = []string{configFile}, []string{}, srv.Clock.Now
	})
	if err != nil {
		t.Fatal(err)
	}
	if arn := whoAmI(with(cfg, target)); arn != "arn:aws:sts::555555555555:assumed-role/Target/wi" {
		t.Fatalf("caller %s", arn)
	}
	// Target is role chaining (1h) on the 2h web identity session: one
	// refresh of Target within it calls AssumeRoleWithWebIdentity no more.
	refreshHourly(t, srv, target, 1)
	if w, a := srv.CallCount("AssumeRoleWithWebIdentity"), srv.CallCount("AssumeRole"); w != 1 || a != 2 {
		t.Errorf("AssumeRoleWithWebIdentity %d, AssumeRole %d; want 1 and 2", w, a)
	}
	if s := fmt.Sprint(srv.Calls()); strings.Contains(s, token) {
		t.Error("the token is in the call record")
	}
}

// Bases that read a token another tool caches fail, when it is missing,
// with the profile, the key and what to run; no network call is made.
func TestProfileTokenBasesSayWhatToRun(t *testing.T) {
	t.Setenv("HOME", t.TempDir()) // no cached SSO or login token
	t.Setenv("AWS_LOGIN_CACHE_DIRECTORY", "")
	files, _, _ := profileFiles(t, `[sso-session corp]
sso_region = eu-west-1
sso_start_url = https://corp.awsapps.com/start
[profile sso]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Dev
[profile legacy]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 111111111111
sso_role_name = Dev
[profile web]
login_session = arn:aws:iam::111111111111:user/alice
`, "")
	for _, tt := range []struct{ profile, key, want string }{
		{"sso", "sso_session", "hint: run xacct login sso"},
		{"legacy", "sso_start_url", "hint: run xacct login legacy"},
		{"web", "login_session", "hint: run `aws login --profile web`"},
	} {
		net := &noNetwork{}
		creds, err := xacct.FromProfile(context.Background(), aws.Config{Region: "us-east-1", HTTPClient: net}, tt.profile, files)
		if err != nil {
			t.Fatalf("%s: %v", tt.profile, err)
		}
		_, err = creds.Retrieve(context.Background())
		var pe *xacct.ProfileError
		if !errors.As(err, &pe) || pe.Profile != tt.profile || pe.Key != tt.key || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v; want a ProfileError on %s with %q", tt.profile, err, tt.key, tt.want)
		}
		if n := net.calls.Load(); n != 0 {
			t.Errorf("%s: %d HTTP calls without a token", tt.profile, n)
		}
	}
}

// With a Store, a second program on the same profile makes no STS call:
// the hop's session is in the store. It runs the credential_process, whose
// output is who asks for the session (the store's key); its long-term keys
// are not kept: the process stays their source.
func TestProfileWithStore(t *testing.T) {
	t.Parallel()
	srv, alice := world(t)
	runs := filepath.Join(t.TempDir(), "runs")
	proc := script(t, `echo run >> `+runs+`
echo '{"Version": 1, "AccessKeyId": "AKIAEXAMPLEALICE0001", "SecretAccessKey": "alice-secret"}'`)
	files := worldFiles(t, "\n[profile proc]\ncredential_process = "+proc+"\n"+
		"[profile proc-hub]\nrole_arn = "+hubRole+"\nsource_profile = proc\nexternal_id = ext-123\nrole_session_name = e2e\n")
	store, err := xacct.NewFileStore(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		hub, err := xacct.FromProfile(context.Background(), alice, "proc-hub", files,
			func(o *xacct.Options) { o.Now, o.Store = srv.Clock.Now, store })
		if err != nil {
			t.Fatal(err)
		}
		if _, err := hub.Retrieve(context.Background()); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(runs)
		if n, calls := strings.Count(string(b), "run"), srv.CallCount("AssumeRole"); n != i+1 || calls != 1 {
			t.Fatalf("program %d: the process ran %d times, %d AssumeRole calls; want %d and 1 in all", i+1, n, calls, i+1)
		}
	}
	entries, _ := store.List(context.Background())
	if len(entries) != 1 || entries[0].Kind != "assume-role" {
		t.Errorf("store entries %v: want the hop's session only", entries)
	}
}

// TestProfileSharedMFASessionEndToEnd: two role profiles with mfa_serial on
// one source profile ask one code in all with xacct_mfa_session = shared
// on the source (aws-vault's habit: one MFA session, kept in the store
// across programs), and one code each without it (the AWS CLI's reading).
func TestProfileSharedMFASessionEndToEnd(t *testing.T) {
	t.Parallel()
	roles := func(shared string) string {
		return "\n[profile alice-src]\naws_access_key_id = AKIAEXAMPLEALICE0001\naws_secret_access_key = alice-secret\n" +
			shared + "\n[profile admin-a]\nrole_arn = " + adminRole + "\nsource_profile = alice-src\n" +
			"mfa_serial = arn:aws:iam::111111111111:mfa/alice\nrole_session_name = e2e-a\n" +
			"\n[profile admin-b]\nrole_arn = " + adminRole + "\nsource_profile = alice-src\n" +
			"mfa_serial = arn:aws:iam::111111111111:mfa/alice\nrole_session_name = e2e-b\n"
	}
	for _, c := range []struct {
		shared                   string
		prompts, sessions, roles int
	}{
		{"xacct_mfa_session = shared\n", 1, 1, 2},
		{"", 2, 0, 2},
	} {
		srv, alice := world(t)
		files := worldFiles(t, roles(c.shared))
		store, err := xacct.NewFileStore(filepath.Join(t.TempDir(), "store"))
		if err != nil {
			t.Fatal(err)
		}
		var prompts atomic.Int32
		for _, p := range []string{"admin-a", "admin-b"} { // two programs, one store
			admin, err := xacct.FromProfile(context.Background(), alice, p, files, func(o *xacct.Options) {
				o.Now, o.MFA, o.Store = srv.Clock.Now, counted(srv, &prompts), store
			})
			if err != nil {
				t.Fatal(err)
			}
			if arn := whoAmI(with(alice, admin)); !strings.HasPrefix(arn, "arn:aws:sts::222222222222:assumed-role/Admin/") {
				t.Fatalf("%s: caller %s", p, arn)
			}
		}
		if p, s, a := prompts.Load(), srv.CallCount("GetSessionToken"), assumeCalls(srv)[adminRole]; p != int32(c.prompts) ||
			s != c.sessions || a != c.roles {
			t.Errorf("%q: prompts %d, GetSessionToken %d, AssumeRole %d; want %d, %d, %d",
				c.shared, p, s, a, c.prompts, c.sessions, c.roles)
		}
	}
}
