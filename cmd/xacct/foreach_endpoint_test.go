package main

import (
	"strings"
	"testing"
)

// TestForEachAccountEndpoint: by default each command gets an endpoint of
// its own account (its Go SDK acts in that account through it), and no
// keys in its environment.
func TestForEachAccountEndpoint(t *testing.T) {
	t.Parallel()
	accounts := []string{"222222222222", "333333333333"}
	srv := fleetServer(t, accounts)
	code, lines, stderr, _ := forEachRun(t, callerEnv(t, srv.URL, ""), "--role-name", orgRole,
		"--accounts", strings.Join(accounts, ","), "--rate", "100")
	if code != 0 || len(lines) != 2 {
		t.Fatalf("exit %d, %d lines\n%s", code, len(lines), stderr)
	}
	for _, id := range accounts {
		if want := "[" + id + "] arn:aws:sts::" + id + ":assumed-role/" + orgRole + "/"; !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
		if l := lines[id]; l.Status != "ok" || !strings.Contains(l.StderrTail, "AWS_SECRET_ACCESS_KEY=\nAWS_SESSION_TOKEN=") {
			t.Errorf("%s: %+v, want ok and no keys in the environment", id, l)
		}
	}
}
