//go:build unix

package filestore

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// checkPrivateDir refuses a store directory that another user owns or that
// group or others may write: they could read or replace the credentials.
func checkPrivateDir(dir string, fi fs.FileInfo) error {
	if err := checkOwner(dir, fi); err != nil {
		return err
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("%s has mode %04o: group or others may write it, and so replace the credentials "+
			"in it; the store needs a directory only its owner may write (chmod 700 %s)", dir, perm, dir)
	}
	return nil
}

// checkPrivateFile refuses an entry file that another user owns or that
// group or others may read or write.
func checkPrivateFile(path string, fi fs.FileInfo) error {
	if err := checkOwner(path, fi); err != nil {
		return err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%s has mode %04o: group or others may read it; "+
			"entries are 0600 (the next refresh replaces it)", path, perm)
	}
	return nil
}

func checkOwner(path string, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if uid := os.Getuid(); int(st.Uid) != uid {
		return fmt.Errorf("%s is owned by user %d, not by this process's user %d: "+
			"the credential store must be the user's own", path, st.Uid, uid)
	}
	return nil
}

// openEntry opens the entry file path for reading: never through a
// symbolic link, and without waiting for a writer if it is a FIFO (the
// caller checks what it opened).
func openEntry(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// checkWritable reports whether this process may create files in dir; a
// file system mounted read-only says so too.
func checkWritable(dir string) error {
	return unix.Access(dir, unix.W_OK|unix.X_OK)
}
