package main

import (
	"strings"
	"testing"
)

// A profile whose credential_process is xacct credential-process
// --profile chain is seen through: login stores chain's sessions, cache
// list and clear act on them, explain and exec on chain; each says so.
func TestWrapperSeenThrough(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	const note = "profile wrapped runs xacct credential-process for profile chain: acting on chain"

	r := w.run(t, "login", "wrapped", "--token-command", w.token)
	if r.code != 0 || !strings.Contains(r.stderr, "xacct login: "+note) || !strings.Contains(r.stdout, "profile chain: kept in "+w.store) ||
		strings.Contains(r.stderr, "nothing to keep") {
		t.Fatalf("login wrapped: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	r = w.run(t, "cache", "list", "wrapped", "--json")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 3 || !strings.Contains(r.stderr, note) {
		t.Errorf("cache list wrapped: exit %d, %d entries\n%s\n%s", r.code, strings.Count(r.stdout, "\n"), r.stdout, r.stderr)
	}
	r = w.run(t, "explain", "wrapped")
	if r.code != 0 || !strings.Contains(r.stdout, "profile chain (from the command line)") || !strings.Contains(r.stderr, note) {
		t.Errorf("explain wrapped: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = w.run(t, "exec", "wrapped", "--", "sh", "-c", `echo "$XACCT_PROFILE"`)
	if r.code != 0 || r.stdout != "chain\n" || !strings.Contains(r.stderr, note) {
		t.Errorf("exec wrapped: exit %d, %q\n%s", r.code, r.stdout, r.stderr)
	}
	r = w.run(t, "cache", "clear", "wrapped")
	if r.code != 0 || !strings.Contains(r.stdout+r.stderr, "removed 3") {
		t.Errorf("cache clear wrapped: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r = w.run(t, "cache", "list", "--cache-dir", w.store, "--json"); r.stdout != "" {
		t.Errorf("after cache clear wrapped, the store keeps:\n%s", r.stdout)
	}
}
