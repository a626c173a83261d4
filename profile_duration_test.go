package xacct_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct"
)

// Options.LastHopDuration sets the length of a profile's last hop, and
// only of that hop; STS's rules apply to it, and the error names the
// option, not duration_seconds, which the profile may not even set.
func TestLastHopDuration(t *testing.T) {
	t.Parallel()
	files, _, _ := profileFiles(t,
		"[profile a]\nrole_arn = "+roleA+"\nsource_profile = dev\nduration_seconds = 7200\n"+
			"[profile b]\nrole_arn = "+roleB+"\nsource_profile = a\n",
		"[dev]\naws_access_key_id = AKIAEXAMPLEDEV00001\naws_secret_access_key = SECRET\n")
	ctx := context.Background()
	for _, tt := range []struct {
		name    string
		profile string
		d       time.Duration
		hops    []hopShape
		err     string
	}{
		{"the one hop of a", "a", 30 * time.Minute, []hopShape{{"a", roleA, false, 1800, ""}}, ""},
		{"a one-hop chain on long-term keys may last 12h", "a", 12 * time.Hour, []hopShape{{"a", roleA, false, 43200, ""}}, ""},
		{"the last hop of b; hop 1 keeps its duration_seconds", "b", 45 * time.Minute,
			[]hopShape{{"a", roleA, false, 7200, ""}, {"b", roleB, true, 2700, ""}}, ""},
		{"a chained last hop: at most 1h", "b", 2 * time.Hour, nil,
			"xacct: profile b: the last hop's duration (Options.LastHopDuration): Duration 2h0m0s is above 1h, but this hop is role chaining"},
		{"STS's range", "a", 10 * time.Minute, nil, "outside STS's range for AssumeRole: 15m to 12h"},
	} {
		plan, err := xacct.PlanProfile(ctx, tt.profile, files, func(o *xacct.Options) { o.LastHopDuration = tt.d })
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "duration_seconds") {
				t.Errorf("%s: %v; want an error with %q, not naming duration_seconds", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := hopsOf(plan); !equalHops(got, tt.hops) {
			t.Errorf("%s: hops %+v, want %+v", tt.name, got, tt.hops)
		}
	}

	// The plan's Config keeps the plan's length; the core's constructors
	// refuse an option they cannot use.
	plan, err := xacct.PlanProfile(ctx, "a", files)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plan.Config(ctx, func(o *xacct.Options) { o.LastHopDuration = time.Hour }); err == nil ||
		!strings.Contains(err.Error(), "Options.LastHopDuration differs from PlanProfile's") {
		t.Errorf("Config with another LastHopDuration: %v", err)
	}
	if _, err := xacct.AssumeRole(aws.Config{Region: "us-east-1"}, xacct.Role{ARN: roleA},
		func(o *xacct.Options) { o.LastHopDuration = time.Hour }); err == nil ||
		!strings.Contains(err.Error(), "Options.LastHopDuration is set, but AssumeRole does not use it") {
		t.Errorf("AssumeRole with LastHopDuration: %v", err)
	}
}

func equalHops(a, b []hopShape) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
