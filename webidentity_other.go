//go:build !unix

package xacct

import "os"

// openNonBlocking opens path for reading; outside Unix there are no FIFOs
// in the file system to block on.
func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }
