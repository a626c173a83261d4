//go:build !unix

package sharedini

import "os"

// OpenNonBlocking opens a file from outside (a shared file, a token file)
// for reading. Without FIFOs in the file system there is no open that
// blocks to guard against.
func OpenNonBlocking(path string) (*os.File, error) { return os.Open(path) }
