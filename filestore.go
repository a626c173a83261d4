package xacct

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct/internal/filestore"
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
//
// FileStore adapts internal/filestore, which owns the files (their names,
// format, checks, locks and sweep), to the Store contract: it converts
// entries to and from StoredCredentials and says in its errors whose they
// are ("xacct: credential store: ...").
type FileStore struct {
	files *filestore.Store // read-only
}

// NewFileStore returns a FileStore in dir, creating it with mode 0700 if
// it does not exist. dir "": filepath.Join(os.UserCacheDir(), "xacct"),
// where only the user cache directory and xacct's are created: a process
// whose home does not exist (HOME=/nonexistent) gets an error, not a home.
// A directory this process cannot write is an error too: it would fail
// every Lock and Save. NewFileStore then removes the temporary files that
// writers killed while saving left behind (see Skipped).
func NewFileStore(dir string) (*FileStore, error) {
	files, err := filestore.Open(dir)
	if err != nil {
		return nil, storeError(err)
	}
	return &FileStore{files: files}, nil
}

// Dir returns the store's directory.
func (s *FileStore) Dir() string { return s.files.Dir() }

// String names the store, for logs.
func (s *FileStore) String() string { return "xacct.FileStore(" + s.Dir() + ")" }

// Load returns the entry under key; nil when there is none, or when its
// file is unreadable, truncated or foreign (a miss: the next Save replaces
// it). Expired entries are returned, for tools to show: a Cache never
// serves them. A file that is a symbolic link, not a regular file, or
// that others may read, is an error.
func (s *FileStore) Load(ctx context.Context, key string) (*StoredCredentials, error) {
	e, ok, err := s.files.Load(key)
	if !ok || err != nil {
		return nil, storeError(err)
	}
	return fromEntry(&e), nil
}

// Save writes sc under key: to a temporary file in the directory, synced,
// then renamed into place, so that readers see the old entry or the new.
func (s *FileStore) Save(ctx context.Context, key string, sc *StoredCredentials) error {
	c := sc.Credentials
	return storeError(s.files.Save(key, &filestore.Entry{
		Kind: sc.Kind, Name: sc.Name,
		AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
		AccountID: c.AccountID, Expires: expiresAt(c), Fetched: sc.Fetched,
	}))
}

// Lock takes the lock of key, waiting until it is free or ctx ends; then
// it returns ctx.Err() as is, as the Store contract says. Its file is
// opened without following a link and checked once open: a link or a
// FIFO swapped in for it is refused, never locked through.
func (s *FileStore) Lock(ctx context.Context, key string) (func(), error) {
	unlock, err := s.files.Lock(ctx, key)
	if err != nil && err == ctx.Err() {
		return nil, err
	}
	return unlock, storeError(err)
}

// Delete removes the entry under key. Its lock file stays: removing it
// while another process holds or waits for it would let two hold it.
func (s *FileStore) Delete(ctx context.Context, key string) error {
	return storeError(s.files.Delete(key))
}

// List returns every entry that Load would return, in the order of their
// keys.
func (s *FileStore) List(ctx context.Context) ([]*StoredCredentials, error) {
	es, err := s.files.List()
	if err != nil {
		return nil, storeError(err)
	}
	var out []*StoredCredentials
	for i := range es {
		out = append(out, fromEntry(&es[i]))
	}
	return out, nil
}

// fromEntry returns the StoredCredentials of an entry of the files.
func fromEntry(e *filestore.Entry) *StoredCredentials {
	return &StoredCredentials{
		Key: e.Key, Kind: e.Kind, Name: e.Name, Fetched: e.Fetched,
		Credentials: aws.Credentials{
			AccessKeyID: e.AccessKeyID, SecretAccessKey: e.SecretAccessKey, SessionToken: e.SessionToken,
			AccountID: e.AccountID, Source: "xacct.FileStore",
			CanExpire: !e.Expires.IsZero(), Expires: e.Expires,
		},
	}
}

// storeError says that err, from the files, is the credential store's;
// nil stays nil.
func storeError(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("xacct: credential store: %w", err)
}
