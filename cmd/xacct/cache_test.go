package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/xacct/xacct/internal/filestore"
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
	rewriteExpiration(t, w.store, w.entryKeys(t)[adminRole], time.Now().Add(-3*time.Hour))
	if b, err := os.ReadFile(files[devMFA]); err != nil || os.WriteFile(files[devMFA], b[:len(b)/2], 0o600) != nil {
		t.Fatalf("truncating %s: %v", files[devMFA], err)
	}
	list = w.run(t, "cache", "list", "--cache-dir", w.store)
	if !regexp.MustCompile(`role/Admin +expired \S+ \(3h ago\)`).MatchString(list.stdout) ||
		!strings.Contains(list.stderr, "xacct cache list: skipped: "+files[devMFA]+" is not a readable xacct entry") {
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
	foreign := filestore.EntryPath(w.store, strings.Repeat("a", 64))
	os.WriteFile(foreign, []byte("{}"), 0o600)
	if r := w.run(t, "cache", "list", "--cache-dir", w.store, "--profile", "admin"); !strings.Contains(r.stderr, files[devMFA]) ||
		strings.Contains(r.stderr, foreign) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("cache list --profile admin: stderr names another chain's file, or not its own:\n%s", r.stderr)
	}
	if r := w.run(t, "cache", "list", "--cache-dir", w.store); !strings.Contains(r.stderr, "skipped: "+foreign+" is not a readable xacct entry") {
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

// The temporary files that writers killed while saving left behind hold
// credentials: cache list and cache clear remove them and say how many,
// as every process that opens the store removes them; a save still
// running keeps its file, however old.
func TestCacheLeftovers(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	if r := w.run(t, "credential-process", "--profile", "plain", "--cache-dir", w.store); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	key := w.entryKeys(t)[plainRole]
	const secret = "leftover-secret-never-printed"
	leftover := func(name string) string {
		path := filestore.TempPath(w.store, key, name)
		os.WriteFile(path, []byte(`{"secret_access_key":"`+secret+`"}`), 0o600)
		old := time.Now().Add(-2 * time.Minute)
		os.Chtimes(path, old, old)
		return path
	}
	live := leftover("12345")
	writer := flock.New(live) // as a save in progress holds its file
	if ok, err := writer.TryLock(); !ok || err != nil {
		t.Fatalf("locking %s: %v, %v", live, ok, err)
	}
	defer writer.Unlock()
	gone := func(path string) bool { _, err := os.Lstat(path); return os.IsNotExist(err) }
	const counts = "temporary files of saves: removed 1 that writers killed while saving left behind " +
		"(they held credentials); left 1 of saves still running"

	dead := leftover("23456")
	list := w.run(t, "cache", "list", "--cache-dir", w.store)
	if list.code != 0 || !strings.Contains(list.stderr, "xacct cache list: "+counts+"\n") || !gone(dead) || gone(live) {
		t.Errorf("cache list: exit %d; %s removed: %v; %s removed: %v\n%s", list.code, dead, gone(dead), live, gone(live), list.stderr)
	}
	dead = leftover("34567")
	clear := w.run(t, "cache", "clear", "--cache-dir", w.store)
	if want := "removed 1 entry of the store from " + w.store + "\n" + counts + "\n"; clear.code != 0 || clear.stdout != want ||
		!gone(dead) || gone(live) {
		t.Errorf("cache clear: exit %d, %q, want %q; %s removed: %v; %s removed: %v\n%s", clear.code, clear.stdout, want,
			dead, gone(dead), live, gone(live), clear.stderr)
	}
	assertNoSecret(t, "cache", list.stdout+list.stderr+clear.stdout+clear.stderr, secret)
	writer.Unlock() // the save ends without its rename: its writer is gone
	if r := w.run(t, "credential-process", "--profile", "plain", "--cache-dir", w.store); r.code != 0 || !gone(live) {
		t.Errorf("credential-process: exit %d; %s removed: %v\n%s", r.code, live, gone(live), r.stderr)
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
		{[]string{"cache", "purge"}, exitConfig, `unknown subcommand "purge": list or clear`},
		{[]string{"cache", "list", "p", "extra"}, exitConfig, `unexpected argument "extra"`},
		{[]string{"cache", "clear", "--profile", "nope", "--cache-dir", w.store}, exitConfig, "profile nope"},
	} {
		r := w.run(t, tt.args...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want %d, nothing on stdout, and %q on stderr\n%s", tt.args, r.code, r.stdout,
				tt.code, tt.want, r.stderr)
		}
	}
}

// rewriteExpiration sets the expiration of the entry under key in the
// store dir, through the store's own files.
func rewriteExpiration(t *testing.T, dir, key string, exp time.Time) {
	t.Helper()
	s, err := filestore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	e, ok, err := s.Load(key)
	if err != nil || !ok {
		t.Fatalf("the entry %s: %v, %v", key, ok, err)
	}
	e.Expires = exp
	if err := s.Save(key, &e); err != nil {
		t.Fatal(err)
	}
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
