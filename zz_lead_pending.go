package xacct

import "errors"

// ErrStoreLockWait stands in for the lead's library change, which declares
// it in store.go and wraps it (%w) in the error of a fetch whose wait for
// another process's lock ended. Temporary: delete this file at the merge.
var ErrStoreLockWait = errors.New("the lock of these credentials is held by another process")
