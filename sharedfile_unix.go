//go:build unix

package xacct

import (
	"os"
	"syscall"
)

// openNonBlocking opens a file from outside (a shared file, a token file)
// for reading without blocking: a FIFO opens at once (and is then
// refused), and a terminal swapped in for the file does not become the
// process's controlling terminal.
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
}
