//go:build unix

package xacct

import (
	"os"
	"syscall"
)

// openNonBlocking opens path for reading without blocking on a FIFO with
// no writer; the caller checks what it opened.
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
