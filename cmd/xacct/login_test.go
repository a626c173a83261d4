package main

import (
	"os"
	"strings"
	"testing"
)

// login warms the store where a code can be had; the programs after it,
// with no terminal and no token command, then get credentials without one.
func TestLoginThenProcessesWithoutACode(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	r := w.run(t, "login", "--profile", "chain", "--cache-dir", w.store)
	if r.code != exitMFAImpossible || w.stsCalls() != 0 || !strings.Contains(r.stderr, "xacct login: an MFA code of "+devMFA) {
		t.Fatalf("login with no terminal: exit %d, %d STS calls; want 4 and none\n%s", r.code, w.stsCalls(), r.stderr)
	}

	r = w.run(t, "login", "--profile", "chain", "--cache-dir", w.store, "--token-command", w.token)
	if r.code != 0 {
		t.Fatalf("login: exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"profile chain: kept in " + w.store,
		"the MFA session of " + devMFA + "  expires ",
		"hop 1 (" + adminRole + ")", "hop 2 (" + deployRole + ")",
		"xacct processes get this chain's credentials without an MFA code",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("login's output lacks %q:\n%s", want, r.stdout)
		}
	}
	assertNoSecret(t, "login's output", r.stdout+r.stderr)

	// No terminal, no token command: the stored session serves.
	for _, args := range [][]string{
		{"credential-process", "--profile", "chain", "--cache-dir", w.store},
		{"exec", "--profile", "chain", "--cache-dir", w.store, "--", "true"},
		{"credential-process", "--profile", "admin", "--cache-dir", w.store},
	} {
		if r := w.run(t, args...); r.code != 0 {
			t.Errorf("%v after login: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	if n, s := w.tokenRuns(), w.calls("GetSessionToken", ""); n != 1 || s != 1 {
		t.Errorf("%d token runs, %d GetSessionToken; want login's only", n, s)
	}
	// The last hop gone from the store: a process with no way to ask
	// assumes it again on the stored MFA session, and asks nobody.
	os.Remove(w.entryFiles(t)[deployRole])
	if r := w.run(t, "credential-process", "--profile", "chain", "--cache-dir", w.store); r.code != 0 ||
		w.calls("AssumeRole", deployRole) != 2 || w.tokenRuns() != 1 {
		t.Errorf("hop 2 anew on the stored session: exit %d, %d AssumeRole Deploy, %d token runs\n%s",
			r.code, w.calls("AssumeRole", deployRole), w.tokenRuns(), r.stderr)
	}
	// A second login finds everything valid: no call, no code.
	if r := w.run(t, "login", "--profile", "chain", "--cache-dir", w.store, "--token-command", w.token); r.code != 0 ||
		w.tokenRuns() != 1 || w.calls("AssumeRole", "") != 3 {
		t.Errorf("a second login: exit %d, %d token runs, %d AssumeRole", r.code, w.tokenRuns(), w.calls("AssumeRole", ""))
	}
}

// A web identity's session is kept in the store, after the hops: login
// names its entry, never with an empty name.
func TestLoginWebIdentity(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	r := w.run(t, "login", "--profile", "web", "--cache-dir", w.store)
	if r.code != 0 {
		t.Fatalf("login: exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"profile web: kept in " + w.store,
		"\n  the web identity session of profile web  expires ",
		"The chain needs no MFA code",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("login's output lacks %q:\n%s", want, r.stdout)
		}
	}
	if w.calls("AssumeRoleWithWebIdentity", webRole) != 1 {
		t.Errorf("%d AssumeRoleWithWebIdentity, want 1", w.calls("AssumeRoleWithWebIdentity", webRole))
	}
}
