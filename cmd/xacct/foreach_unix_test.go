//go:build unix

package main

import (
	"encoding/json"
	"maps"
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
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Errorf("exit %d, want %d (interrupted)", code, exitInterrupted)
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

// An interrupt (SIGINT to the built binary) while the first of four
// accounts runs, one at a time: the running command is stopped (failed,
// 128 + SIGTERM), each of the three accounts not started gets exactly one
// not-run line, on stdout and in --status-file alike, and xacct exits 130.
func TestForEachAccountInterruptReportsNotRun(t *testing.T) {
	t.Parallel()
	accounts := []string{"222222222222", "333333333333", "444444444444", "555555555555"}
	srv := fleetServer(t, accounts)
	dir := t.TempDir()
	started, statusFile := filepath.Join(dir, "started"), filepath.Join(dir, "status.jsonl")
	cmd := exec.Command(xacctBinary(t), "for-each-account", "--role-name", orgRole, "--accounts", strings.Join(accounts, ","),
		"--concurrency", "1", "--rate", "100", "--status-file", statusFile,
		"--", "sh", "-c", `echo "$XACCT_ACCOUNT_ID" >> "$1"; exec sleep 300`, "sh", started)
	cmd.Env = callerEnv(t, srv.URL, "")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	waitFor(t, func() bool { b, _ := os.ReadFile(started); return len(b) > 0 })

	cmd.Process.Signal(os.Interrupt)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("for-each-account did not end after SIGINT")
	}
	if b, _ := os.ReadFile(started); string(b) != accounts[0]+"\n" {
		t.Errorf("commands started in %q; want only %s", b, accounts[0])
	}
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Errorf("exit %d, want %d\nstderr:\n%s", code, exitInterrupted, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4:\n%s", len(lines), stdout.String())
	}
	statuses := map[string]string{}
	for _, l := range lines {
		var fl forEachLine
		if err := json.Unmarshal([]byte(l), &fl); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if _, dup := statuses[fl.AccountID]; dup {
			t.Errorf("two lines for %s", fl.AccountID)
		}
		statuses[fl.AccountID] = fl.Status
		if fl.Status == "not-run" && (fl.ExitCode != nil || !strings.Contains(fl.Error, "not run")) {
			t.Errorf("not-run line %+v", fl)
		}
		if fl.AccountID == accounts[0] && (fl.Status != "failed" || fl.ExitCode == nil || *fl.ExitCode != 128+int(syscall.SIGTERM)) {
			t.Errorf("the running account's line %+v; want failed, exit_code %d", fl, 128+int(syscall.SIGTERM))
		}
	}
	want := map[string]string{accounts[0]: "failed", accounts[1]: "not-run", accounts[2]: "not-run", accounts[3]: "not-run"}
	if !maps.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
	if b, err := os.ReadFile(statusFile); err != nil || string(b) != stdout.String() {
		t.Errorf("--status-file holds %q (%v); want stdout's lines %q", b, err, stdout.String())
	}
	if fi, err := os.Stat(statusFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("--status-file: %v, %v; want mode 0600", fi, err)
	}
	if want := "1 failed, 3 not run (interrupted)"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
	}
	if n := srv.CallCount("AssumeRole"); n != 1 {
		t.Errorf("%d AssumeRole calls, want 1: no account starts after the interrupt", n)
	}
}
