//go:build !unix

package main

import (
	"os/exec"
	"testing"
)

// detached is exec.Command in env: other systems have no sessions to
// detach into; the tests that need one run on Unix.
func detached(env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	return cmd
}

// asNobody skips: other systems have no user nobody to run as.
func asNobody(t *testing.T, cmd *exec.Cmd, w *toolsWorld, dir string) {
	t.Helper()
	t.Skip("runs as user nobody on Unix only")
}

// killGroup kills the command alone.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		cmd.Process.Kill()
	}
}
