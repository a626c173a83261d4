package xacct_test

// ProfilePlan.Config: the chain of a plan, built from the files as
// PlanProfile read them, once per command.

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/testutil"
)

// onePlanProfiles has profile one: Hub on alice's keys, with the fake's
// endpoint and a region of its own.
func onePlanProfiles(t *testing.T, url string) (files func(*xacct.Options), configPath string) {
	t.Helper()
	files, configPath, _ = profileFiles(t, worldProfiles+"\n[profile one]\nrole_arn = "+hubRole+
		"\nsource_profile = alice\nexternal_id = ext-123\nrole_session_name = e2e\nregion = eu-west-3\nservices = fake\n"+
		"[services fake]\nsts =\n  endpoint_url = "+url+"\n", "")
	return files, configPath
}

// A command resolves its profile once: after PlanProfile, a config file
// rewritten (another role, region and endpoint, then a profile that does
// not parse as a chain) changes nothing of what Config builds, while a
// new resolution sees the new file.
func TestPlanConfigReadsTheFilesOnce(t *testing.T) {
	t.Parallel()
	srv, _ := world(t)
	files, configPath := onePlanProfiles(t, srv.URL)
	clock := func(o *xacct.Options) { o.Now = srv.Clock.Now }
	plan, err := xacct.PlanProfile(context.Background(), "one", files, clock)
	if err != nil {
		t.Fatal(err)
	}
	testutil.WriteFile(t, configPath, "[profile one]\nrole_arn = not-an-arn\nregion = ap-south-1\n", 0o600)
	if _, err := xacct.PlanProfile(context.Background(), "one", files); err == nil ||
		!strings.Contains(err.Error(), "role_arn") {
		t.Fatalf("a new resolution of the rewritten file: %v; want its role_arn refused", err)
	}

	cfg, err := plan.Config(context.Background())
	if err != nil {
		t.Fatalf("Config after the file changed: %v", err)
	}
	if cfg.Region != "eu-west-3" {
		t.Errorf("region %q, want eu-west-3 as PlanProfile read it", cfg.Region)
	}
	if arn := whoAmI(cfg); arn != "arn:aws:sts::222222222222:assumed-role/Hub/e2e" {
		t.Errorf("caller %s, want Hub as PlanProfile read it", arn)
	}
	if n := assumeCalls(srv)[hubRole]; n != 1 {
		t.Errorf("%d AssumeRole calls of Hub, want 1", n)
	}
}

// Each Config call builds new caches on the plan's one configuration, from
// many goroutines at once: each chain assumes Hub once, all at the fake's
// endpoint (none went elsewhere).
func TestPlanConfigConcurrent(t *testing.T) {
	t.Parallel()
	srv, _ := world(t)
	files, _ := onePlanProfiles(t, srv.URL)
	plan, err := xacct.PlanProfile(context.Background(), "one", files,
		func(o *xacct.Options) { o.Now = srv.Clock.Now })
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg, err := plan.Config(context.Background(), func(o *xacct.Options) { o.RefreshTimeout = time.Duration(i+1) * time.Minute })
			if err == nil {
				_, err = cfg.Credentials.Retrieve(context.Background())
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := assumeCalls(srv)[hubRole]; got != n {
		t.Errorf("%d AssumeRole calls of Hub, want %d: one per chain built", got, n)
	}
}

// Config takes PlanProfile's options, then its own; what shaped the plan
// cannot change, and a plan PlanProfile did not make has no chain.
func TestPlanConfigRefuses(t *testing.T) {
	t.Parallel()
	files, _ := onePlanProfiles(t, "http://127.0.0.1:1") // Config makes no call
	plan, err := xacct.PlanProfile(context.Background(), "one", files)
	if err != nil {
		t.Fatal(err)
	}
	decoded := new(xacct.ProfilePlan)
	if b, err := json.Marshal(plan); err != nil || json.Unmarshal(b, decoded) != nil {
		t.Fatal("the plan does not round-trip through JSON")
	}
	for _, tt := range []struct {
		name  string
		plan  *xacct.ProfilePlan
		opt   func(*xacct.Options)
		wantE string // "" for no error
	}{
		{"options that shaped nothing", plan, func(o *xacct.Options) { o.RefreshTimeout = time.Minute }, ""},
		{"the same files again", plan, files, ""},
		{"other config files", plan, func(o *xacct.Options) { o.ConfigFiles = []string{os.DevNull} },
			"Options.ConfigFiles differs from PlanProfile's"},
		{"the environment's credentials files instead of the plan's", plan,
			func(o *xacct.Options) { o.CredentialsFiles = nil }, "Options.CredentialsFiles differs"},
		{"another MFA session length", plan, func(o *xacct.Options) { o.SessionDuration = time.Hour },
			"Options.SessionDuration differs"},
		{"a zero plan", &xacct.ProfilePlan{}, nil, "the plan was not made by PlanProfile"},
		{"a nil plan", nil, nil, "the plan was not made by PlanProfile"},
		{"a plan decoded from JSON", decoded, nil, "the plan was not made by PlanProfile"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := tt.plan.Config(context.Background(), tt.opt)
			switch {
			case tt.wantE == "" && err != nil:
				t.Errorf("Config: %v", err)
			case tt.wantE == "" && cfg.Credentials == nil:
				t.Error("Config: no credentials")
			case tt.wantE != "" && (err == nil || !strings.Contains(err.Error(), tt.wantE)):
				t.Errorf("Config: %v; want an error with %q", err, tt.wantE)
			}
		})
	}
}
