//go:build unix

package xacct

import (
	"os"
	"syscall"
)

// openSharedFile opens a shared file for reading without blocking: a FIFO
// opens at once (and is then refused), and a terminal swapped in for the
// file does not become the process's controlling terminal.
func openSharedFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
}
