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

// toolsRun is the tools part of the demo: a config file of profiles in a
// directory of its own, against srv.
type toolsRun struct {
	ctx     context.Context
	w       io.Writer
	srv     *xaccttest.Server
	dir     string
	files   func(*xacct.Options) // the config file, and srv's clock
	heading func(string)
}

func (d *toolsRun) p(format string, args ...any) { fmt.Fprintf(d.w, format+"\n", args...) }

// toolsDemo shows profiles, the store and the fan-out against srv.
func toolsDemo(ctx context.Context, w io.Writer, srv *xaccttest.Server, heading func(string)) error {
	dir, err := os.MkdirTemp("", "xacct-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	config := filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte(fmt.Sprintf(demoConfig, srv.URL)), 0o600); err != nil {
		return err
	}
	d := &toolsRun{ctx: ctx, w: w, srv: srv, dir: dir, heading: heading, files: func(o *xacct.Options) {
		o.ConfigFiles, o.CredentialsFiles = []string{config}, []string{}
		o.Now = srv.Clock.Now
	}}
	if err := d.profiles(); err != nil {
		return err
	}
	if err := d.store(); err != nil {
		return err
	}
	if err := d.terminal(); err != nil {
		return err
	}
	return d.fanOut()
}

// profiles shows the chain from a profile: its plan, then its use.
func (d *toolsRun) profiles() error {
	d.heading("The same chain from a profile, as users write it in ~/.aws/config")
	d.p("   [profile cross]  role_arn = %s, external_id = ext-123, source_profile = jenkins", roleB)
	d.p("   [profile deploy] role_arn = %s, duration_seconds = 1800, source_profile = cross", roleC)
	plan, err := xacct.PlanProfile(d.ctx, "deploy", d.files)
	if err != nil {
		return err
	}
	d.p("   xacct.PlanProfile(ctx, \"deploy\") (or: xacct explain --profile deploy), with no network call:")
	d.p("   base: %s of profile %s (%s)", plan.Base.Kind, plan.Base.Profile, plan.Base.Detail)
	for _, h := range plan.Hops {
		d.p("   hop %d: %s (profile %s), %ds, role chaining: %v", h.Hop, h.RoleARN, h.Profile, h.DurationSeconds, h.Chaining)
	}
	cfg, err := plan.Config(d.ctx) // the chain just shown: LoadConfig is PlanProfile, then this
	if err != nil {
		return err
	}
	arn, err := whoAmI(d.ctx, cfg, cfg.Credentials)
	if err != nil {
		return err
	}
	d.p("   cfg, err := xacct.LoadConfig(ctx, \"deploy\"): the program now acts as %s", arn)
	return nil
}

// store shows two programs sharing one session per hop.
func (d *toolsRun) store() error {
	d.heading("Two programs, one session: the credential store")
	store, err := xacct.NewFileStore(filepath.Join(d.dir, "store"))
	if err != nil {
		return err
	}
	stored := func(o *xacct.Options) { o.Store = store }
	before := d.srv.CallCount("AssumeRole")
	for _, program := range []string{"the first", "the second"} {
		cfg, err := xacct.LoadConfig(d.ctx, "deploy", d.files, stored) // a new program: new caches
		if err != nil {
			return err
		}
		if _, err := whoAmI(d.ctx, cfg, cfg.Credentials); err != nil {
			return err
		}
		d.p("   %s program (Options.Store = xacct.NewFileStore(dir)): %d AssumeRole calls",
			program, d.srv.CallCount("AssumeRole")-before)
		before = d.srv.CallCount("AssumeRole")
	}
	entries, err := store.List(d.ctx)
	if err != nil {
		return err
	}
	d.p("   the store holds %d sessions, one per hop, in files of mode 0600 (xacct cache list shows them):", len(entries))
	for _, e := range entries {
		d.p("   %s…  %s  %s  until %s", e.Key[:12], e.Kind, e.Name, e.Credentials.Expires.UTC().Format("15:04Z"))
	}
	d.p("   The commands give this to any tool: credential_process = xacct credential-process --profile deploy")
	return nil
}

// fanOut runs a function in every account of the organization.
func (d *toolsRun) fanOut() error {
	d.heading("Every account of the organization: the fan-out")
	base, err := d.srv.UserConfig("111111111111", "jenkins")
	if err != nil {
		return err
	}
	accounts, err := xacct.Accounts(d.ctx, base, func(o *xacct.AccountsOptions) {
		o.Exclude = []string{"111111111111"} // the management account has no Auditor role
	})
	if err != nil {
		return err
	}
	var names []string
	for _, a := range accounts {
		names = append(names, a.ID+" "+a.Name)
	}
	d.p("   xacct.Accounts(ctx, cfg), but the management account: %d ACTIVE accounts (the suspended one is left out):",
		len(accounts))
	d.p("   %s", strings.Join(names, ", "))
	d.p("   xacct.FanOut(ctx, cfg, accounts, fn, RoleName \"Auditor\", STSRate 10): fn runs in each account")
	rep := xacct.FanOut(d.ctx, base, accounts, func(ctx context.Context, a xacct.Account, cfg aws.Config) error {
		_, err := whoAmI(ctx, cfg, cfg.Credentials)
		return err
	}, func(o *xacct.FanOutOptions) {
		o.RoleName, o.SessionName, o.STSRate = "Auditor", "xacct-demo", 10
		o.HopOptions = []func(*xacct.Options){func(o *xacct.Options) { o.Now = d.srv.Clock.Now }}
	})
	for _, r := range rep.Results {
		d.p("   %s %-16s %s", r.Account.ID, r.Account.Name, resultText(r))
	}
	d.p("   %d succeeded, %d failed: one account's failure stops no other, and gets its own error and hint",
		rep.Succeeded, rep.Failed)
	return nil
}

// resultText says how one account of the fan-out went.
func resultText(r xacct.Result) string {
	var he *xacct.HopError
	switch {
	case r.Err == nil:
		return fmt.Sprintf("ok, %d STS call", r.Attempts)
	case errors.As(r.Err, &he):
		hint, _, _ := strings.Cut(he.Hint, ";")
		return fmt.Sprintf("refused: %s (xacct's hint: %s; ...)", errorCode(r.Err), hint)
	}
	return r.Err.Error()
}
