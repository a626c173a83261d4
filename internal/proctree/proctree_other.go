//go:build !unix

package proctree

import (
	"os"
	"os/exec"
	"time"
)

// group: without process groups (Windows), a tree is its root alone; a
// job object would hold the rest. exec's pipes, bounded by WaitDelay, are
// kept.
type group struct{}

func (group) prepare(*exec.Cmd, Options) {}

// signal kills the root: Windows has no SIGTERM to send.
func (group) signal(p *os.Process, _ bool) error { return p.Kill() }

// left: the root, reaped, was the whole tree.
func (group) left(*os.Process) {}

func (group) release() {}

func releaseTerminal() {}

// outputs: Run leaves the pipes to exec.
type outputs struct{}

func ownPipes(*exec.Cmd) (*outputs, error) { return &outputs{}, nil }
func (*outputs) start()                    {}
func (*outputs) wait(time.Duration)        {}
func (*outputs) abort()                    {}

// waitExit: a Watched tree ends at End.
func waitExit(int) bool { return false }

// EndWithParent: only Linux has a parent-death signal.
func EndWithParent(ppid int) error { return nil }
