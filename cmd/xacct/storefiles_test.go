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
	"strings"
	"syscall"
	"testing"
)

// entryFiles returns the store's entry files by the ARN or serial they
// hold, as `xacct cache list --json` shows them.
func (w *toolsWorld) entryFiles(t *testing.T) map[string]string {
	t.Helper()
	r := w.run(t, "cache", "list", "--json", "--cache-dir", w.store)
	if r.code != 0 {
		t.Fatalf("cache list: exit %d: %s", r.code, r.stderr)
	}
	files := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var e cacheEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("cache list --json: %q: %v", line, err)
		}
		files[e.Name] = filepath.Join(w.store, e.Key+".json")
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

// A directory others may write is refused before anything (exit 2); one
// the process may not write serves no store, and the credentials still
// come, with a notice.
func TestCredentialProcessStoreDirectories(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	open := filepath.Join(w.dir, "open")
	os.Mkdir(open, 0o700)
	os.Chmod(open, 0o777)
	r := w.run(t, "credential-process", "--profile", "plain", "--cache-dir", open)
	if r.code != exitConfig || w.stsCalls() != 0 || !strings.Contains(r.stderr, "chmod 700 "+open) {
		t.Errorf("a 0777 directory: exit %d, %d STS calls\n%s", r.code, w.stsCalls(), r.stderr)
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
	r = runCmd(t, cmd, "")
	if r.code != 0 {
		t.Fatalf("a read-only directory: exit %d\n%s", r.code, r.stderr)
	}
	p := parseProcessOutput(t, r.stdout)
	if want := "xacct: credential store: lock failed; fetching without it"; !strings.Contains(r.stderr, want) ||
		!strings.Contains(r.stderr, "permission denied") {
		t.Errorf("a read-only directory: stderr lacks %q and why:\n%s", want, r.stderr)
	}
	assertNoSecret(t, "stderr", r.stderr, p.SecretAccessKey, p.SessionToken)
	if des, _ := os.ReadDir(readOnly); len(des) != 0 {
		t.Errorf("files in the read-only directory: %v", des)
	}
}

// asNobody makes cmd run as user nobody (65534), who owns dir, and lets
// it read what it needs of the world: the binary and the config file.
func asNobody(t *testing.T, cmd *exec.Cmd, w *toolsWorld, dir string) {
	t.Helper()
	const nobody = 65534
	if err := os.Chown(dir, nobody, nobody); err != nil {
		t.Skipf("cannot give a directory to user nobody: %v", err)
	}
	for _, p := range []string{filepath.Dir(w.bin), filepath.Dir(w.dir), w.dir} {
		os.Chmod(p, 0o755)
	}
	os.Chmod(w.config, 0o644)
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: nobody, Gid: nobody}
	cmd.Env = append(cmd.Env, "HOME="+dir)
}
