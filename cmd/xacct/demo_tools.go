package main

// The demo's later steps: the chain read from a profile, shared between
// programs through the credential store, and a fleet of accounts.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/xaccttest"
)

// demoConfig is the chain of the demo as a user writes it in ~/.aws/config;
// %s is the fake's URL. The keys are the fake's.
const demoConfig = `[profile jenkins]
aws_access_key_id = AKIAEXAMPLEJENKINS01
aws_secret_access_key = any-string
region = us-east-1
endpoint_url = %[1]s

[profile cross]
role_arn = arn:aws:iam::222222222222:role/CrossAccountRole
external_id = ext-123
role_session_name = xacct-demo
source_profile = jenkins
region = us-east-1
endpoint_url = %[1]s

[profile deploy]
role_arn = arn:aws:iam::333333333333:role/ci/Deploy
role_session_name = xacct-demo
duration_seconds = 1800
source_profile = cross
region = us-east-1
endpoint_url = %[1]s
`

// toolsDemo shows profiles, the store and the fan-out against srv.
func toolsDemo(ctx context.Context, w io.Writer, srv *xaccttest.Server, heading func(string)) error {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	dir, err := os.MkdirTemp("", "xacct-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	config := filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte(fmt.Sprintf(demoConfig, srv.URL)), 0o600); err != nil {
		return err
	}
	files := func(o *xacct.Options) {
		o.ConfigFiles, o.CredentialsFiles = []string{config}, []string{}
		o.Now = srv.Clock.Now
	}

	heading("The same chain from a profile, as users write it in ~/.aws/config")
	p("   [profile cross]  role_arn = %s, external_id = ext-123, source_profile = jenkins", roleB)
	p("   [profile deploy] role_arn = %s, duration_seconds = 1800, source_profile = cross", roleC)
	plan, err := xacct.PlanProfile(ctx, "deploy", files)
	if err != nil {
		return err
	}
	p("   xacct.PlanProfile(ctx, \"deploy\") (or: xacct explain --profile deploy), with no network call:")
	p("   base: %s of profile %s (%s)", plan.Base.Kind, plan.Base.Profile, plan.Base.Detail)
	for _, h := range plan.Hops {
		p("   hop %d: %s (profile %s), %ds, role chaining: %v", h.Hop, h.RoleARN, h.Profile, h.DurationSeconds, h.Chaining)
	}
	cfg, err := xacct.LoadConfig(ctx, "deploy", files)
	if err != nil {
		return err
	}
	arn, err := whoAmI(ctx, cfg, cfg.Credentials)
	if err != nil {
		return err
	}
	p("   cfg, err := xacct.LoadConfig(ctx, \"deploy\"): the program now acts as %s", arn)

	heading("Two programs, one session: the credential store")
	store, err := xacct.NewFileStore(filepath.Join(dir, "store"))
	if err != nil {
		return err
	}
	stored := func(o *xacct.Options) { o.Store = store }
	before := srv.CallCount("AssumeRole")
	for _, program := range []string{"the first", "the second"} {
		cfg, err := xacct.LoadConfig(ctx, "deploy", files, stored) // a new program: new caches
		if err != nil {
			return err
		}
		if _, err := whoAmI(ctx, cfg, cfg.Credentials); err != nil {
			return err
		}
		p("   %s program (Options.Store = xacct.NewFileStore(dir)): %d AssumeRole calls",
			program, srv.CallCount("AssumeRole")-before)
		before = srv.CallCount("AssumeRole")
	}
	entries, err := store.List(ctx)
	if err != nil {
		return err
	}
	p("   the store holds %d sessions, one per hop, in files of mode 0600 (xacct cache list shows them):", len(entries))
	for _, e := range entries {
		p("   %s…  %s  %s  until %s", e.Key[:12], e.Kind, e.Name, e.Credentials.Expires.UTC().Format("15:04Z"))
	}
	p("   The commands give this to any tool: credential_process = xacct credential-process --profile deploy")

	heading("Every account of the organization: the fan-out")
	base, err := srv.UserConfig("111111111111", "jenkins")
	if err != nil {
		return err
	}
	accounts, err := xacct.Accounts(ctx, base, func(o *xacct.AccountsOptions) {
		o.Exclude = []string{"111111111111"} // the management account has no Auditor role
	})
	if err != nil {
		return err
	}
	var names []string
	for _, a := range accounts {
		names = append(names, a.ID+" "+a.Name)
	}
	p("   xacct.Accounts(ctx, cfg), but the management account: %d ACTIVE accounts (the suspended one is left out):",
		len(accounts))
	p("   %s", strings.Join(names, ", "))
	p("   xacct.FanOut(ctx, cfg, accounts, fn, RoleName \"Auditor\", STSRate 10): fn runs in each account")
	rep := xacct.FanOut(ctx, base, accounts, func(ctx context.Context, a xacct.Account, cfg aws.Config) error {
		_, err := whoAmI(ctx, cfg, cfg.Credentials)
		return err
	}, func(o *xacct.FanOutOptions) {
		o.RoleName, o.SessionName, o.STSRate = "Auditor", "xacct-demo", 10
		o.HopOptions = []func(*xacct.Options){func(o *xacct.Options) { o.Now = srv.Clock.Now }}
	})
	for _, r := range rep.Results {
		var he *xacct.HopError
		switch {
		case r.Err == nil:
			p("   %s %-16s ok, %d STS call", r.Account.ID, r.Account.Name, r.Attempts)
		case errors.As(r.Err, &he):
			hint, _, _ := strings.Cut(he.Hint, ";")
			p("   %s %-16s refused: %s (xacct's hint: %s; ...)", r.Account.ID, r.Account.Name, errorCode(r.Err), hint)
		default:
			p("   %s %-16s %v", r.Account.ID, r.Account.Name, r.Err)
		}
	}
	p("   %d succeeded, %d failed: one account's failure stops no other, and gets its own error and hint",
		rep.Succeeded, rep.Failed)
	return nil
}
