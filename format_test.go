package xacct_test

// No fmt verb of an exported value shows a secret: every exported type of
// xacct and of xaccttest, built to hold the secrets it can hold, formatted
// as a value and as a pointer with every verb. The types are read from
// the packages' source, so that a new one fails this test until it has a
// builder here.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/testutil"
	"github.com/xacct/xacct/xaccttest"
)

// The secrets of the formatting world; the fake STS adds those it issues.
const (
	fmtSecret = "fmtSECRETaccessKEYof4lice000000000000000"
	fmtAlice  = "AKIAEXAMPLEFMTALICE1"
	fmtMFA    = "arn:aws:iam::111111111111:mfa/alice"
	fmtBobMFA = "arn:aws:iam::111111111111:mfa/bob"
	fmtHub    = "arn:aws:iam::222222222222:role/Hub"
	fmtAdmin  = "arn:aws:iam::222222222222:role/Admin"
)

// builder makes values of one exported type holding the secrets it can,
// each as a pointer to it; a type that holds none still gets a value.
type builder func(t *testing.T, w *fmtWorld) []any

var rootBuilders = map[string]builder{
	"Account": func(*testing.T, *fmtWorld) []any { return []any{&xacct.Account{ID: "222222222222", Name: "hub"}} },
	"AccountsOptions": func(*testing.T, *fmtWorld) []any {
		return []any{&xacct.AccountsOptions{Include: []string{"222222222222"},
			NewClient: func(aws.Config) xacct.OrganizationsClient { return nil }}}
	},
	"Cache": func(_ *testing.T, w *fmtWorld) []any { return w.caches },
	"ConsoleOptions": func(*testing.T, *fmtWorld) []any {
		return []any{&xacct.ConsoleOptions{Destination: "s3", SessionDuration: time.Hour, FederationName: "console"}}
	},
	"EKSToken": func(_ *testing.T, w *fmtWorld) []any {
		tok := xacct.EKSToken{Value: "k8s-aws-v1.aHR0cHM6Ly9zdHMuZm10LXNlY3JldC10b2tlbg", Expires: time.Now()}
		w.secrets = append(w.secrets, tok.Value, "aHR0cHM6Ly9zdHMuZm10LXNlY3JldC10b2tlbg")
		return []any{&tok}
	},
	"EKSTokenOptions": func(*testing.T, *fmtWorld) []any { return []any{&xacct.EKSTokenOptions{Region: "eu-west-1"}} },
	"FileStore":       func(_ *testing.T, w *fmtWorld) []any { return []any{w.store} },
	"FanOutOptions": func(_ *testing.T, w *fmtWorld) []any {
		return []any{&xacct.FanOutOptions{RoleName: "Hub", ExternalID: "ext-123",
			HopOptions: []func(*xacct.Options){w.options}, OnResult: func(xacct.Result) {}}}
	},
	"HopError":     func(t *testing.T, w *fmtWorld) []any { return []any{asError[*xacct.HopError](t, w.errs)} },
	"SessionError": func(t *testing.T, w *fmtWorld) []any { return []any{asError[*xacct.SessionError](t, w.errs)} },
	"ProfileError": func(t *testing.T, w *fmtWorld) []any { return []any{asError[*xacct.ProfileError](t, w.errs)} },
	"Options": func(_ *testing.T, w *fmtWorld) []any {
		var o xacct.Options
		w.options(&o)
		return []any{&o}
	},
	"ProfilePlan": func(_ *testing.T, w *fmtWorld) []any { return []any{w.plan} },
	"PlanBase":    func(_ *testing.T, w *fmtWorld) []any { return []any{&w.plan.Base} },
	"PlanHop":     func(_ *testing.T, w *fmtWorld) []any { return []any{&w.plan.Hops[0]} },
	"RefreshEvent": func(_ *testing.T, w *fmtWorld) []any {
		return []any{&w.events[0]}
	},
	"Report": func(_ *testing.T, w *fmtWorld) []any { return []any{w.report} },
	"Result": func(_ *testing.T, w *fmtWorld) []any { return []any{&w.report.Results[0], &w.report.Results[1]} },
	"Role": func(*testing.T, *fmtWorld) []any {
		return []any{&xacct.Role{ARN: fmtAdmin, ExternalID: "ext-123", MFASerial: fmtMFA, Duration: time.Hour}}
	},
	"StoredCredentials": func(_ *testing.T, w *fmtWorld) []any {
		return []any{&xacct.StoredCredentials{Key: "k", Kind: "assume-role", Name: fmtHub, Credentials: w.session}}
	},
	"SSOLoginOptions": func(*testing.T, *fmtWorld) []any {
		return []any{&xacct.SSOLoginOptions{DeviceCode: true, Endpoint: "http://127.0.0.1:1", StoreDir: "/tmp/store",
			OpenURL: func(context.Context, string, string) error { return nil }}}
	},
	"TokenFunc":    func(_ *testing.T, w *fmtWorld) []any { f := xacct.TokenFunc(w.token); return []any{&f} },
	"TokenRequest": func(*testing.T, *fmtWorld) []any { return []any{&xacct.TokenRequest{SerialNumber: fmtMFA, Hop: 1}} },
}

