package filestore

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

// writeTemp writes the file path, as a temporary file of a save would
// be (TempPath), holding a secret, last written age ago.
func writeTemp(t *testing.T, path string, age time.Duration) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(`{"secret_access_key":"`+testSecret+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-age)
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
	return path
}

// The temporary files that saves killed before their rename leave behind
// hold credentials: Open removes those whose writer is gone, and
// never one of a save still running, however old, nor one so young that
// its writer may not have claimed it yet, nor a file of another name.
func TestOpenSweepsLeftovers(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows keeps a file that a process has open; the sweep goes by age alone")
	}
	t.Parallel()
	dir := newStore(t).Dir()
	k := key(t.Name())
	dead := writeTemp(t, TempPath(dir, k, "1234567"), 2*time.Minute)
	young := writeTemp(t, TempPath(dir, k, "2345678"), 0)
	live := writeTemp(t, TempPath(dir, k, "3456789"), time.Hour)
	other := writeTemp(t, filepath.Join(dir, "notes.1234567.tmp"), time.Hour)
	writer := flock.New(live)
	if ok, err := writer.TryLock(); !ok || err != nil {
		t.Fatalf("holding %s as its writer would: %v, %v", live, ok, err)
	}
	defer writer.Unlock()

	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{dead: false, young: true, live: true, other: true} {
		if exists(path) != want {
			t.Errorf("%s: there %v after Open, want %v", filepath.Base(path), !want, want)
		}
	}
	writer.Unlock() // the writer ends: the kernel releases its lock, as when it is killed
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	if exists(live) {
		t.Errorf("%s: still there once its writer was gone", filepath.Base(live))
	}
}

// A writer killed (SIGKILL) while saving, between writing its temporary
// file and renaming it: while it lives, its file stays, even when old;
// once it is dead, the next Open removes it, and no file of the
// store holds the secret.
func TestKilledWriter(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL")
	}
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "xacct")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriterChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "XACCT_TEST_WRITER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	tmp, ok := strings.CutPrefix(strings.TrimSpace(line), "saving ")
	if err != nil || !ok {
		t.Fatalf("the writer said %q, %v", line, err)
	}
	old := time.Now().Add(-time.Hour) // only the writer's lock says it lives
	os.Chtimes(tmp, old, old)
	if _, err := Open(dir); err != nil || !exists(tmp) {
		t.Fatalf("Open while the writer lives: %v; its file there: %v", err, exists(tmp))
	}
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := Open(dir); err != nil || exists(tmp) {
		t.Fatalf("Open after the writer died: %v; its file there: %v", err, exists(tmp))
	}
	des, _ := os.ReadDir(dir)
	for _, de := range des {
		if b, _ := os.ReadFile(filepath.Join(dir, de.Name())); strings.Contains(string(b), testSecret) {
			t.Errorf("%s holds the secret", de.Name())
		}
	}
}

// TestKilledWriterChild is the writer of TestKilledWriter when it runs as
// a child: it saves an entry, and stops before the rename until it is
// killed.
func TestKilledWriterChild(t *testing.T) {
	dir := os.Getenv("XACCT_TEST_WRITER_DIR")
	if dir == "" {
		t.Skip("the child of TestKilledWriter")
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.hook = func(event, path string) {
		if event == hookRename {
			os.Stdout.WriteString("saving " + path + "\n")
			time.Sleep(time.Hour)
		}
	}
	s.Save(key("killed"), entryFor(time.Now().Add(time.Hour)))
}

// Skipped names the entry files List leaves out, and why, and counts the
// temporary files: removed (Open's sweep included) and of saves still
// running.
func TestSkipped(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links and locks as on Unix")
	}
	t.Parallel()
	dir := newStore(t).Dir()
	good, damaged, linked := key("good"), key("damaged"), key("linked")
	writeTemp(t, TempPath(dir, good, "111"), 2*time.Minute)
	writeTemp(t, TempPath(dir, good, "222"), 0)
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Save(good, entryFor(time.Now().Add(time.Hour)))
	os.WriteFile(EntryPath(dir, damaged), []byte(`{"format":"xacct-credentials","version":1,"access`), 0o600)
	os.Symlink(EntryPath(dir, good), EntryPath(dir, linked))
	os.WriteFile(filepath.Join(dir, "notes.json"), []byte("{}"), 0o600)
	writeTemp(t, TempPath(dir, damaged, "333"), 2*time.Minute)

	unreadable, removed, saving, err := s.Skipped()
	if err != nil || removed != 2 || saving != 1 || len(unreadable) != 2 {
		t.Fatalf("Skipped = %v, %d removed, %d saving, %v; want 2 files, 2, 1", unreadable, removed, saving, err)
	}
	for k, want := range map[string]string{damaged: "is not a readable xacct entry", linked: "is a symbolic link: refused"} {
		path := EntryPath(dir, k)
		if err := unreadable[k]; err == nil || !strings.Contains(err.Error(), path+" "+want) {
			t.Errorf("%s: %v; want it named, and %q", filepath.Base(path), err, want)
		}
	}
}
