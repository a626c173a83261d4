//go:build linux

package testutil

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// OpenPTY opens a pseudo-terminal pair: the controller side, for the test
// to play the person, and the path of the terminal side, for the program
// that prompts (or for a process whose controlling terminal it is). It
// skips the test where there are no pseudo-terminals; the controller side
// is closed at the test's end.
func OpenPTY(t testing.TB) (ptmx *os.File, tty string) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	// Through SyscallConn, not Fd: Fd would make reads blocking, and the
	// read deadlines of Screen would not work.
	raw, err := ptmx.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var unlock int32
	var n uint32
	var errno syscall.Errno
	raw.Control(func(fd uintptr) {
		if _, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); errno != 0 {
			return
		}
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n)))
	})
	if errno != 0 {
		t.Fatalf("setting up the pseudo-terminal: %v", errno)
	}
	return ptmx, fmt.Sprintf("/dev/pts/%d", n)
}

// ExpectTimeout bounds the wait of Screen.Expect.
const ExpectTimeout = 15 * time.Second

// Screen is what a terminal showed, read from the controller side of its
// pseudo-terminal. It is for one goroutine.
type Screen struct {
	PTMX *os.File // the controller side: what the test writes to it is typed

	buf  string // all the terminal showed so far
	seen int    // how much of buf Expect has passed
}

// Expect reads the terminal's output until want shows after what Expect
// passed before (at most ExpectTimeout), and returns the output up to and
// including it.
func (s *Screen) Expect(t testing.TB, want string) string {
	t.Helper()
	chunk := make([]byte, 512)
	s.PTMX.SetReadDeadline(time.Now().Add(ExpectTimeout))
	for !strings.Contains(s.buf[s.seen:], want) {
		n, err := s.PTMX.Read(chunk)
		s.buf += string(chunk[:n])
		if err != nil {
			t.Fatalf("waiting for %q on the terminal: %v; it showed %q", want, err, s.buf)
		}
	}
	end := s.seen + strings.Index(s.buf[s.seen:], want) + len(want)
	shown := s.buf[s.seen:end]
	s.seen = end
	return shown
}

// Text returns all the terminal showed so far.
func (s *Screen) Text() string { return s.buf }
