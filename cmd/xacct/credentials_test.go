package main

import (
	"strings"
	"testing"
	"time"

	"github.com/xacct/xacct"
)

var testPlan = &xacct.ProfilePlan{
	Profile: "chain",
	Base:    xacct.PlanBase{Profile: "dev", MFASerial: "arn:aws:iam::111111111111:mfa/dev", SessionSeconds: 43200},
	Hops: []xacct.PlanHop{
		{Hop: 1, Profile: "admin", RoleARN: "arn:aws:iam::222222222222:role/Admin", DurationSeconds: 3600},
		{Hop: 2, Profile: "chain", RoleARN: "arn:aws:iam::333333333333:role/Deploy", DurationSeconds: 900},
	},
}

// --min-remaining must be below the last step's session length.
func TestCheckLifetime(t *testing.T) {
	t.Parallel()
	if err := checkLifetime(testPlan, 14*time.Minute); err != nil {
		t.Errorf("14m of a 15m hop: %v", err)
	}
	err := checkLifetime(testPlan, 15*time.Minute)
	if err == nil || exitCodeOf(t.Context(), err, nil) != exitConfig ||
		!strings.Contains(err.Error(), "hop 2 (profile chain) lasts 15m0s") || !strings.Contains(err.Error(), "raise duration_seconds") {
		t.Errorf("15m of a 15m hop: %v", err)
	}
	session := &xacct.ProfilePlan{Base: xacct.PlanBase{Profile: "dev", MFASerial: "s", SessionSeconds: 900}}
	err = checkLifetime(session, 20*time.Minute)
	if err == nil || !strings.Contains(err.Error(), "the MFA session of profile dev lasts 15m0s") {
		t.Errorf("an MFA session of 15m: %v", err)
	}
	if err := checkLifetime(&xacct.ProfilePlan{}, 100*time.Hour); err != nil {
		t.Errorf("long-term keys: %v", err)
	}
}

func TestChainNames(t *testing.T) {
	t.Parallel()
	got := chainNames(testPlan, []string{"k2", "k1", "ks"})
	want := map[string]string{
		"k2": "hop 2 (arn:aws:iam::333333333333:role/Deploy)",
		"k1": "hop 1 (arn:aws:iam::222222222222:role/Admin)",
		"ks": "the MFA session of arn:aws:iam::111111111111:mfa/dev",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
}

// A web identity base is kept in the store too, after the hops: it has a
// name of its own, never an empty one.
func TestChainNamesWebIdentity(t *testing.T) {
	t.Parallel()
	plan := &xacct.ProfilePlan{
		Profile: "deploy",
		Base:    xacct.PlanBase{Kind: "web-identity", Profile: "ci"},
		Hops:    []xacct.PlanHop{{Hop: 1, Profile: "deploy", RoleARN: "arn:aws:iam::555555555555:role/Target"}},
	}
	got := chainNames(plan, []string{"k1", "kw"})
	if got["k1"] != "hop 1 (arn:aws:iam::555555555555:role/Target)" || got["kw"] != "the web identity session of profile ci" {
		t.Errorf("names %q", got)
	}
}

func TestUnnamedEntry(t *testing.T) {
	t.Parallel()
	key := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	sc := &xacct.StoredCredentials{Kind: "web-identity", Name: "profile ci (web identity, arn:aws:iam::444444444444:role/Web)"}
	if got, want := unnamedEntry(key, sc), "web-identity profile ci (web identity, arn:aws:iam::444444444444:role/Web)"; got != want {
		t.Errorf("an entry: %q, want %q", got, want)
	}
	if got := unnamedEntry(key, nil); got != "entry 0123456789ab" {
		t.Errorf("no entry: %q", got)
	}
}

func TestExpiryText(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		can  bool
		exp  time.Time
		want string
	}{
		{false, time.Time{}, "never expires"},
		{true, now.Add(11*time.Hour + 58*time.Minute + 20*time.Second), "expires 2026-01-02T14:58:20Z (in 11h58m)"},
		{true, now.Add(2 * time.Hour), "expires 2026-01-02T05:00:00Z (in 2h)"},
		{true, now.Add(45 * time.Second), "expires 2026-01-02T03:00:45Z (in 45s)"},
		{true, now.Add(-3 * time.Hour), "expired 2026-01-02T00:00:00Z (3h ago)"},
	} {
		if got := expiryText(tt.can, tt.exp, now); got != tt.want {
			t.Errorf("expiryText(%v) = %q, want %q", tt.exp, got, tt.want)
		}
	}
}
