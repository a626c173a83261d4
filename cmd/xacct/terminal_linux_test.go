//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// With a terminal, credential-process asks for the code there, never on
// stdout (the JSON) or stderr; a second process waiting for it says so on
// its own terminal. One prompt, one MFA session, two JSON lines.
func TestCredentialProcessPromptsOnTheTerminal(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	type proc struct {
		cmd            *exec.Cmd
		screen         *screen
		stdout, stderr bytes.Buffer
		done           chan struct{}
	}
	start := func() *proc {
		ptmx, tty := openPTY(t)
		pts, err := os.OpenFile(tty, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer pts.Close()
		p := &proc{cmd: w.command("credential-process", "--profile", "chain", "--cache-dir", w.store),
			screen: &screen{ptmx: ptmx}, done: make(chan struct{})}
		// A session of its own, whose controlling terminal is the pty:
		// /dev/tty is the pty, as for a program run from a shell.
		p.cmd.ExtraFiles = []*os.File{pts}
		p.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 3}
		p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { killGroup(p.cmd) })
		go func() { p.cmd.Wait(); close(p.done) }()
		return p
	}
	first := start()
	first.screen.expect(t, "MFA code for "+devMFA+" (for an MFA session): ")

	second := start()
	second.screen.expect(t, "xacct: waiting for another xacct process to refresh "+deployRole)

	fmt.Fprintf(first.screen.ptmx, "%s\n", codeAt(t, devTOTP, time.Now()))
	for i, p := range []*proc{first, second} {
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			t.Fatalf("process %d did not end", i+1)
		}
		if code := p.cmd.ProcessState.ExitCode(); code != 0 || p.stderr.Len() != 0 {
			t.Errorf("process %d: exit %d, stderr %q; want 0 and nothing", i+1, code, p.stderr.String())
		}
		creds := parseProcessOutput(t, p.stdout.String())
		assertNoSecret(t, "the terminal", p.screen.buf, creds.SecretAccessKey, creds.SessionToken)
	}
	if s, a := w.calls("GetSessionToken", ""), w.calls("AssumeRole", ""); s != 1 || a != 2 {
		t.Errorf("%d GetSessionToken, %d AssumeRole; want 1 and 2", s, a)
	}
}

// openPTY opens a pseudo-terminal pair: the controller side, for the test
// to play the person, and the path of the terminal side.
func openPTY(t *testing.T) (*os.File, string) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	raw, err := ptmx.SyscallConn() // not Fd: it would make reads blocking, and deadlines useless
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

// screen is what a terminal showed; expect reads on until a text shows.
type screen struct {
	ptmx *os.File
	buf  string // all it showed so far
	seen int    // how much of buf expect has passed
}

func (s *screen) expect(t *testing.T, want string) {
	t.Helper()
	chunk := make([]byte, 512)
	s.ptmx.SetReadDeadline(time.Now().Add(15 * time.Second))
	for !strings.Contains(s.buf[s.seen:], want) {
		n, err := s.ptmx.Read(chunk)
		s.buf += string(chunk[:n])
		if err != nil {
			t.Fatalf("waiting for %q on the terminal: %v; it showed %q", want, err, s.buf)
		}
	}
	s.seen += strings.Index(s.buf[s.seen:], want) + len(want)
}
