//go:build !unix

package xacct

import "os"

// openNonBlocking opens a shared file for reading. Without FIFOs in the
// file system there is no open that blocks to guard against.
func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }
