//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// ownGroup makes cmd start in a process group of its own, and its Cancel
// (for-each-account's Ctrl-C) send SIGTERM to the whole group: what it
// started (the commands under `sh -c`, which hold the same credentials)
// is told to stop with it, not only cmd itself.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
}

// killGroupLeft kills what is left of the group of cmd, which has ended:
// the processes that outlived SIGTERM and cmd's WaitDelay, which kills cmd
// alone. While one of them lives, the group's ID cannot be reused.
func killGroupLeft(cmd *exec.Cmd) {
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
