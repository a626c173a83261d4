//go:build unix

package filestore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

// swapIn makes s replace path, just before the store opens it, with what
// make makes there: what a loop swapping files wins once in a while.
func swapIn(s *Store, path string, make func(path string) error) {
	s.hook = func(event, p string) {
		if event == hookOpen && p == path {
			os.Remove(p)
			if err := make(p); err != nil {
				panic(err)
			}
		}
	}
}

func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }

// within runs f and fails the test when it has not returned in 5 seconds,
// then unblocks an open of path, a FIFO, by opening it for writing.
func within(t *testing.T, path string, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		t.Fatalf("blocked on %s, a FIFO swapped in before the open", filepath.Base(path))
		return nil
	}
}

// An entry replaced by a FIFO or a link between any check and the open
// is refused at once: Load neither blocks nor reads through the link.
func TestLoadSwapped(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		make func(path string) error
		want string
	}{
		{"a FIFO", mkfifo, "is not a regular file: refused"},
		{"a symbolic link", func(p string) error { return os.Symlink(p+".target", p) }, "is a symbolic link: refused"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			k := key(tt.name)
			path := EntryPath(s.Dir(), k)
			s.Save(k, entryFor(time.Now().Add(time.Hour)))
			b, _ := os.ReadFile(path) // the entry stays, for any check before the open to pass
			os.WriteFile(path+".target", b, 0o600)
			swapIn(s, path, tt.make)
			err := within(t, path, func() error {
				e, ok, err := s.Load(k)
				if ok {
					return fmt.Errorf("an entry: %v", e)
				}
				return err
			})
			if err == nil || !strings.Contains(err.Error(), path+" "+tt.want) {
				t.Errorf("Load = %v; want %q", err, tt.want)
			}
		})
	}
}

// A lock file replaced by a link or a FIFO between any check and the
// open is refused at once: Lock neither creates nor locks a link's
// target, nor blocks on a FIFO.
func TestLockSwapped(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		target bool // the link's target exists
		make   func(path, target string) error
		want   string
	}{
		{"a link to no file", false, func(p, target string) error { return os.Symlink(target, p) }, "is a symbolic link: refused"},
		{"a link to a file", true, func(p, target string) error { return os.Symlink(target, p) }, "is a symbolic link: refused"},
		{"a FIFO", false, func(p, _ string) error { return mkfifo(p) }, "is not a regular file: refused"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			k := key(tt.name)
			path := filepath.Join(s.Dir(), k+lockExt)
			target := filepath.Join(t.TempDir(), "target")
			if tt.target {
				os.WriteFile(target, []byte("precious"), 0o600)
			}
			swapIn(s, path, func(p string) error { return tt.make(p, target) })
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			err := within(t, path, func() error {
				unlock, err := s.Lock(ctx, k)
				if err == nil {
					defer unlock()
					return errors.New("locked")
				}
				return err
			})
			if err == nil || !strings.Contains(err.Error(), path+" "+tt.want) {
				t.Errorf("Lock = %v; want %q", err, tt.want)
			}
			if _, err := os.Lstat(target); !tt.target && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Lock created the link's target: %v", err)
			}
			if tt.target {
				other := flock.New(target)
				if ok, err := other.TryLock(); !ok || err != nil {
					t.Errorf("the link's target is locked: %v, %v", ok, err)
				}
				other.Unlock()
			}
		})
	}
}

// A lock file that others may open is refused: another user holding the
// lock would stop every refresh.
func TestLockFileMode(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	k := key(t.Name())
	path := filepath.Join(s.Dir(), k+lockExt)
	os.WriteFile(path, nil, 0o600)
	os.Chmod(path, 0o644)
	if _, err := s.Lock(context.Background(), k); err == nil || !strings.Contains(err.Error(), path+" has mode 0644") {
		t.Errorf("Lock of a 0644 lock file = %v", err)
	}
}
