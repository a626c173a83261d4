package xacct

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// FileStore is a Store of files in one directory: an entry is a JSON file
// of mode 0600, written to a temporary file, synced and renamed into place;
// each key has a lock file, locked with flock(2) (LockFileEx on Windows),
// which the kernel releases when its process dies, even by SIGKILL.
//
// The files hold the credentials in plain text, as the AWS CLI's own cache
// does: what protects them is that the directory is the user's alone. So
// NewFileStore refuses a directory owned by another user or writable by
// group or others (on Unix), and Load and Lock refuse a file that is a
// symbolic link, not a regular file, or another user's, judged on the file
// they opened (without following a link), so that a file swapped in after
// a check is refused too. No MFA code is ever written. Use a Store of your
// own (a keyring) to keep them elsewhere.
//
// A FileStore is safe for concurrent use by multiple goroutines and
// processes.
type FileStore struct {
	dir   string // absolute, checked by NewFileStore; read-only
	swept int    // temporary files NewFileStore removed; read-only

	// testHook, when not nil, is called at the moments that races
	// between processes turn on (hookOpen, hookRename), so that tests can
	// act there. Set before the store is used; nil outside tests.
	testHook func(event, path string)
}

// The events of FileStore.testHook.
const (
	hookOpen   = "open"   // path (an entry or lock file) is about to be opened
	hookRename = "rename" // Save is about to rename its temporary file, path
)

// File format of an entry. fileFormat and fileVersion mark xacct's files:
// a file without them is foreign, and a miss.
const (
	fileFormat  = "xacct-credentials"
	fileVersion = 1
	maxFileSize = 64 << 10 // far above any entry; a larger file is not one of ours
)

// storeFile is the JSON form of an entry. Times are RFC 3339 in UTC.
type storeFile struct {
	Format          string    `json:"format"`
	Version         int       `json:"version"`
	Kind            string    `json:"kind"`
	Name            string    `json:"name"`
	AccessKeyID     string    `json:"access_key_id"`
	SecretAccessKey string    `json:"secret_access_key"`
	SessionToken    string    `json:"session_token,omitempty"`
	AccountID       string    `json:"account_id,omitempty"`
	Expiration      time.Time `json:"expiration"` // zero: never expires
	Fetched         time.Time `json:"fetched"`
}

// NewFileStore returns a FileStore in dir, creating it with mode 0700 if
// it does not exist. dir "": filepath.Join(os.UserCacheDir(), "xacct"),
// where only the user cache directory and xacct's are created: a process
// whose home does not exist (HOME=/nonexistent) gets an error, not a home.
// A directory this process cannot write is an error too: it would fail
// every Lock and Save. NewFileStore then removes the temporary files that
// writers killed while saving left behind (see Skipped).
func NewFileStore(dir string) (*FileStore, error) {
	dir, err := makeStoreDir(dir)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return nil, fmt.Errorf("xacct: credential store: %w", err)
	case !fi.IsDir():
		return nil, fmt.Errorf("xacct: credential store: %s is not a directory", dir)
	}
	if err := checkPrivateDir(dir, fi); err != nil {
		return nil, fmt.Errorf("xacct: credential store: %w", err)
	}
	if err := checkWritable(dir); err != nil {
		return nil, fmt.Errorf("xacct: credential store: %s: this process may not create files in it (%w): "+
			"the store writes an entry and a lock file per session", dir, err)
	}
	s := &FileStore{dir: dir}
	s.swept, _, _ = s.sweep(time.Now())
	return s, nil
}

// makeStoreDir returns dir made absolute, created 0700 if missing; for
// dir "", the default, creating no more than the user cache directory.
func makeStoreDir(dir string) (string, error) {
	if dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", fmt.Errorf("xacct: credential store %s: %w", dir, err)
		}
		if err := os.MkdirAll(abs, 0o700); err != nil {
			return "", fmt.Errorf("xacct: credential store: creating %s: %w", abs, err)
		}
		return abs, nil
	}
	base, err := os.UserCacheDir()
	if err == nil {
		base, err = filepath.Abs(base)
	}
	if err != nil {
		return "", fmt.Errorf("xacct: credential store: no user cache directory (%w): pass a directory", err)
	}
	dir = filepath.Join(base, "xacct")
	for _, d := range []string{base, dir} {
		err := os.Mkdir(d, 0o700)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("xacct: credential store: creating %s: %w (by default the store creates "+
				"the user cache directory, never its parents, such as a home that does not exist)", dir, err)
		case err != nil && !errors.Is(err, fs.ErrExist):
			return "", fmt.Errorf("xacct: credential store: creating %s: %w", dir, err)
		}
	}
	return dir, nil
}

// Dir returns the store's directory.
func (s *FileStore) Dir() string { return s.dir }

// String names the store, for logs.
func (s *FileStore) String() string { return "xacct.FileStore(" + s.dir + ")" }

