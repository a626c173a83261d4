package main

// The credential store's files as credential-process meets them: damaged,
// foreign, a link, a directory others may write, a directory it may not
// write. Each has its outcome; nothing outside the store's own entries is
// changed, and no secret is printed.

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xacct/xacct/internal/filestore"
)

// entryKeys returns the keys of the store's entries by the ARN or serial
// they hold, as `xacct cache list --json` shows them.
func (w *toolsWorld) entryKeys(t *testing.T) map[string]string {
	t.Helper()
	r := w.run(t, "cache", "list", "--json", "--cache-dir", w.store)
	if r.code != 0 {
		t.Fatalf("cache list: exit %d: %s", r.code, r.stderr)
	}
	keys := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var e cacheEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("cache list --json: %q: %v", line, err)
		}
		keys[e.Name] = e.Key
	}
	return keys
}

// entryFiles returns the store's entry files by the ARN or serial they
// hold, named as the store names them.
func (w *toolsWorld) entryFiles(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	for name, key := range w.entryKeys(t) {
		files[name] = filestore.EntryPath(w.store, key)
	}
	return files
}

func TestCredentialProcessStoreFiles(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	get := func() result {
		t.Helper()
		r := w.run(t, "credential-process", "--profile", "plain", "--cache-dir", w.store)
		if r.code == 0 {
			p := parseProcessOutput(t, r.stdout)
			assertNoSecret(t, "stderr", r.stderr, p.SecretAccessKey, p.SessionToken)
		}
		return r
	}
	if r := get(); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	entry := w.entryFiles(t)[plainRole]
	// A file of another name, in the store's directory: never touched.
	notes := filepath.Join(w.store, "notes.json")
	os.WriteFile(notes, []byte(`{"mine": true}`), 0o600)

	for _, tt := range []struct {
		name   string
		damage func()
		calls  int    // AssumeRole calls after it, in all
		notice string // on stderr (no terminal here)
	}{
		{"a truncated entry is a miss, replaced", func() {
			b, _ := os.ReadFile(entry)
			os.WriteFile(entry, b[:len(b)/2], 0o600)
		}, 2, ""},
		{"a foreign JSON file under the entry's name is a miss, replaced", func() {
			os.WriteFile(entry, []byte(`{"Version": 1, "AccessKeyId": "AKIAFOREIGN"}`), 0o600)
		}, 3, ""},
		{"an entry others may read is refused, and replaced", func() {
			os.Chmod(entry, 0o644)
		}, 4, "has mode 0644: group or others may read it"},
	} {
		tt.damage()
		r := get()
		if r.code != 0 || w.calls("AssumeRole", plainRole) != tt.calls {
			t.Errorf("%s: exit %d, %d AssumeRole, want 0 and %d\n%s", tt.name, r.code, w.calls("AssumeRole", plainRole), tt.calls, r.stderr)
		}
		if !strings.Contains(r.stderr, tt.notice) {
			t.Errorf("%s: stderr lacks %q:\n%s", tt.name, tt.notice, r.stderr)
		}
		if fi, err := os.Lstat(entry); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: the entry is now %v, %v; want a file of mode 0600", tt.name, fi.Mode(), err)
		}
		if r := get(); r.code != 0 || w.calls("AssumeRole", plainRole) != tt.calls {
			t.Errorf("%s: the next process made a call (exit %d): the new entry was not kept", tt.name, r.code)
		}
	}

	// A symbolic link in the entry's place is neither read nor written
	// through: the credentials come from STS, the target keeps its bytes.
	target := filepath.Join(w.dir, "precious")
	os.WriteFile(target, []byte("precious"), 0o600)
	os.Remove(entry)
	if err := os.Symlink(target, entry); err != nil {
		t.Fatal(err)
	}
	r := get()
	if b, _ := os.ReadFile(target); r.code != 0 || string(b) != "precious" {
		t.Errorf("a symbolic link: exit %d, target now %q\n%s", r.code, b, r.stderr)
	}
	if !strings.Contains(r.stderr, "is a symbolic link: refused") {
		t.Errorf("a symbolic link: stderr does not say it was refused:\n%s", r.stderr)
	}
	if b, _ := os.ReadFile(notes); string(b) != `{"mine": true}` {
		t.Errorf("notes.json was changed: %q", b)
	}
}

