//go:build !unix || aix

package filestore

// Where locks are not flock(2), a locked lock file may not be readable by
// the processes waiting for it (LockFileEx locks its bytes): nothing is
// recorded.

// MarkHolder records nothing here.
func MarkHolder(dir, key, what string) error { return nil }

// ReadHolder finds nothing here.
func ReadHolder(dir, key string) (h Holder, ok bool) { return Holder{}, false }
