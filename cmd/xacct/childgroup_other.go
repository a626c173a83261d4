//go:build !unix

package main

import (
	"os/exec"
	"syscall"
)

// ownGroup: without process groups, Cancel signals cmd alone (on Windows,
// Ctrl-C reaches every process of the console, cmd's children included).
func ownGroup(cmd *exec.Cmd) {
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
}

// killGroupLeft: there is no group to kill.
func killGroupLeft(*exec.Cmd) {}
