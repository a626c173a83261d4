package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// cache list shows what the store keeps and never a secret; cache clear
// removes a profile's chain, or all, and nothing else.
func TestCacheListAndClear(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	r := w.run(t, "credential-process", "--profile", "chain", "--cache-dir", w.store, "--token-command", w.token)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	p := parseProcessOutput(t, r.stdout)
	files := w.entryFiles(t)

	list := w.run(t, "cache", "list", "--cache-dir", w.store)
	lines := strings.Split(strings.TrimSpace(list.stdout), "\n")
	if list.code != 0 || len(lines) != 4 || !regexp.MustCompile(`^KEY +KIND +NAME +EXPIRY$`).MatchString(lines[0]) {
		t.Fatalf("cache list: exit %d\n%s%s", list.code, list.stdout, list.stderr)
	}
	for _, want := range []string{
		`^[0-9a-f]{12}  mfa-session  arn:aws:iam::111111111111:mfa/dev +expires \S+ \(in (11h5\dm|12h)\)$`,
		`^[0-9a-f]{12}  assume-role  arn:aws:iam::222222222222:role/Admin +expires \S+ \(in (5\dm|1h)\)$`,
		`^[0-9a-f]{12}  assume-role  arn:aws:iam::333333333333:role/Deploy +expires \S+ \(in (5\dm|1h)\)$`,
	} {
		if !slicesContainMatch(lines[1:], want) {
			t.Errorf("cache list has no line like %s:\n%s", want, list.stdout)
		}
	}
	assertNoSecret(t, "cache list", list.stdout+list.stderr, p.SecretAccessKey, p.SessionToken, devKey)

	// An expired entry shows as expired; a damaged one is named on stderr.
	rewriteExpiration(t, files[adminRole], time.Now().Add(-3*time.Hour))
	os.WriteFile(files[devMFA], []byte(`{"format":"xacct-credentials","version":1,"access_key_id":"AS`), 0o600)
	list = w.run(t, "cache", "list", "--cache-dir", w.store)
	if !regexp.MustCompile(`role/Admin +expired \S+ \(3h ago\)`).MatchString(list.stdout) ||
		!strings.Contains(list.stderr, "xacct cache list: skipped "+files[devMFA]+": not a readable xacct entry") {
		t.Errorf("cache list of an expired and a damaged entry:\n%s%s", list.stdout, list.stderr)
	}
	js := w.run(t, "cache", "list", "--cache-dir", w.store, "--json", "--profile", "admin")
	var e cacheEntry
	if err := json.Unmarshal([]byte(js.stdout), &e); err != nil || strings.Count(js.stdout, "\n") != 1 ||
		e.Name != adminRole || !e.Expired || e.Kind != "assume-role" || len(e.Key) != 64 {
		t.Errorf("cache list --json --profile admin: %v\n%s%s", err, js.stdout, js.stderr)
	}
	assertNoSecret(t, "cache list --json", js.stdout+js.stderr, p.SecretAccessKey, p.SessionToken)
	// With --profile, the skipped files of its chain are named, and only those.
	foreign := filepath.Join(w.store, strings.Repeat("a", 64)+".json")
	os.WriteFile(foreign, []byte("{}"), 0o600)
	if r := w.run(t, "cache", "list", "--cache-dir", w.store, "--profile", "admin"); !strings.Contains(r.stderr, files[devMFA]) ||
		strings.Contains(r.stderr, foreign) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("cache list --profile admin: stderr names another chain's file, or not its own:\n%s", r.stderr)
	}
	if r := w.run(t, "cache", "list", "--cache-dir", w.store); !strings.Contains(r.stderr, "skipped "+foreign+": not a readable xacct entry") {
		t.Errorf("cache list: stderr does not name %s:\n%s", foreign, r.stderr)
	}
	os.Remove(foreign)

	// clear --profile admin: the session and hop 1; hop 2 stays.
	other := filepath.Join(w.store, "notes.json")
	os.WriteFile(other, []byte("{}"), 0o600)
	r = w.run(t, "cache", "clear", "--profile", "admin", "--cache-dir", w.store)
	if r.code != 0 || r.stdout != "removed 2 entries of profile admin's chain from "+w.store+"\n" {
		t.Errorf("cache clear --profile admin: exit %d, %q %s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(files[deployRole]); err != nil {
		t.Errorf("hop 2 was removed with profile admin's chain: %v", err)
	}
	r = w.run(t, "cache", "clear", "--cache-dir", w.store)
	if r.code != 0 || r.stdout != "removed 1 entry of the store from "+w.store+"\n" {
		t.Errorf("cache clear: exit %d, %q %s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("cache clear removed a file of another name: %v", err)
	}
	if list := w.run(t, "cache", "list", "--cache-dir", w.store); strings.Count(list.stdout, "\n") != 1 {
		t.Errorf("after cache clear:\n%s", list.stdout)
	}
}

// No command shows a secret of the config file: explain (text and JSON)
// included, for every kind of profile of the world.
func TestNoSecretInExplain(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	for _, p := range []string{"dev", "chain", "dev-keys", "plain", "cli-chain", "wrapped"} {
		for _, args := range [][]string{{"explain", "--profile", p}, {"explain", "--profile", p, "--json"}} {
			r := w.run(t, args...)
			if r.code != 0 {
				t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
			}
			assertNoSecret(t, strings.Join(args, " "), r.stdout+r.stderr)
		}
	}
}

func TestCacheUsage(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"cache"}, exitConfig, "usage: xacct cache list"},
		{[]string{"cache", "-h"}, 0, "usage: xacct cache list"},
		{[]string{"cache", "purge"}, exitConfig, `unknown subcommand "purge": list or clear`},
		{[]string{"cache", "list", "extra"}, exitConfig, `unexpected argument "extra"`},
		{[]string{"cache", "clear", "--profile", "nope", "--cache-dir", w.store}, exitConfig, "profile nope"},
	} {
		r := w.run(t, tt.args...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want %d, nothing on stdout, and %q on stderr\n%s", tt.args, r.code, r.stdout,
				tt.code, tt.want, r.stderr)
		}
	}
}

// rewriteExpiration sets an entry file's expiration.
func rewriteExpiration(t *testing.T, path string, exp time.Time) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	m["expiration"] = exp.UTC().Format(time.RFC3339)
	b, _ = json.Marshal(m)
	os.WriteFile(path, b, 0o600)
}

func slicesContainMatch(lines []string, re string) bool {
	r := regexp.MustCompile(re)
	for _, l := range lines {
		if r.MatchString(l) {
			return true
		}
	}
	return false
}
