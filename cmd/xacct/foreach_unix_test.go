//go:build unix

package main

import (
	"encoding/json"
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

// A command killed by a signal has the exit code a shell (and xacct exec)
// reports: 128 + the signal.
func TestForEachAccountKilledCommand(t *testing.T) {
	t.Parallel()
	const account = "222222222222"
	srv := fleetServer(t, []string{account})
	cmd := exec.Command(xacctBinary(t), "for-each-account", "--role-name", orgRole, "--accounts", account, "--rate", "100",
		"--", "sh", "-c", "kill -TERM $$")
	cmd.Env = callerEnv(t, srv.URL, "")
	r := runCmd(t, cmd, "")
	var l forEachLine
	if err := json.Unmarshal([]byte(r.stdout), &l); err != nil || r.code != exitAccountFailed {
		t.Fatalf("exit %d, stdout %q: %v\n%s", r.code, r.stdout, err, r.stderr)
	}
	if l.Status != "failed" || l.ExitCode == nil || *l.ExitCode != 128+int(syscall.SIGTERM) {
		t.Errorf("line %+v, exit_code %v; want failed and %d", l, l.ExitCode, 128+int(syscall.SIGTERM))
	}
}
