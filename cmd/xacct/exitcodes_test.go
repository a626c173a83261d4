package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xacct/xacct"
)

func TestExitCodeOf(t *testing.T) {
	t.Parallel()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	var locking, prompting watch
	locking.locks.Add(1)
	prompting.prompts.Add(1)
	bg := context.Background()
	noCode := &xacct.SessionError{Err: fmt.Errorf("MFA code: %w", &mfaError{err: errors.New("no tty")})}
	lockWait := fmt.Errorf("xacct: waiting for another process to refresh arn: %w: %w", xacct.ErrStoreLockWait, context.DeadlineExceeded)
	sts := &xacct.HopError{Hop: 2, RoleARN: "arn:aws:iam::333333333333:role/Deploy", Err: errors.New("AccessDenied")}
	for _, tt := range []struct {
		name string
		ctx  context.Context
		err  error
		w    *watch
		want int
	}{
		{"success", bg, nil, nil, 0},
		{"a failure with its code", bg, failf(exitConfig, "", "bad flag"), nil, exitConfig},
		{"an exitError wrapped", bg, fmt.Errorf("x: %w", failf(exitLockTimeout, "", "held")), nil, exitLockTimeout},
		{"STS refused", bg, sts, nil, exitCredentials},
		{"no code", bg, noCode, nil, exitMFAImpossible},
		{"the library's lock wait", bg, lockWait, nil, exitLockTimeout},
		{"interrupted", canceled, context.Canceled, nil, exitInterrupted},
		{"interrupted, whatever failed", canceled, failf(exitConfig, "", "bad flag"), nil, exitInterrupted},
		{"deadline while waiting for a lock", expired, context.DeadlineExceeded, &locking, exitLockTimeout},
		{"deadline while prompting", expired, context.DeadlineExceeded, &prompting, exitMFAImpossible},
		{"deadline while calling STS", expired, context.DeadlineExceeded, &watch{}, exitCredentials},
	} {
		if got := exitCodeOf(tt.ctx, tt.err, tt.w); got != tt.want {
			t.Errorf("%s: exitCodeOf = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// An error is one line, the command's name first, "xacct: " not twice.
func TestReport(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	report(&b, "xacct exec", errors.New("xacct: hop 1 (arn): line one\nline  two"))
	if want := "xacct exec: hop 1 (arn): line one line two\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// brokenStdout is a stdout whose reader has gone.
type brokenStdout struct{}

func (brokenStdout) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

// A command that cannot write its output to stdout says so, and exits 1.
func TestStdoutFailed(t *testing.T) {
	explainFiles(t) // sets the environment: not parallel
	store := t.TempDir()
	for _, args := range [][]string{
		{"explain", "--profile", "deploy"},
		{"explain", "--profile", "deploy", "--json"},
		{"cache", "list", "--cache-dir", store},
	} {
		var errOut bytes.Buffer
		code := run(context.Background(), args, brokenStdout{}, &errOut)
		name := "xacct " + args[0]
		if args[0] == "cache" {
			name += " list"
		}
		if want := name + ": writing to stdout: broken pipe\n"; code != exitFailure || errOut.String() != want {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", args, code, errOut.String(), exitFailure, want)
		}
	}
}

// Ctrl-C while a command waits for a code says "interrupted", in one
// line, and exits 130: no "context canceled".
func TestInterruptedMessage(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	os.WriteFile(w.slowFlag, nil, 0o600)
	cmd := w.command("env", "chain", "--cache-dir", w.store, "--token-command", w.token)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { killGroup(cmd) })
	waitFor(t, func() bool { return w.tokenRuns() == 1 })
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || stderr.String() != "xacct env: interrupted\n" {
		t.Errorf("exit %d, stderr %q; want 130 and one line saying interrupted", code, stderr.String())
	}
}