var testBuilders = map[string]builder{
	"Account": func(_ *testing.T, w *fmtWorld) []any { a := w.scenario.Accounts["111111111111"]; return []any{&a} },
	"Assignment": func(*testing.T, *fmtWorld) []any {
		return []any{&xaccttest.Assignment{Account: "111111111111", Role: "Admin"}}
	},
	"Call":  func(_ *testing.T, w *fmtWorld) []any { c := w.srv.Calls(); return []any{&c[0], &c[len(c)-1]} },
	"Clock": func(_ *testing.T, w *fmtWorld) []any { return []any{w.srv.Clock} },
	"Fault": func(*testing.T, *fmtWorld) []any {
		return []any{&xaccttest.Fault{Action: "AssumeRole", Code: "Throttling"}}
	},
	"IdentityCenter": func(*testing.T, *fmtWorld) []any {
		return []any{&xaccttest.IdentityCenter{StartURL: "https://d-1.awsapps.com/start", Region: "us-east-1",
			Users: map[string]xaccttest.IdentityCenterUser{"alice": {}}}}
	},
	"IdentityCenterUser": func(*testing.T, *fmtWorld) []any {
		return []any{&xaccttest.IdentityCenterUser{Assignments: []xaccttest.Assignment{{Account: "111111111111", Role: "Admin"}}}}
	},
	"OIDCProvider": func(*testing.T, *fmtWorld) []any {
		return []any{&xaccttest.OIDCProvider{URL: "https://token.example.com", Audiences: []string{"sts.amazonaws.com"}}}
	},
	"Organization": func(*testing.T, *fmtWorld) []any {
		return []any{&xaccttest.Organization{ManagementAccount: "111111111111",
			Units: map[string]xaccttest.OrganizationalUnit{"ou-ab12-prod0001": {Name: "prod"}}}}
	},
	"OrganizationalUnit": func(*testing.T, *fmtWorld) []any { return []any{&xaccttest.OrganizationalUnit{Name: "prod"}} },
	"Role": func(_ *testing.T, w *fmtWorld) []any {
		r := w.scenario.Accounts["222222222222"].Roles["Hub"]
		return []any{&r}
	},
	"Scenario": func(_ *testing.T, w *fmtWorld) []any { return []any{w.scenario} },
	"Server":   func(_ *testing.T, w *fmtWorld) []any { return []any{w.srv} },
	"Throttle": func(*testing.T, *fmtWorld) []any { return []any{&xaccttest.Throttle{Rate: 1}} },
	"User": func(_ *testing.T, w *fmtWorld) []any {
		u := w.scenario.Accounts["111111111111"].Users["alice"]
		return []any{&u}
	},
}

func TestNoFormatShowsASecret(t *testing.T) {
	t.Parallel()
	w := newFmtWorld(t)
	for _, pkg := range []struct {
		name, dir string
		builders  map[string]builder
	}{{"xacct (rootBuilders)", ".", rootBuilders}, {"xaccttest (testBuilders)", "xaccttest", testBuilders}} {
		types, _, err := testutil.ExportedTypes(pkg.dir)
		if err != nil {
			t.Fatal(err)
		}
		for name := range pkg.builders {
			if !slices.Contains(types, name) {
				t.Errorf("a builder for %s, which is not an exported type of %s: remove it", name, pkg.name)
			}
		}
		for _, name := range types {
			build, ok := pkg.builders[name]
			if !ok {
				t.Errorf("no builder for the exported type %s of %s: add one to format_test.go, "+
					"holding every secret the type can hold", name, pkg.name)
				continue
			}
			for _, p := range build(t, w) {
				checkFormats(t, name, p, w.secrets)
			}
		}
	}
	for _, err := range w.errs { // the errors the API gave, of unexported types too
		for _, leak := range testutil.FormatLeaks(err, w.secrets) {
			t.Errorf("error %T: %s", err, leak)
		}
	}
}

