//go:build unix

package sharedini

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A FIFO swapped in for a shared file after the path was checked opens at
// once, and the check of the opened file refuses it: the open is the step
// that would block.
func TestSharedFileOpenDoesNotBlockOnAFIFO(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "config")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		f, err := OpenNonBlocking(fifo)
		if err != nil {
			done <- err
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			done <- err
			return
		}
		if ok, bad := checkFile(fifo, fi); ok || bad == nil {
			t.Errorf("the opened FIFO passed the check")
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("opening the FIFO blocked")
	}
}
