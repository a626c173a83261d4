//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A command whose AWS_CONFIG_FILE is a FIFO exits at once with the error
// that names it (it blocked past --timeout and SIGTERM), with the exit
// code of a configuration error.
func TestSharedFileFIFOFailsTheCommandAtOnce(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	fifo := filepath.Join(home, "config")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	env := cleanEnv(home, "AWS_CONFIG_FILE="+fifo, "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"))
	for _, args := range [][]string{
		{"credential-process", "--profile", "p", "--no-cache"},
		{"explain", "--profile", "p"},
	} {
		cmd := detached(env, xacctBinary(t), args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // its own session and group (detached)
			<-done
			t.Errorf("%v did not exit in 10 s", args)
			continue
		}
		msg := stderr.String()
		if code := cmd.ProcessState.ExitCode(); code != exitConfig ||
			!strings.Contains(msg, fifo+"): the file is a named pipe (FIFO)") {
			t.Errorf("%v: exit %d, stderr %q; want %d and the FIFO named", args, code, msg, exitConfig)
		}
	}
}
