//go:build unix && !aix

package filestore

import (
	"io"
	"os"
	"syscall"
)

// writeHolder records h in the lock file f, whose lock this process has
// just taken. It is best effort: a record that cannot be written only
// leaves a waiter saying less.
func writeHolder(f *os.File, h Holder) {
	if f.Truncate(0) == nil {
		f.WriteAt(h.record(), 0)
	}
}

// MarkHolder records, in the lock file of key in dir, what this process
// is doing while it holds that lock (HolderMFATerminal, HolderMFACommand;
// "" when it is back to refreshing). A second open file of the lock file
// leaves its flock(2) lock as it is.
func MarkHolder(dir, key, what string) error {
	path, err := lockPath(dir, key)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := checkLockFile(path, f); err != nil {
		return err
	}
	writeHolder(f, Holder{PID: os.Getpid(), What: what})
	return nil
}

// ReadHolder returns what the lock file of key in dir says of its holder;
// ok is false when it says nothing (or cannot be read).
func ReadHolder(dir, key string) (h Holder, ok bool) {
	path, err := lockPath(dir, key)
	if err != nil {
		return Holder{}, false
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return Holder{}, false
	}
	defer f.Close()
	if checkLockFile(path, f) != nil {
		return Holder{}, false
	}
	b, _ := io.ReadAll(io.LimitReader(f, maxHolderRecord))
	return parseHolder(b)
}
