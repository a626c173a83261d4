//go:build !unix || aix

package filestore

// Locks elsewhere (Windows: LockFileEx; AIX: fcntl), through gofrs/flock.

import (
	"context"
	"fmt"
	"os"

	"github.com/gofrs/flock"
)

// renameOpen: Windows cannot rename a file that is open, so Save closes
// its temporary file first.
const renameOpen = false

// lockFile takes the lock of the lock file path, creating it with mode
// 0600, and waits until it is free or ctx ends.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("lock file %s is not a regular file: refused", path)
	}
	l := flock.New(path, flock.SetPermissions(0o600))
	ok, err := l.TryLockContext(ctx, lockRetry)
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil:
		return nil, fmt.Errorf("locking %s: %w", path, err)
	case !ok:
		return nil, ctx.Err()
	}
	return func() { l.Unlock() }, nil
}

// claimTemp does nothing: Windows itself keeps a file that its writer has
// open from being removed, and the sweep goes by age.
func claimTemp(f *os.File) {}

// removeAbandoned removes the temporary file path, which Windows refuses
// while its writer has it open.
func removeAbandoned(path string) bool { return os.Remove(path) == nil }