// Load returns the entry under key; nil when there is none, or when its
// file is unreadable, truncated or foreign (a miss: the next Save replaces
// it). Expired entries are returned, for tools to show: a Cache never
// serves them. A file that is a symbolic link, not a regular file, or
// that others may read, is an error.
func (s *FileStore) Load(ctx context.Context, key string) (*StoredCredentials, error) {
	path, err := s.path(key, ".json")
	if err != nil {
		return nil, err
	}
	s.hook(hookOpen, path)
	f, err := openEntry(path)
	if err != nil {
		return nil, whyNotOpened(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil // unreadable: a miss
	}
	if err := checkEntryFile(path, fi); err != nil {
		return nil, err
	}
	if fi.Size() > maxFileSize {
		return nil, nil // not one of ours
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil || len(b) > maxFileSize {
		return nil, nil
	}
	sc := parseEntry(b)
	if sc == nil {
		return nil, nil
	}
	sc.Key = key
	return sc, nil
}

// Save writes sc under key: to a temporary file in the directory, synced,
// then renamed into place, so that readers see the old entry or the new.
func (s *FileStore) Save(ctx context.Context, key string, sc *StoredCredentials) error {
	path, err := s.path(key, ".json")
	if err != nil {
		return err
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("xacct: credential store: %s is a symbolic link: refused, as a link could "+
			"send credentials elsewhere (remove it)", path)
	}
	b, err := json.Marshal(storeFile{
		Format: fileFormat, Version: fileVersion, Kind: sc.Kind, Name: sc.Name,
		AccessKeyID: sc.Credentials.AccessKeyID, SecretAccessKey: sc.Credentials.SecretAccessKey,
		SessionToken: sc.Credentials.SessionToken, AccountID: sc.Credentials.AccountID,
		Expiration: expiresAt(sc.Credentials).UTC(), Fetched: sc.Fetched.UTC(),
	})
	if err != nil {
		return fmt.Errorf("xacct: credential store: encoding the entry of %s: %w", sc.Name, err)
	}
	tmp, err := os.CreateTemp(s.dir, key+".*.tmp") // mode 0600
	if err != nil {
		return fmt.Errorf("xacct: credential store: %w", err)
	}
	// The claim tells the sweep of other processes that the writer of this
	// file lives; it lasts until the file has its name (commit).
	claimTemp(tmp)
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if err == nil {
		err = s.commit(tmp, path)
	}
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("xacct: credential store: writing %s: %w", path, err)
	}
	syncDir(s.dir)
	return nil
}

// commit renames tmp, written and synced, to path, and closes it: where
// the claim is a lock (Unix), in that order, so that the claim lasts until
// the file has its name; elsewhere (Windows cannot rename an open file)
// the other way round.
func (s *FileStore) commit(tmp *os.File, path string) error {
	s.hook(hookRename, tmp.Name())
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

// Lock takes the lock of key, waiting until it is free or ctx ends. Its
// file is opened without following a link and checked once open: a link
// or a FIFO swapped in for it is refused, never locked through.
func (s *FileStore) Lock(ctx context.Context, key string) (func(), error) {
	path, err := s.path(key, ".lock")
	if err != nil {
		return nil, err
	}
	s.hook(hookOpen, path)
	return lockFile(ctx, path)
}

// lockRetry is how often a waiting Lock tries again: short next to a
// refresh, long next to the system call.
const lockRetry = 20 * time.Millisecond

// Delete removes the entry under key. Its lock file stays: removing it
// while another process holds or waits for it would let two hold it.
func (s *FileStore) Delete(ctx context.Context, key string) error {
	path, err := s.path(key, ".json")
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("xacct: credential store: %w", err)
	}
	return nil
}

// List returns every entry that Load would return, in the order of their
// keys.
func (s *FileStore) List(ctx context.Context) ([]*StoredCredentials, error) {
	des, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("xacct: credential store: %w", err)
	}
	var out []*StoredCredentials
	for _, de := range des {
		key, ok := strings.CutSuffix(de.Name(), ".json")
		if !ok || !isKey(key) {
			continue
		}
		if sc, err := s.Load(ctx, key); err == nil && sc != nil {
			out = append(out, sc)
		}
	}
	return out, nil
}

// path returns the file of key with ext, refusing a key that is not one
// of ours (it could name a file outside the directory).
func (s *FileStore) path(key, ext string) (string, error) {
	if !isKey(key) {
		return "", fmt.Errorf("xacct: credential store: key %q is not a store key: "+
			"keys are 64 lowercase hexadecimal digits (a SHA-256)", truncate(key, 80))
	}
	return filepath.Join(s.dir, key+ext), nil
}

func isKey(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// checkEntryFile refuses a cache file that is a symbolic link or not a
// regular file, or that group or others may read.
func checkEntryFile(path string, fi fs.FileInfo) error {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("xacct: credential store: %s is a symbolic link: refused, as a link could "+
			"read credentials from elsewhere (remove it)", path)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("xacct: credential store: %s is not a regular file: refused", path)
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

// hook calls the test hook, if any.
func (s *FileStore) hook(event, path string) {
	if s.testHook != nil {
		s.testHook(event, path)
	}
}

// parseEntry decodes an entry file; nil when it is not a complete one of
// ours.
func parseEntry(b []byte) *StoredCredentials {
	var f storeFile
	if json.Unmarshal(b, &f) != nil || f.Format != fileFormat || f.Version != fileVersion ||
		f.AccessKeyID == "" || f.SecretAccessKey == "" || f.Fetched.IsZero() {
		return nil
	}
	return &StoredCredentials{
		Kind: f.Kind, Name: f.Name, Fetched: f.Fetched,
		Credentials: aws.Credentials{
			AccessKeyID: f.AccessKeyID, SecretAccessKey: f.SecretAccessKey, SessionToken: f.SessionToken,
			AccountID: f.AccountID, Source: "xacct.FileStore",
			CanExpire: !f.Expiration.IsZero(), Expires: f.Expiration,
		},
	}
}

// syncDir makes a rename durable where the system needs the directory
// synced for it; a failure leaves the entry in place, only less durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
