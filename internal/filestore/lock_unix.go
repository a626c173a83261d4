//go:build unix && !aix

package filestore

// Locks on Unix: flock(2) on a file this package opened itself, once,
// without following a link and without waiting on a FIFO, and checked as
// opened, so that a file swapped in after any check is refused too.
// (gofrs/flock opens the file anew at each try, following links.)

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// renameOpen: Save renames its temporary file before closing it, so that
// its claim, a lock, lasts until the file has its name.
const renameOpen = true

// lockFile takes the lock of the lock file path, creating it with mode
// 0600, and waits until it is free or ctx ends.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
	if err != nil {
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, fmt.Errorf("lock file %s is a symbolic link: refused, as "+
				"locking through it would create or lock its target (remove it)", path)
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	if err := checkLockFile(path, f); err != nil {
		f.Close()
		return nil, err
	}
	for {
		ok, err := tryFlock(f)
		switch {
		case err != nil:
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		case ok:
			writeHolder(f, Holder{PID: os.Getpid()})
			return func() { f.Close() }, nil // closing the file releases its lock
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(lockRetry):
		}
	}
}

// checkLockFile refuses a lock file, as opened, that is not a regular file
// (a FIFO, a device), that another user owns, or that others may open:
// another user holding the lock would stop every refresh.
func checkLockFile(path string, f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("lock file %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("lock file %s is not a regular file: refused (remove it)", path)
	}
	if err := checkOwner(path, fi); err != nil {
		return fmt.Errorf("lock file %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("lock file %s has mode %04o: lock files are 0600 "+
			"(remove it: the next Lock makes it anew)", path, perm)
	}
	return nil
}

// tryFlock takes the exclusive flock(2) lock of f if it is free; false
// when another open file holds it.
func tryFlock(f *os.File) (bool, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return false, err
	}
	var ferr error
	err = rc.Control(func(fd uintptr) {
		for {
			if ferr = unix.Flock(int(fd), unix.LOCK_EX|unix.LOCK_NB); ferr != unix.EINTR {
				return
			}
		}
	})
	switch {
	case err != nil:
		return false, err
	case errors.Is(ferr, unix.EWOULDBLOCK):
		return false, nil
	}
	return ferr == nil, ferr
}

// claimTemp marks the new temporary file f as its writer's while the
// writer lives: the kernel drops the lock when the writer dies, however it
// dies. Where locks do not work (some network file systems), the sweep
// still goes by age.
func claimTemp(f *os.File) { tryFlock(f) }

// removeAbandoned removes the temporary file path if no writer claims it
// (claimTemp); false when one does, or when that cannot be told.
func removeAbandoned(path string) bool {
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	ok, err := tryFlock(f)
	switch {
	case errors.Is(err, unix.ENOLCK) || errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOSYS):
		// No locks on this file system: its writer could not claim it
		// either, so its age (the sweep's other rule) alone decides.
	case !ok || err != nil:
		return false
	}
	return os.Remove(path) == nil
}
