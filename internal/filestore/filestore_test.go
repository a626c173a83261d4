package filestore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	testSecret = "SECRET/wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testToken  = "TOKEN/FwoGZXIvYXdzEXAMPLESESSIONTOKEN"
	testRole   = "arn:aws:iam::222222222222:role/CrossAccountRole"
)

// key is a store key of the test's own.
func key(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}

func entryFor(exp time.Time) *Entry {
	return &Entry{
		Kind: "assume-role", Name: testRole, Fetched: exp.Add(-time.Hour),
		AccessKeyID: "ASIASTORED", SecretAccessKey: testSecret, SessionToken: testToken, Expires: exp,
	}
}

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "xacct"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRoundTripAndModes(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	k := key(t.Name())
	if e, ok, err := s.Load(k); ok || err != nil {
		t.Fatalf("Load of nothing = %v, %v, %v; want a miss", e, ok, err)
	}
	if err := s.Save(k, entryFor(exp)); err != nil {
		t.Fatal(err)
	}
	e, ok, err := s.Load(k)
	if err != nil || !ok {
		t.Fatalf("Load = %v, %v, %v", e, ok, err)
	}
	if e.Key != k || e.Kind != "assume-role" || e.Name != testRole || e.AccessKeyID != "ASIASTORED" ||
		e.SecretAccessKey != testSecret || e.SessionToken != testToken || !e.Expires.Equal(exp) {
		t.Fatalf("Load = %+v", e)
	}
	for path, want := range map[string]os.FileMode{s.Dir(): 0o700, EntryPath(s.Dir(), k): 0o600} {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, %v; want %04o", path, fi.Mode().Perm(), err, want)
		}
	}
	b, _ := os.ReadFile(EntryPath(s.Dir(), k))
	if !strings.Contains(string(b), `"expiration":"`+exp.Format(time.RFC3339)+`"`) ||
		!strings.Contains(string(b), `"format":"xacct-credentials","version":1`) {
		t.Errorf("file %s: want RFC 3339 UTC expiry and the format version", b)
	}
	// No temporary file is left behind.
	des, _ := os.ReadDir(s.Dir())
	for _, de := range des {
		if strings.HasSuffix(de.Name(), ".tmp") {
			t.Errorf("temporary file %s left", de.Name())
		}
	}
	list, err := s.List()
	if err != nil || len(list) != 1 || list[0].Key != k {
		t.Fatalf("List = %v, %v", list, err)
	}
	if err := s.Delete(k); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Load(k); ok {
		t.Fatal("entry still there after Delete")
	}
	if err := s.Delete(k); err != nil {
		t.Fatalf("Delete of nothing: %v", err)
	}
}

// Credentials that never expire are written with a zero expiration, and
// read back so.
func TestNeverExpires(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	k := key(t.Name())
	e := entryFor(time.Now())
	e.Expires = time.Time{}
	if err := s.Save(k, e); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := s.Load(k); err != nil || !ok || !got.Expires.IsZero() {
		t.Fatalf("Load = %v, %v, %v; want no expiry", got, ok, err)
	}
}

// Damaged and foreign files are misses, never crashes, and the next Save
// replaces them; links and shared files are refused.
func TestBadFiles(t *testing.T) {
	t.Parallel()
	good, _ := os.ReadFile(func() string {
		s := newStore(t)
		s.Save(key("good"), entryFor(time.Now().Add(time.Hour)))
		return EntryPath(s.Dir(), key("good"))
	}())
	for _, tt := range []struct {
		name    string
		prepare func(t *testing.T, path string)
		wantErr string // "": a miss
	}{
		{"truncated", func(t *testing.T, path string) { os.WriteFile(path, good[:len(good)/2], 0o600) }, ""},
		{"empty", func(t *testing.T, path string) { os.WriteFile(path, nil, 0o600) }, ""},
		{"foreign JSON", func(t *testing.T, path string) {
			os.WriteFile(path, []byte(`{"AccessKeyId":"AKIA","SecretAccessKey":"x","Expiration":"2099-01-01T00:00:00Z"}`), 0o600)
		}, ""},
		{"other version", func(t *testing.T, path string) {
			os.WriteFile(path, []byte(strings.Replace(string(good), `"version":1`, `"version":2`, 1)), 0o600)
		}, ""},
		{"not JSON at all", func(t *testing.T, path string) { os.WriteFile(path, []byte("\x00\x01garbage"), 0o600) }, ""},
		{"larger than any entry", func(t *testing.T, path string) {
			os.WriteFile(path, append(good, make([]byte, maxFileSize)...), 0o600)
		}, ""},
		{"symbolic link", func(t *testing.T, path string) {
			target := path + ".target"
			os.WriteFile(target, good, 0o600)
			os.Symlink(target, path)
		}, "is a symbolic link: refused"},
		{"readable by others", func(t *testing.T, path string) { os.WriteFile(path, good, 0o644) }, "has mode 0644"},
		{"a directory", func(t *testing.T, path string) { os.Mkdir(path, 0o700) }, "not a regular file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			k := key(tt.name)
			path := EntryPath(s.Dir(), k)
			tt.prepare(t, path)
			e, ok, err := s.Load(k)
			switch {
			case tt.wantErr == "" && (ok || err != nil):
				t.Fatalf("Load = %v, %v; want a miss", e, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Load = %v, %v; want an error with %q", e, err, tt.wantErr)
			}
			if err != nil && strings.Contains(fmt.Sprint(err), testSecret) {
				t.Fatalf("secret in %v", err)
			}
			saveErr := s.Save(k, entryFor(time.Now().Add(time.Hour)))
			switch tt.name {
			case "symbolic link":
				if saveErr == nil {
					t.Fatal("Save through a symbolic link succeeded")
				}
				if b, _ := os.ReadFile(path + ".target"); string(b) != string(good) {
					t.Fatal("Save wrote through the link")
				}
				return
			case "a directory":
				if saveErr == nil {
					t.Fatal("Save over a directory succeeded")
				}
				return
			}
			if saveErr != nil {
				t.Fatalf("Save over a bad file: %v", saveErr)
			}
			if e, ok, err := s.Load(k); err != nil || !ok || e.AccessKeyID != "ASIASTORED" {
				t.Fatalf("after Save: %v, %v", e, err)
			}
		})
	}
}

