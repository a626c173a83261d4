//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// On Ctrl-C, what a command started (here, under sh -c) stops with it:
// it holds the same credentials.
func TestForEachAccountStopsWhatTheCommandStarted(t *testing.T) {
	t.Parallel()
	const account = "222222222222"
	srv := fleetServer(t, []string{account})
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	// The shell starts a child that ignores nothing, records its PID, and
	// waits for it.
	script := `sleep 300 & echo $! > "$1.tmp" && mv "$1.tmp" "$1"; wait`
	cmd := exec.Command(xacctBinary(t), "for-each-account", "--role-name", orgRole, "--accounts", account, "--rate", "100",
		"--", "sh", "-c", script, "sh", pidFile)
	cmd.Env = callerEnv(t, srv.URL, "")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	var pid int
	waitFor(t, func() bool {
		b, err := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil && pid > 0
	})
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })

	cmd.Process.Signal(os.Interrupt)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("for-each-account did not end after SIGINT")
	}
	// Reparented and reaped by init once dead: kill(pid, 0) then fails.
	waitFor(t, func() bool { return syscall.Kill(pid, 0) == syscall.ESRCH })
	if code := cmd.ProcessState.ExitCode(); code != exitAccountFailed {
		t.Errorf("exit %d, want %d", code, exitAccountFailed)
	}
}
