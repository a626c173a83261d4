//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// detachFromTerminal starts cmd in a session of its own, without a
// controlling terminal: the demo's tools get their code from
// --token-command, as a program without a terminal does, instead of asking
// the person who runs the demo.
func detachFromTerminal(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