func TestOpenRefusesSharedDirectories(t *testing.T) {
	t.Parallel()
	open := filepath.Join(t.TempDir(), "open")
	os.Mkdir(open, 0o700)
	os.Chmod(open, 0o777)
	if _, err := Open(open); err == nil || !strings.Contains(err.Error(), "has mode 0777: group or others may write it") {
		t.Errorf("0777 directory: %v", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := Open(file); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("a file: %v", err)
	}
	if os.Getuid() == 0 {
		other := filepath.Join(t.TempDir(), "other")
		os.Mkdir(other, 0o700)
		os.Chown(other, 12345, 12345)
		if _, err := Open(other); err == nil || !strings.Contains(err.Error(), "is owned by user 12345") {
			t.Errorf("another user's directory: %v", err)
		}
	}
	// A new directory is made 0700, parents included.
	fresh := filepath.Join(t.TempDir(), "a", "b")
	if _, err := Open(fresh); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(fresh); fi.Mode().Perm() != 0o700 {
		t.Errorf("new directory has mode %v", fi.Mode().Perm())
	}
}

func TestKeysAreChecked(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	for _, k := range []string{"", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63)} {
		if ValidKey(k) {
			t.Errorf("ValidKey(%q) = true", k)
		}
		if _, _, err := s.Load(k); err == nil || !strings.Contains(err.Error(), "is not a store key") {
			t.Errorf("Load(%q) = %v", k, err)
		}
		if err := s.Save(k, entryFor(time.Now())); err == nil || !strings.Contains(err.Error(), "is not a store key") {
			t.Errorf("Save(%q) = %v", k, err)
		}
		if _, err := s.Lock(context.Background(), k); err == nil || !strings.Contains(err.Error(), "is not a store key") {
			t.Errorf("Lock(%q) = %v", k, err)
		}
		if err := s.Delete(k); err == nil || !strings.Contains(err.Error(), "is not a store key") {
			t.Errorf("Delete(%q) = %v", k, err)
		}
	}
	if !ValidKey(key("any")) {
		t.Errorf("ValidKey(%q) = false", key("any"))
	}
}

// Lock excludes other holders, in this process too, and waits only as
// long as its context.
func TestLock(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	k := key(t.Name())
	unlock, err := s.Lock(context.Background(), k)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := s.Lock(ctx, k); err != context.DeadlineExceeded {
		t.Fatalf("second Lock while held = %v, want DeadlineExceeded", err)
	}
	got := make(chan error)
	go func() {
		u, err := s.Lock(context.Background(), k)
		if err == nil {
			u()
		}
		got <- err
	}()
	time.Sleep(50 * time.Millisecond)
	unlock()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Lock did not get the lock once it was released")
	}
	if fi, err := os.Stat(filepath.Join(s.Dir(), k+lockExt)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v, %v", fi, err)
	}
}

func TestEntryFormatNoSecrets(t *testing.T) {
	t.Parallel()
	e := entryFor(time.Now())
	for _, v := range []any{e, *e, []*Entry{e}, map[string]Entry{"a": *e}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, testSecret) || strings.Contains(out, testToken) {
				t.Errorf("%s shows a secret: %s", verb, out)
			}
		}
	}
}
