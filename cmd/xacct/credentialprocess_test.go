package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The flags are checked before anything is read; each error names the
// flag and the rule, exit code 2.
func TestCredentialProcessUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{}, "--profile is required"},
		{[]string{"--profile", "p", "--no-cache", "--cache-dir", "/tmp/x"}, "--no-cache and --cache-dir exclude each other"},
		{[]string{"--profile", "p", "--min-remaining", "-1m"}, "--min-remaining -1m0s is negative"},
		{[]string{"--profile", "p", "--timeout", "20m"}, "--timeout 20m0s: want more than 0 and at most 15m0s"},
		{[]string{"--profile", "p", "--token-command", "ykman 'oath"}, `--token-command "ykman 'oath" has a ' that is not closed`},
		{[]string{"p", "extra"}, `unexpected argument "extra"`},
		{[]string{"--profile", "p", "q"}, `the profile is given twice, as "q" and as --profile p`},
		{[]string{"--profile"}, "flag needs an argument"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"credential-process"}, tt.args...), &out, &errOut)
		if code != exitConfig || !strings.Contains(errOut.String(), tt.want) || out.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, out.String(), errOut.String(), tt.want)
		}
		if n := strings.Count(errOut.String(), "\n"); tt.want != "flag needs an argument" && n != 1 {
			t.Errorf("%v: %d lines on stderr, want one", tt.args, n)
		}
	}
}

// processJSON is what an SDK reads from a credential_process.
type processJSON struct {
	Version                                    int
	AccessKeyId, SecretAccessKey, SessionToken string
	Expiration                                 string
}

// parseProcessOutput checks that stdout is exactly one line of the
// credential_process JSON, with the five fields and no other.
func parseProcessOutput(t *testing.T, stdout string) processJSON {
	t.Helper()
	if strings.Count(stdout, "\n") != 1 || !strings.HasSuffix(stdout, "}\n") {
		t.Fatalf("stdout is not one JSON line: %q", stdout)
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(stdout), &fields); err != nil {
		t.Fatal(err)
	}
	for k := range fields {
		switch k {
		case "Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration":
		default:
			t.Errorf("unexpected field %q", k)
		}
	}
	var p processJSON
	json.Unmarshal([]byte(stdout), &p)
	exp, err := time.Parse(time.RFC3339, p.Expiration)
	if p.Version != 1 || !strings.HasPrefix(p.AccessKeyId, "ASIA") || p.SecretAccessKey == "" || p.SessionToken == "" ||
		err != nil || time.Until(exp) < 50*time.Minute {
		t.Fatalf("credential_process JSON %+v (expiration: %v)", p.AccessKeyId, err)
	}
	return p
}

// Every kind of failure has its exit code and one line on stderr that
// says what to do, with no secret; the chain needing a code with no way to
// get one fails before any STS call.
func TestCredentialProcessExitCodes(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	for _, tt := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"unknown profile", []string{"--profile", "nope"}, exitConfig,
			[]string{"profile nope", "is not in", "the profiles there: admin, chain"}},
		{"a length that can never meet --min-remaining", []string{"--profile", "short"}, exitConfig,
			[]string{"--min-remaining 15m0s cannot be met: hop 2 (profile short) lasts 15m0s", "raise duration_seconds"}},
		{"a credential_process that calls xacct for the same profile", []string{"--profile", "selfref-hop"}, exitConfig,
			[]string{"profile selfref-hop is already being resolved by an xacct process that started this one"}},
		{"STS refuses", []string{"--profile", "denied"}, exitCredentials,
			[]string{"hop 1 (" + adminRole + "): AssumeRole", "AccessDenied", "hint:"}},
		{"a code is needed, no terminal, no token command", []string{"--profile", "chain"}, exitMFAImpossible,
			[]string{"an MFA code of " + devMFA + " is needed", "no terminal", "run `xacct login --profile chain` in a terminal"}},
		{"the token command fails", []string{"--profile", "chain", "--token-command", "false"}, exitMFAImpossible,
			[]string{"MFA session of " + devMFA, "ProcessToken: false"}},
	} {
		before := w.stsCalls()
		r := w.run(t, append([]string{"credential-process", "--cache-dir", w.store}, tt.args...)...)
		if r.code != tt.code || r.stdout != "" {
			t.Errorf("%s: exit %d, stdout %q; want %d and nothing\nstderr: %s", tt.name, r.code, r.stdout, tt.code, r.stderr)
		}
		for _, want := range tt.want {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", tt.name, want, r.stderr)
			}
		}
		last := r.stderr[strings.LastIndex(strings.TrimSuffix(r.stderr, "\n"), "\n")+1:]
		if !strings.HasPrefix(last, "xacct credential-process: ") {
			t.Errorf("%s: the last line is not the command's error: %q", tt.name, last)
		}
		assertNoSecret(t, tt.name, r.stderr)
		if tt.code == exitMFAImpossible && tt.args[len(tt.args)-1] == "chain" && w.stsCalls() != before {
			t.Errorf("%s: %d STS calls before failing, want none", tt.name, w.stsCalls()-before)
		}
		if r.took > 10*time.Second {
			t.Errorf("%s: took %v", tt.name, r.took)
		}
	}

	// And success: one JSON line, nothing else on stdout.
	r := w.run(t, "credential-process", "--profile", "chain", "--cache-dir", w.store, "--token-command", w.token)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	p := parseProcessOutput(t, r.stdout)
	assertNoSecret(t, "stderr", r.stderr, p.SecretAccessKey, p.SessionToken)
}

