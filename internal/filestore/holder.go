package filestore

// What the holder of a lock records in its lock file, so that a process
// waiting for the lock can say what it waits for: the holder's process
// ID, and whether it is asking for an MFA code. It is no secret, and the
// lock file is the user's alone (0600 in a 0700 directory). Where locks
// are not flock(2) (Windows), nothing is recorded, and ReadHolder finds
// nothing.

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// Holder is what a lock file says of the process that holds its lock (or
// held it last: the record stays when the lock is released, and is read
// only while the lock is held).
type Holder struct {
	PID  int
	What string // HolderMFATerminal, HolderMFACommand, or "" while it refreshes
}

// What a holder is doing, besides refreshing: asking a person at its
// terminal for an MFA code, or running its token command for one.
const (
	HolderMFATerminal = "mfa-terminal"
	HolderMFACommand  = "mfa-command"
)

// maxHolderRecord bounds what ReadHolder reads: a record is one short line.
const maxHolderRecord = 128

func (h Holder) record() []byte {
	if h.What == "" {
		return fmt.Appendf(nil, "pid=%d\n", h.PID)
	}
	return fmt.Appendf(nil, "pid=%d what=%s\n", h.PID, h.What)
}

// parseHolder reads a record; ok is false for anything else (an empty
// lock file: its holder has not written yet, or cannot).
func parseHolder(b []byte) (h Holder, ok bool) {
	for _, f := range strings.Fields(string(b)) {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "pid":
			h.PID, _ = strconv.Atoi(v)
		case "what":
			h.What = v
		}
	}
	return h, h.PID > 0
}

// lockPath is the lock file of key in dir, or an error for a key that is
// not one of ours.
func lockPath(dir, key string) (string, error) {
	if !ValidKey(key) {
		return "", fmt.Errorf("key %q is not a store key", truncate(key, 80))
	}
	return filepath.Join(dir, key+lockExt), nil
}
