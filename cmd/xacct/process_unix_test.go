//go:build unix

package main

// The parts of running the tests' processes that only Unix has: sessions,
// process groups, other users.

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// detached returns the command name with args in env, in a session of its
// own: with no controlling terminal, as under an IDE, the AWS CLI or a CI
// job, so that nothing prompts on the test's terminal (getpass reads
// stdin instead).
func detached(env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	return cmd
}

// asNobody makes cmd run as user nobody (65534), who owns dir, and lets
// it read what it needs of the world: the binary and the config file.
func asNobody(t *testing.T, cmd *exec.Cmd, w *toolsWorld, dir string) {
	t.Helper()
	const nobody = 65534
	if err := os.Chown(dir, nobody, nobody); err != nil {
		t.Skipf("cannot give a directory to user nobody: %v", err)
	}
	for _, p := range []string{filepath.Dir(w.bin), filepath.Dir(w.dir), w.dir} {
		os.Chmod(p, 0o755)
	}
	os.Chmod(w.config, 0o644)
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: nobody, Gid: nobody}
	cmd.Env = append(cmd.Env, "HOME="+dir)
}

// killGroup kills a command started in a session of its own, with what it
// started (a token command left running by a killed xacct). The caller
// reaps the command.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
