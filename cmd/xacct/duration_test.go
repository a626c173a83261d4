package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// --duration is refused before any STS call when STS would refuse it,
// naming the flag and the rule.
func TestDurationFlagRules(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"below STS's 15 minutes", []string{"credential-process", "plain", "--duration", "10m"},
			"--duration 10m0s is outside STS's range for a role session: 15m to 12h"},
		{"above STS's 12 hours", []string{"env", "plain", "--duration", "13h"},
			"--duration 13h0m0s is outside STS's range for a role session: 15m to 12h"},
		{"whole seconds only", []string{"exec", "plain", "--duration", "1000500ms", "--", "true"},
			"--duration 16m40.5s is not a whole number of seconds"},
		{"a chained last hop: 1h at most", []string{"credential-process", "chain", "--duration", "2h"},
			"--duration 2h0m0s: the last hop (profile chain, " + deployRole + ") is role chaining"},
		{"a hop on an MFA session is chained too", []string{"login", "admin", "--duration", "61m", "--cache-dir", w.store},
			"STS caps role-chaining sessions at 1h (hint: give --duration 1h or less)"},
		{"no hop, no duration to set", []string{"credential-process", "dev-keys", "--duration", "30m"},
			"--duration 30m0s: profile dev-keys assumes no role"},
	} {
		r := w.run(t, tt.args...)
		if r.code != exitConfig || !strings.Contains(r.stderr, tt.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s: %v: exit %d, stderr %q; want %d and %q", tt.name, tt.args, r.code, r.stderr, exitConfig, tt.want)
		}
	}
	if n := w.stsCalls(); n != 0 {
		t.Errorf("%d STS calls; want none: every refusal comes first", n)
	}
}

// --duration reaches the last hop's AssumeRole (DurationSeconds, as the
// fake records it), and is part of its store key: the same length again is
// a store hit, the profile's own length (1h) another call.
func TestDurationFlagReachesAssumeRole(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	withDuration := func(d string) int {
		return strings.Count(w.fake.settledLog(), " AssumeRole caller=arn:aws:iam::111111111111:user/dev role="+plainRole+
			" session=tools duration="+d+" => allowed")
	}
	start := time.Now()
	r := w.run(t, "credential-process", "plain", "--duration", "30m", "--cache-dir", w.store)
	var out struct{ Expiration time.Time }
	if err := json.Unmarshal([]byte(r.stdout), &out); r.code != 0 || err != nil {
		t.Fatalf("credential-process --duration 30m: exit %d, %v\n%s", r.code, err, r.stderr)
	}
	if left := out.Expiration.Sub(start); left < 29*time.Minute || left > 31*time.Minute {
		t.Errorf("the credentials expire in %v; want about 30m", left)
	}
	if r := w.run(t, "env", "plain", "--duration", "30m", "--cache-dir", w.store); r.code != 0 {
		t.Errorf("env --duration 30m: exit %d\n%s", r.code, r.stderr)
	}
	if r := w.run(t, "credential-process", "plain", "--cache-dir", w.store); r.code != 0 {
		t.Errorf("credential-process: exit %d\n%s", r.code, r.stderr)
	}
	if r := w.run(t, "login", "plain", "--duration", "45m", "--cache-dir", w.store); r.code != 0 {
		t.Errorf("login --duration 45m: exit %d\n%s", r.code, r.stderr)
	}
	got := [4]int{withDuration("1800s"), withDuration("3600s"), withDuration("2700s"), w.calls("AssumeRole", plainRole)}
	if want := [4]int{1, 1, 1, 3}; got != want {
		t.Errorf("AssumeRole of Plain for 30m, 1h, 45m, in all: %v, want %v\n%s", got, want, w.fake.log())
	}
}