// checkFormats formats the pointer p, and the value it points to, with
// every verb, and fails the test for each secret shown.
func checkFormats(t *testing.T, name string, p any, secrets []string) {
	t.Helper()
	rv := reflect.ValueOf(p)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		t.Fatalf("the builder of %s made a %T, not a pointer", name, p)
	}
	// A copy made through reflect: vet's copylocks does not see it, and
	// the value is what fmt.Sprint(*p) formats.
	for _, v := range []any{p, rv.Elem().Interface()} {
		for _, leak := range testutil.FormatLeaks(v, secrets) {
			t.Errorf("%s: %s", name, leak)
		}
	}
}

// asError returns the first error of errs that is an E.
func asError[E error](t *testing.T, errs []error) E {
	t.Helper()
	for _, err := range errs {
		var e E
		if errors.As(err, &e) {
			return e
		}
	}
	var e E
	t.Fatalf("no %T among the errors %v", e, errs)
	return e
}

// fmtWorld is a fake STS, and what xacct made with it: caches holding a
// user's long-term keys and sessions, the errors of a refused role and of
// a wrong MFA code, a plan, a fan-out's report. secrets holds every
// secret they may hold.
type fmtWorld struct {
	srv      *xaccttest.Server
	scenario *xaccttest.Scenario
	cfg      aws.Config // alice's
	store    *xacct.FileStore
	secrets  []string
	session  aws.Credentials // of a hop
	caches   []any
	errs     []error
	plan     *xacct.ProfilePlan
	events   []xacct.RefreshEvent // of the hop's fetch
	report   *xacct.Report
}

func newFmtWorld(t *testing.T) *fmtWorld {
	t.Helper()
	w := &fmtWorld{scenario: fmtScenario()}
	var err error
	if w.srv, err = xaccttest.NewServerWithScenario(w.scenario); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.srv.Close)
	if w.cfg, err = w.srv.UserConfig("111111111111", "alice"); err != nil {
		t.Fatal(err)
	}
	if w.store, err = xacct.NewFileStore(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	for _, u := range w.scenario.Accounts["111111111111"].Users {
		w.secrets = append(w.secrets, u.SecretAccessKey, u.MFATOTPSecret)
	}
	w.fetch(t)
	w.fail(t)
	w.profiles(t)
	w.fanOut()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.srv.WaitIdle(ctx, 3*time.Millisecond); err != nil { // nothing changes while formatted
		t.Fatal(err)
	}
	return w
}

// options are the Options of every provider of the world.
func (w *fmtWorld) options(o *xacct.Options) {
	o.MFA = w.token
	o.Store = w.store
	o.Now = w.srv.Clock.Now
	o.OnRefresh = func(e xacct.RefreshEvent) {}
}

// token gives the codes of alice's device, and keeps each as a secret.
func (w *fmtWorld) token(ctx context.Context, req xacct.TokenRequest) (string, error) {
	code, err := w.srv.TokenFunc()(ctx, req)
	w.secrets = append(w.secrets, code)
	return code, err
}

// keep retrieves the credentials of c, keeps them as secrets, and keeps c.
func (w *fmtWorld) keep(t *testing.T, c *xacct.Cache) aws.Credentials {
	t.Helper()
	creds, err := c.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	w.secrets = append(w.secrets, creds.SecretAccessKey, creds.SessionToken)
	w.caches = append(w.caches, c)
	return creds
}

// fetch fills caches: of alice's long-term keys, of a hop on them, of an
// MFA session and a hop on it.
func (w *fmtWorld) fetch(t *testing.T) {
	t.Helper()
	w.keep(t, xacct.NewCache(credentials.NewStaticCredentialsProvider(fmtAlice, fmtSecret, "")))
	w.keep(t, xacct.NewCache(credentials.NewStaticCredentialsProvider(fmtAlice, fmtSecret, "token-"+fmtSecret)))
	w.secrets = append(w.secrets, "token-"+fmtSecret)
	hop, err := xacct.AssumeRole(w.cfg, xacct.Role{ARN: fmtHub, ExternalID: "ext-123"}, w.options,
		func(o *xacct.Options) { o.OnRefresh = func(e xacct.RefreshEvent) { w.events = append(w.events, e) } })
	if err != nil {
		t.Fatal(err)
	}
	w.session = w.keep(t, hop)
	mfa, err := xacct.MFASession(w.cfg, fmtMFA, w.token, w.options)
	if err != nil {
		t.Fatal(err)
	}
	w.keep(t, mfa)
	admin, err := xacct.AssumeRole(with(w.cfg, mfa), xacct.Role{ARN: fmtAdmin}, w.options)
	if err != nil {
		t.Fatal(err)
	}
	w.keep(t, admin)
}

