//go:build unix

package sharedini

import (
	"os"
	"syscall"
)

// OpenNonBlocking opens a file from outside (a shared file, a token file)
// for reading without blocking: a FIFO opens at once (and can then be
// refused, see FileKind), and a terminal swapped in for the file does not
// become the process's controlling terminal.
func OpenNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
}