// A directory others may write, or this process may not: no store, and
// the credentials still come, with one notice naming the directory and
// why; login, whose purpose is the store, fails. Nothing is written to
// either directory.
func TestCredentialProcessStoreDirectories(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	open := filepath.Join(w.dir, "open")
	os.Mkdir(open, 0o700)
	os.Chmod(open, 0o777)
	assertNoStore(t, "a 0777 directory", w.command("credential-process", "--profile", "plain", "--cache-dir", open),
		"has mode 0777", "chmod 700 "+open)
	if r := w.run(t, "login", "--profile", "plain", "--cache-dir", open); r.code != exitConfig ||
		!strings.Contains(r.stderr, "chmod 700 "+open) {
		t.Errorf("login in a 0777 directory: exit %d, want 2 and the directory named\n%s", r.code, r.stderr)
	}
	if des, _ := os.ReadDir(open); len(des) != 0 {
		t.Errorf("files were written to the 0777 directory: %v", des)
	}

	// Read-only: root may write anywhere, so the command runs as nobody.
	readOnly := filepath.Join(w.dir, "readonly")
	os.Mkdir(readOnly, 0o700)
	cmd := w.command("credential-process", "--profile", "plain", "--cache-dir", readOnly)
	if os.Getuid() == 0 {
		asNobody(t, cmd, w, readOnly)
	}
	os.Chmod(readOnly, 0o500)
	assertNoStore(t, "a read-only directory", cmd, readOnly+": this process may not create files in it", "permission denied")
	if des, _ := os.ReadDir(readOnly); len(des) != 0 {
		t.Errorf("files in the read-only directory: %v", des)
	}
}

// Where no store directory can be had (no HOME, a home that does not
// exist, a cache directory under a regular file, which root cannot write
// through either), credential-process and exec give the credentials with
// one notice that names the directory and why; login fails, naming them.
func TestNoStoreDirectory(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	file := filepath.Join(w.dir, "file")
	os.WriteFile(file, nil, 0o600)
	gone := filepath.Join(w.dir, "nonexistent") // as HOME=/nonexistent, which root would create
	home := "HOME=" + filepath.Join(w.dir, "home")
	for _, tt := range []struct {
		name string
		env  []string // HOME and XDG_CACHE_HOME
		args []string
		want string // in the notice, and in login's error
	}{
		{"HOME unset", nil, nil, "neither $XDG_CACHE_HOME nor $HOME are defined"},
		{"a home that does not exist", []string{"HOME=" + gone}, nil, "creating " + gone + "/.cache/xacct"},
		{"a home under a regular file", []string{"HOME=" + file + "/home"}, nil, "creating " + file + "/home/.cache/xacct"},
		{"XDG_CACHE_HOME under a regular file", []string{home, "XDG_CACHE_HOME=" + file + "/cache"}, nil,
			"creating " + file + "/cache/xacct"},
		{"--cache-dir under a regular file", []string{home}, []string{"--cache-dir", file + "/xacct"},
			"creating " + file + "/xacct"},
	} {
		env := slices.DeleteFunc(slices.Clone(w.env), func(e string) bool {
			return strings.HasPrefix(e, "HOME=") || strings.HasPrefix(e, "XDG_CACHE_HOME=")
		})
		env = append(env, tt.env...)
		command := func(args ...string) *exec.Cmd { return detached(env, w.bin, append(args, tt.args...)...) }
		assertNoStore(t, tt.name, command("credential-process", "--profile", "plain"), tt.want)
		assertNoStore(t, tt.name+" (exec)", command("exec", "--profile", "plain"), tt.want)
		r := runCmd(t, command("login", "--profile", "plain"), "")
		if r.code != exitConfig || r.stdout != "" || !strings.Contains(r.stderr, "xacct login: credential store") ||
			!strings.Contains(r.stderr, tt.want) || strings.Contains(r.stderr, "yours alone") {
			t.Errorf("%s: login: exit %d, want 2 and %q\n%s%s", tt.name, r.code, tt.want, r.stdout, r.stderr)
		}
	}
	if _, err := os.Stat(gone); err == nil {
		t.Errorf("%s was created", gone)
	}
}

// assertNoStore runs cmd, credential-process (or exec, to which it adds
// a command that prints the credentials), and checks that it succeeds
// with credentials and exactly one line on stderr: the notice of no
// store, with want.
func assertNoStore(t *testing.T, name string, cmd *exec.Cmd, want ...string) {
	t.Helper()
	isExec := cmd.Args[1] == "exec"
	if isExec {
		cmd.Args = append(cmd.Args, "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID")
	}
	r := runCmd(t, cmd, "")
	if r.code != 0 {
		t.Errorf("%s: exit %d, want 0\n%s", name, r.code, r.stderr)
		return
	}
	if isExec && !strings.HasPrefix(r.stdout, "ASIA") {
		t.Errorf("%s: exec's command has no credentials: %q", name, r.stdout)
	} else if !isExec {
		p := parseProcessOutput(t, r.stdout)
		assertNoSecret(t, name, r.stderr, p.SecretAccessKey, p.SessionToken)
	}
	want = append(want, "xacct: no credential store, so this process shares no credentials with others: ")
	for _, s := range want {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("%s: stderr lacks %q:\n%s", name, s, r.stderr)
		}
	}
	if n := strings.Count(r.stderr, "\n"); n != 1 || strings.Contains(r.stderr, "yours alone") {
		t.Errorf("%s: %d lines on stderr, want the one notice:\n%s", name, n, r.stderr)
	}
}