// The recursion variable carries the profiles of the processes up the
// tree; a profile of another tree runs.
func TestCredentialProcessRecursionVariable(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	cmd := w.command("credential-process", "--profile", "plain", "--cache-dir", w.store)
	cmd.Env = append(cmd.Env, recursionVar+"="+url.QueryEscape("chain")+","+url.QueryEscape("other,profile"))
	if r := runCmd(t, cmd, ""); r.code != 0 {
		t.Errorf("profile plain under chain and other,profile: exit %d: %s", r.code, r.stderr)
	}
	cmd = w.command("credential-process", "--profile", "plain", "--cache-dir", w.store)
	cmd.Env = append(cmd.Env, recursionVar+"=chain,plain")
	if r := runCmd(t, cmd, ""); r.code != exitConfig || !strings.Contains(r.stderr, "XACCT_CREDENTIAL_PROCESS_PROFILES=chain,plain") {
		t.Errorf("profile plain under plain: exit %d: %s", r.code, r.stderr)
	}
}

// Credentials with less than --min-remaining left are fetched anew, once;
// when new ones have less too, the error says so instead of a loop.
func TestCredentialProcessMinRemaining(t *testing.T) {
	t.Parallel()
	// The fake's clock 50 minutes behind: its one-hour sessions end 10
	// minutes from now.
	w := newToolsWorld(t, "--clock-offset", "-50m")
	base := []string{"credential-process", "--profile", "plain", "--cache-dir", w.store}
	r := w.run(t, append(base, "--min-remaining", "5m")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	r = w.run(t, base...)
	if r.code != exitCredentials || !strings.Contains(r.stderr, "less than --min-remaining 15m0s") ||
		w.calls("AssumeRole", plainRole) != 2 {
		t.Fatalf("10 minutes left, --min-remaining 15m: exit %d, %d AssumeRole; want 3 after one new fetch\n%s",
			r.code, w.calls("AssumeRole", plainRole), r.stderr)
	}
	// The clock right again: the stored session (10 minutes left) is
	// replaced by one that lasts.
	adminClock(t, w.fake.url, map[string]string{"advance": "50m"})
	r = w.run(t, base...)
	if r.code != 0 || w.calls("AssumeRole", plainRole) != 3 {
		t.Fatalf("exit %d, %d AssumeRole; want a new session, the third\n%s", r.code, w.calls("AssumeRole", plainRole), r.stderr)
	}
	parseProcessOutput(t, r.stdout)
	if r = w.run(t, base...); r.code != 0 || w.calls("AssumeRole", plainRole) != 3 {
		t.Errorf("the next process: exit %d, %d AssumeRole; want it from the store", r.code, w.calls("AssumeRole", plainRole))
	}
}

// A process waiting for another's lock says so on the terminal (here, no
// terminal: stderr) after two seconds, and gives up at --timeout with exit
// code 5, naming what it waited for.
func TestCredentialProcessLockTimeout(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	h := w.startHolder(t)

	r := w.run(t, "credential-process", "--profile", "chain", "--cache-dir", w.store, "--token-command", w.token, "--timeout", "3s")
	if r.code != exitLockTimeout || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q; want 5\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		// What the holder does, as its lock file says: its token command runs.
		fmt.Sprintf("xacct: waiting for another xacct process (pid %d) to get an MFA code from its --token-command, for %s",
			h.cmd.Process.Pid, deployRole),
		"another xacct process has been refreshing hop 2 (" + deployRole + ") all along",
		"gave up after 3s (--timeout)",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.took > 6*time.Second || w.tokenRuns() != 1 {
		t.Errorf("took %v, %d token runs; want about 3s, and no run of its own", r.took, w.tokenRuns())
	}
}