// fail keeps the errors of a role alice may not assume and of a wrong
// MFA code, which is a secret too.
func (w *fmtWorld) fail(t *testing.T) {
	t.Helper()
	denied, _ := xacct.AssumeRole(w.cfg, xacct.Role{ARN: "arn:aws:iam::333333333333:role/Nope"}, w.options)
	_, err := denied.Retrieve(context.Background())
	w.errs = append(w.errs, err)
	code, err := w.srv.TOTP(fmtBobMFA)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(code)
	wrong := fmt.Sprintf("%06d", (n+1)%1_000_000)
	w.secrets = append(w.secrets, wrong)
	session, _ := xacct.MFASession(w.cfg, fmtBobMFA, xacct.StaticToken(wrong), w.options)
	_, err = session.Retrieve(context.Background())
	w.errs = append(w.errs, err)
	if err == nil {
		t.Fatal("an MFA session with a wrong code succeeded")
	}
}

// profiles keeps a profile's plan and caches, and a profile's error: with
// alice's keys in a credentials file.
func (w *fmtWorld) profiles(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	cfgFile, credsFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	os.WriteFile(cfgFile, []byte("[profile alice]\nregion = us-east-1\nmfa_serial = "+fmtMFA+"\n"+
		"[profile hub]\nrole_arn = "+fmtHub+"\nsource_profile = alice\nexternal_id = ext-123\nregion = us-east-1\n"+
		"[profile bad]\nrole_arn = "+fmtHub+"\nsource_profile = alice\nduration_seconds = 99999999\n"), 0o600)
	os.WriteFile(credsFile, []byte("[alice]\naws_access_key_id = "+fmtAlice+"\naws_secret_access_key = "+fmtSecret+"\n"), 0o600)
	files := func(o *xacct.Options) { o.ConfigFiles, o.CredentialsFiles = []string{cfgFile}, []string{credsFile} }
	var err error
	if w.plan, err = xacct.PlanProfile(context.Background(), "hub", files); err != nil {
		t.Fatal(err)
	}
	_, err = xacct.PlanProfile(context.Background(), "bad", files)
	w.errs = append(w.errs, err)
	for _, p := range []string{"alice", "hub"} {
		c, err := xacct.FromProfile(context.Background(), w.cfg, p, w.options, files)
		if err != nil {
			t.Fatal(err)
		}
		w.keep(t, c)
	}
}

// fanOut keeps the report of a fan-out over an account with the role and
// one without.
func (w *fmtWorld) fanOut() {
	w.report = xacct.FanOut(context.Background(), w.cfg, []xacct.Account{{ID: "222222222222"}, {ID: "333333333333"}},
		func(context.Context, xacct.Account, aws.Config) error { return nil },
		func(o *xacct.FanOutOptions) {
			o.RoleName, o.ExternalID, o.HopOptions = "Hub", "ext-123", []func(*xacct.Options){w.options}
		})
	w.errs = append(w.errs, w.report.Results[1].Err, w.report.Err())
}

// fmtScenario is the world: alice and bob, each with an MFA device, may
// assume any role of 222222222222, where Hub wants an External ID and
// Admin an MFA session; 333333333333 has no role.
func fmtScenario() *xaccttest.Scenario {
	user := func(key, secret string) xaccttest.User {
		return xaccttest.User{AccessKeyID: key, SecretAccessKey: secret, MFATOTPSecret: totpSecret(),
			Policies: []json.RawMessage{allow("arn:aws:iam::*:role/*")}}
	}
	return &xaccttest.Scenario{Accounts: map[string]xaccttest.Account{
		"111111111111": {Users: map[string]xaccttest.User{
			"alice": user(fmtAlice, fmtSecret), "bob": user("AKIAEXAMPLEFMTBOB001", "fmtSECRETaccessKEYofBob0000000000000000000")}},
		"222222222222": {Roles: map[string]xaccttest.Role{
			"Hub":   {Trust: trust(`"111111111111"`, `{"StringEquals":{"sts:ExternalId":"ext-123"}}`)},
			"Admin": {Trust: trust(`"arn:aws:iam::111111111111:root"`, `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`)},
		}},
		"333333333333": {},
	}}
}
