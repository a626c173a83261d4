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

	"github.com/xacct/xacct/internal/testutil"
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

// A command that exits 0 leaving a process in the background, which holds
// its output, is a success at once, and the process is killed: it holds
// the account's credentials. Before, the wait for the output ran out at
// childStopGrace and made it an error, and the process lived on.
func TestForEachAccountEndsWhatTheCommandLeft(t *testing.T) {
	t.Parallel()
	const account = "222222222222"
	srv := fleetServer(t, []string{account})
	pidFile := filepath.Join(t.TempDir(), "pid")
	cmd := exec.Command(xacctBinary(t), "for-each-account", "--role-name", orgRole, "--accounts", account, "--rate", "100",
		"--", "sh", "-c", `sleep 300 & echo $! > "$1"; echo ok`, "sh", pidFile)
	cmd.Env = callerEnv(t, srv.URL, "")
	r := runCmd(t, cmd, "")
	b, err := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		t.Fatalf("no PID from the command (%v); stderr:\n%s", err, r.stderr)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	var l forEachLine
	if err := json.Unmarshal([]byte(r.stdout), &l); err != nil || r.code != 0 {
		t.Fatalf("exit %d, stdout %q: %v\n%s", r.code, r.stdout, err, r.stderr)
	}
	if l.Status != "ok" || l.ExitCode == nil || *l.ExitCode != 0 || l.Error != "" {
		t.Errorf("line %+v; want ok, exit_code 0", l)
	}
	if r.took > childStopGrace/2 {
		t.Errorf("took %v: it waited for the background process", r.took)
	}
	waitFor(t, func() bool { return testutil.ProcessGone(pid) })
}
