// Package filestore keeps credentials in files of one directory, for
// xacct's FileStore (the root package's adapter, which converts entries
// to and from StoredCredentials and adds the package's prefix to errors).
// It owns the on-disk format and nothing else in the module knows it: the
// entry file (JSON, with its format name and version), the names of the
// entry, lock and temporary files of a key, the checks that keep the
// files the user's own (owner and mode, opening without following a link,
// judging the file as opened), the locks (flock(2), LockFileEx on
// Windows), and the sweep of the temporary files that killed writers
// leave behind.
//
// Its errors are sentences that name their file, without a prefix: the
// caller says whose they are.
package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Store is a directory of entries: an entry is a JSON file of mode 0600,
// written to a temporary file, synced and renamed into place; each key
// has a lock file, locked with flock(2) (LockFileEx on Windows), which
// the kernel releases when its process dies, even by SIGKILL.
//
// Open refuses a directory owned by another user or writable by group or
// others (on Unix), and Load and Lock refuse a file that is a symbolic
// link, not a regular file, or another user's, judged on the file they
// opened (without following a link), so that a file swapped in after a
// check is refused too.
//
// A Store is safe for concurrent use by multiple goroutines and
// processes.
type Store struct {
	dir   string // absolute, checked by Open; read-only
	swept int    // temporary files Open removed; read-only

	// hook, when not nil, is called at the moments that races between
	// processes turn on (hookOpen, hookRename), so that tests can act
	// there. Set before the store is used; nil outside tests.
	hook func(event, path string)
}

// The events of Store.hook.
const (
	hookOpen   = "open"   // path (an entry or lock file) is about to be opened
	hookRename = "rename" // Save is about to rename its temporary file, path
)

// Open returns the Store in dir, creating it with mode 0700 if it does
// not exist. dir "": filepath.Join(os.UserCacheDir(), "xacct"), where
// only the user cache directory and xacct's are created: a process whose
// home does not exist (HOME=/nonexistent) gets an error, not a home. A
// directory this process cannot write is an error too: it would fail
// every Lock and Save. Open then removes the temporary files that writers
// killed while saving left behind (see Skipped).
func Open(dir string) (*Store, error) {
	dir, err := makeDir(dir)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return nil, err
	case !fi.IsDir():
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	if err := checkPrivateDir(dir, fi); err != nil {
		return nil, err
	}
	if err := checkWritable(dir); err != nil {
		return nil, fmt.Errorf("%s: this process may not create files in it (%w): "+
			"the store writes an entry and a lock file per session", dir, err)
	}
	s := &Store{dir: dir}
	s.swept, _, _ = s.sweep(time.Now())
	return s, nil
}

// Dir returns the store's directory, absolute.
func (s *Store) Dir() string { return s.dir }

