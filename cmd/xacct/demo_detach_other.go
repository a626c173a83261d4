//go:build !unix

package main

import (
	"os/exec"
	"syscall"
)

// detachedProcess is Windows' DETACHED_PROCESS: the child has no console
// to ask on.
const detachedProcess = 0x00000008

// detachFromTerminal starts cmd without the console: the demo's tools get
// their code from --token-command instead of asking the person.
func detachFromTerminal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: detachedProcess}
}
