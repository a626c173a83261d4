//go:build unix

package proctree

// The terminal's foreground, lent to one tree at a time. The kernel lets
// only the foreground process group read the terminal: a process of
// another group that reads it is stopped (SIGTTIN), and a prompt would
// hang for ever. A tree that may prompt is lent the foreground, when this
// process is itself in the foreground (else neither could read it), and
// this process takes it back when the tree ends, as a shell does with its
// jobs. Unlike a shell's job, a tree stopped with ^Z stops alone: the shell
// waits on this process, which waits on the tree until its deadline ends
// it (SIGTERM comes with SIGCONT).

import (
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

var term struct {
	mu   sync.Mutex // guards tty and back
	tty  *os.File   // the controlling terminal while it is lent; nil when not
	back int        // the group to give it back to: this process's
}

// seat is where a tree that may prompt sits at the terminal.
type seat int

const (
	// elsewhere: there is no terminal, or another tree holds it. The tree
	// gets a group of its own, in the background.
	elsewhere seat = iota
	// front: the tree is lent the foreground.
	front
	// behind: this process is in the background (a shell's job started
	// with &). The tree shares its group: when it reads the terminal, the
	// whole job stops, and the shell's fg continues it. A group of its own
	// would stop alone, and fg would not continue it.
	behind
)

// lendTerminal finds the tree's seat; for front it opens the controlling
// terminal and returns its descriptor, which the child takes the
// foreground with.
func lendTerminal() (fd int, s seat) {
	term.mu.Lock()
	defer term.mu.Unlock()
	if term.tty != nil {
		return 0, elsewhere
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return 0, elsewhere // no controlling terminal
	}
	fg, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	switch {
	case err != nil:
		tty.Close()
		return 0, elsewhere
	case fg != unix.Getpgrp():
		tty.Close()
		return 0, behind
	}
	term.tty, term.back = tty, fg
	return int(tty.Fd()), front
}

// releaseTerminal gives the foreground back to this process's group, if a
// tree has it. This process is in the background until then, where
// changing the foreground raises SIGTTOU, which would stop it: the signal
// is ignored for that one call. (A program that asked for SIGTTOU with
// signal.Notify loses that request here.) A terminal that has gone away
// (hung up) has nothing to give back.
func releaseTerminal() {
	term.mu.Lock()
	defer term.mu.Unlock()
	if term.tty == nil {
		return
	}
	if !signal.Ignored(syscall.SIGTTOU) {
		signal.Ignore(syscall.SIGTTOU)
		defer signal.Reset(syscall.SIGTTOU)
	}
	unix.IoctlSetPointerInt(int(term.tty.Fd()), unix.TIOCSPGRP, term.back)
	term.tty.Close()
	term.tty = nil
}