// Load returns the entry under key; ok is false when there is none, or
// when its file is unreadable, truncated or foreign (a miss: the next Save
// replaces it). Expired entries are returned. A file that is a symbolic
// link, not a regular file, or that others may read, is an error. The
// entry is a value, so that a hit costs no allocation beyond the read.
func (s *Store) Load(key string) (e Entry, ok bool, err error) {
	path, err := s.path(key, entryExt)
	if err != nil {
		return Entry{}, false, err
	}
	s.event(hookOpen, path)
	f, err := openEntry(path)
	if err != nil {
		return Entry{}, false, whyNotOpened(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Entry{}, false, nil // unreadable: a miss
	}
	if err := checkEntryFile(path, fi); err != nil {
		return Entry{}, false, err
	}
	if fi.Size() > maxFileSize {
		return Entry{}, false, nil // not one of ours
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil || len(b) > maxFileSize {
		return Entry{}, false, nil
	}
	if e, ok = decode(b); ok {
		e.Key = key
	}
	return e, ok, nil
}

// Save writes e under key: to a temporary file in the directory, synced,
// then renamed into place, so that readers see the old entry or the new.
// e.Key is not written.
func (s *Store) Save(key string, e *Entry) error {
	path, err := s.path(key, entryExt)
	if err != nil {
		return err
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("%s is a symbolic link: refused, as a link could "+
			"send credentials elsewhere (remove it)", path)
	}
	b, err := encode(e)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.dir, key+".*"+tempExt) // mode 0600
	if err != nil {
		return err
	}
	// The claim tells the sweep of other processes that the writer of this
	// file lives; it lasts until the file has its name (commit).
	claimTemp(tmp)
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if err == nil {
		err = s.commit(tmp, path)
	}
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	syncDir(s.dir)
	return nil
}

// commit renames tmp, written and synced, to path, and closes it: where
// the claim is a lock (Unix), in that order, so that the claim lasts until
// the file has its name; elsewhere (Windows cannot rename an open file)
// the other way round.
func (s *Store) commit(tmp *os.File, path string) error {
	s.event(hookRename, tmp.Name())
	if !renameOpen {
		if err := tmp.Close(); err != nil {
			return err
		}
		return os.Rename(tmp.Name(), path)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	tmp.Close() // written and synced: nothing of the entry's is left to fail
	return nil
}

// Lock takes the lock of key, waiting until it is free or ctx ends; then
// it returns ctx.Err() itself. Its file is opened without following a
// link and checked once open: a link or a FIFO swapped in for it is
// refused, never locked through.
func (s *Store) Lock(ctx context.Context, key string) (unlock func(), err error) {
	path, err := s.path(key, lockExt)
	if err != nil {
		return nil, err
	}
	s.event(hookOpen, path)
	return lockFile(ctx, path)
}

// lockRetry is how often a waiting Lock tries again: short next to a
// refresh, long next to the system call.
const lockRetry = 20 * time.Millisecond

// Delete removes the entry under key; a missing entry is no error. Its
// lock file stays: removing it while another process holds or waits for
// it would let two hold it.
func (s *Store) Delete(key string) error {
	path, err := s.path(key, entryExt)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// List returns every entry that Load would return, in the order of their
// keys.
func (s *Store) List() ([]Entry, error) {
	des, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, de := range des {
		key, ok := entryKey(de.Name())
		if !ok {
			continue
		}
		if e, ok, err := s.Load(key); err == nil && ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// path returns the file of key with ext, refusing a key that is not one
// of ours (it could name a file outside the directory).
func (s *Store) path(key, ext string) (string, error) {
	if !ValidKey(key) {
		return "", fmt.Errorf("key %q is not a store key: "+
			"keys are 64 lowercase hexadecimal digits (a SHA-256)", truncate(key, 80))
	}
	return filepath.Join(s.dir, key+ext), nil
}

// event calls the test hook, if any.
func (s *Store) event(name, path string) {
	if s.hook != nil {
		s.hook(name, path)
	}
}

// makeDir returns dir made absolute, created 0700 if missing; for dir "",
// the default, creating no more than the user cache directory.
func makeDir(dir string) (string, error) {
	if dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", fmt.Errorf("%s: %w", dir, err)
		}
		if err := os.MkdirAll(abs, 0o700); err != nil {
			return "", fmt.Errorf("creating %s: %w", abs, err)
		}
		return abs, nil
	}
	base, err := os.UserCacheDir()
	if err == nil {
		base, err = filepath.Abs(base)
	}
	if err != nil {
		return "", fmt.Errorf("no user cache directory (%w): pass a directory", err)
	}
	dir = filepath.Join(base, "xacct")
	for _, d := range []string{base, dir} {
		err := os.Mkdir(d, 0o700)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("creating %s: %w (by default the store creates "+
				"the user cache directory, never its parents, such as a home that does not exist)", dir, err)
		case err != nil && !errors.Is(err, fs.ErrExist):
			return "", fmt.Errorf("creating %s: %w", dir, err)
		}
	}
	return dir, nil
}

// checkEntryFile refuses an entry file that is a symbolic link or not a
// regular file, or that group or others may read.
func checkEntryFile(path string, fi fs.FileInfo) error {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link: refused, as a link could "+
			"read credentials from elsewhere (remove it)", path)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file: refused", path)
	}
	return checkPrivateFile(path, fi)
}

// whyNotOpened says why the entry file path could not be opened: nil (a
// miss) when there is none, or when it is merely unreadable; the refusal
// of a link, or of another user's file, as Lstat sees it.
func whyNotOpened(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	fi, lerr := os.Lstat(path)
	if lerr != nil {
		return nil
	}
	return checkEntryFile(path, fi)
}

// syncDir makes a rename durable where the system needs the directory
// synced for it; a failure leaves the entry in place, only less durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
