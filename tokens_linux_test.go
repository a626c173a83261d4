//go:build linux

package xacct

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY opens a pseudo-terminal pair: the controller side, for the test
// to play the person, and the path of the terminal side, for the prompt.
func openPTY(t *testing.T) (*os.File, string) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	// Through SyscallConn, not Fd: Fd would make reads blocking, and the
	// test's read deadlines would not work.
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

// screen is what the terminal showed; expect consumes it in order.
type screen struct {
	ptmx *os.File
	buf  string
}

// expect reads the terminal's output until want appears, and returns what
// came up to and including it.
func (s *screen) expect(t *testing.T, want string) string {
	t.Helper()
	chunk := make([]byte, 256)
	s.ptmx.SetReadDeadline(time.Now().Add(5 * time.Second))
	for !strings.Contains(s.buf, want) {
		n, err := s.ptmx.Read(chunk)
		s.buf += string(chunk[:n])
		if err != nil {
			t.Fatalf("waiting for %q on the terminal: %v; saw %q", want, err, s.buf)
		}
	}
	i := strings.Index(s.buf, want) + len(want)
	out := s.buf[:i]
	s.buf = s.buf[i:]
	return out
}

func TestTerminalTokenPrompts(t *testing.T) {
	t.Parallel()
	ptmx, tty := openPTY(t)
	type result struct {
		code string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		code, err := terminalToken(tty)(context.Background(), TokenRequest{
			SerialNumber: "arn:aws:iam::111111111111:mfa/alice", RoleARN: roleB, Hop: 2, NeedNewCode: true,
		})
		done <- result{code, err}
	}()
	term := &screen{ptmx: ptmx}
	shown := term.expect(t, "MFA code for arn:aws:iam::111111111111:mfa/alice (to assume "+roleB+", hop 2): ")
	if !strings.Contains(shown, "That code was just used") {
		t.Errorf("the prompt does not say a new code is needed: %q", shown)
	}
	io.WriteString(ptmx, "12345\n") // a typo
	term.expect(t, "An MFA code is six digits; try again.")
	term.expect(t, "MFA code for")
	io.WriteString(ptmx, " 123456 \n")
	select {
	case r := <-done:
		if r.err != nil || r.code != "123456" {
			t.Fatalf("TerminalToken = %q, %v", r.code, r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("TerminalToken did not return")
	}
}

func TestTerminalTokenCanceled(t *testing.T) {
	t.Parallel()
	ptmx, tty := openPTY(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := terminalToken(tty)(ctx, TokenRequest{SerialNumber: "arn:aws:iam::111111111111:mfa/alice"})
		done <- err
	}()
	(&screen{ptmx: ptmx}).expect(t, "(for an MFA session): ")
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a canceled prompt kept waiting for input")
	}
}
