//go:build unix

package proctree

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// group is a tree's process group: the root's, made at its start, whose
// ID is the root's PID; or, for a tree that may prompt while this process
// is in the background, this process's own (see behind), where only the
// root can be signalled.
type group struct {
	lent   bool // the terminal's foreground is this tree's while it runs
	shared bool // the tree is in this process's group
}

// prepare makes cmd start in a group of its own, in the terminal's
// foreground when opts ask for it and this process has it to lend.
func (g *group) prepare(cmd *exec.Cmd, opts Options) {
	attr := &syscall.SysProcAttr{Setpgid: true}
	// A process killed with SIGKILL can give its tree no time to stop:
	// the root is killed with it.
	setParentDeathSignal(attr, syscall.SIGKILL)
	if opts.Terminal {
		switch fd, s := lendTerminal(); s {
		case front:
			// The child joins the foreground before it runs anything (the
			// kernel would stop a read that came first); the parent's
			// descriptor, as Foreground wants.
			attr.Foreground, attr.Ctty, g.lent = true, fd, true
		case behind:
			attr.Setpgid, g.shared = false, true
		}
	}
	cmd.SysProcAttr = attr
}

// signal sends the group of the root p SIGKILL (kill) or SIGTERM; p alone
// when the group is this process's. SIGTERM comes with SIGCONT: a stopped
// process (^Z, or SIGTTIN) acts on it only once continued. A group with no
// process left is os.ErrProcessDone, as exec's Cancel wants.
func (g *group) signal(p *os.Process, kill bool) error {
	pid := -p.Pid
	if g.shared {
		pid = p.Pid
	}
	err := syscall.Kill(pid, stopSignal(kill))
	if !kill && err == nil {
		syscall.Kill(pid, syscall.SIGCONT)
	}
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

// left kills what is left of the group once the root has been reaped: its
// ID is not reused while one of its processes lives. A shared group has
// nothing of the tree's to kill, and the root's PID may be another
// process's by now.
func (g *group) left(p *os.Process) {
	if !g.shared {
		syscall.Kill(-p.Pid, syscall.SIGKILL)
	}
}

// release gives the terminal back, if the tree had it.
func (g *group) release() {
	if g.lent {
		g.lent = false
		releaseTerminal()
	}
}

func stopSignal(kill bool) syscall.Signal {
	if kill {
		return syscall.SIGKILL
	}
	return syscall.SIGTERM
}
