//go:build unix

package main

import (
	"os"
	"syscall"
	"unsafe"
)

// forwardedSignals are the signals xacct exec passes on to its command.
var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// fromTerminal reports whether s may have come from the terminal, which
// sends SIGINT (Ctrl-C) and SIGQUIT (Ctrl-\) to its whole foreground
// process group: the command, in xacct's group, has it already, and a
// second one would mean more (terraform exits at once on a second
// interrupt, with its state lock held). That is when xacct's process group
// is the terminal's foreground group. A SIGINT sent to xacct alone while
// it is in the foreground (kill -INT) is therefore not passed on; SIGTERM
// and SIGHUP always are.
func fromTerminal(s os.Signal) bool {
	if s != syscall.SIGINT && s != syscall.SIGQUIT {
		return false
	}
	tty, err := os.Open(ttyPath)
	if err != nil {
		return false // no terminal: the signal came from a program
	}
	defer tty.Close()
	raw, err := tty.SyscallConn()
	if err != nil {
		return false
	}
	var pgrp int32
	var errno syscall.Errno
	raw.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCGPGRP, uintptr(unsafe.Pointer(&pgrp)))
	})
	return errno == 0 && int(pgrp) == syscall.Getpgrp()
}

// exitStatus is a finished command's status as a shell reports it: its
// exit code, or 128 + the number of the signal that killed it.
func exitStatus(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}
