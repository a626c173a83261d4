package main

// Exit codes of every command that reads profiles or calls AWS:
// credential-process, exec, env, login, cache, explain, accounts and
// for-each-account (which also exits 1 when an account failed). Programs
// read them (a credential_process caller, a script around `xacct exec`),
// so each kind of failure has its own, and the error on stderr is one line
// that says what to do.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/xacct/xacct"
)

const (
	exitFailure       = 1 // anything not below: stdout could not be written, the store could not be listed
	exitAccountFailed = 1 // for-each-account: an account failed, or was not run
	exitConfig        = 2 // bad usage or configuration: a flag, a profile, a recursion; the store directory (login, cache)
	exitCredentials   = 3 // STS (or the chain's base provider) refused or failed, or did not answer in time
	exitMFAImpossible = 4 // an MFA code was needed and none could be had
	exitLockTimeout   = 5 // another xacct process kept refreshing the same credentials past the deadline
	exitCannotRun     = 126
	exitNotFound      = 127
	exitInterrupted   = 130 // SIGINT or SIGTERM before the work was done: 128 + SIGINT, as shells report it
)

// exitError is a failure with its exit code and, for the failures the
// commands find themselves, what to do about them.
type exitError struct {
	code int
	err  error
	hint string // may be empty
}

func (e *exitError) Error() string {
	if e.hint == "" {
		return e.err.Error()
	}
	return e.err.Error() + " (hint: " + e.hint + ")"
}

func (e *exitError) Unwrap() error { return e.err }

// failf makes an exitError from a message.
func failf(code int, hint, format string, a ...any) *exitError {
	return &exitError{code: code, err: fmt.Errorf(format, a...), hint: hint}
}

// exitCodeOf maps an error of getting credentials to its exit code. ctx
// is the context the credentials were asked under; w, when not nil, says
// what the fetch was waiting for when ctx ended.
func exitCodeOf(ctx context.Context, err error, w *watch) int {
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(ctx.Err(), context.Canceled):
		// Interrupted: whatever failed, it failed because the work was
		// stopped, and is not the configuration's or STS's to answer for.
		return exitInterrupted
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, errMFA):
		return exitMFAImpossible
	case errors.Is(err, xacct.ErrStoreLockWait):
		// The fetch's own deadline (Options.RefreshTimeout) ended its
		// wait for another process's lock.
		return exitLockTimeout
	case errors.Is(ctx.Err(), context.DeadlineExceeded) && w != nil && w.prompting():
		return exitMFAImpossible
	case errors.Is(ctx.Err(), context.DeadlineExceeded) && w != nil && w.waitingForLock():
		return exitLockTimeout
	}
	return exitCredentials
}

// stdoutWriter passes writes on to stdout and keeps the first error, so
// that a command that prints many lines checks once, at its end
// (stdoutFailed).
type stdoutWriter struct {
	w   io.Writer
	err error // the first write error
}

func (s *stdoutWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	if err != nil {
		s.err = err
	}
	return n, err
}

// stdoutFailed reports, when writing to out failed, why, and returns
// exitFailure; else 0.
func stdoutFailed(stderr io.Writer, cmd string, out *stdoutWriter) int {
	if out.err == nil {
		return 0
	}
	report(stderr, cmd, fmt.Errorf("writing to stdout: %w", out.err))
	return exitFailure
}

// report writes err on w as the one line a caller shows, prefixed with
// the command's name; a leading "xacct: " of the library's errors is
// dropped so that the line does not say it twice.
func report(w io.Writer, cmd string, err error) {
	err = credentialsCause(err)
	var pe *xacct.ProfileError
	if errors.As(err, &pe) && pe.Key == "region" {
		pe.Hint = "pass --region, or set region in the profile" // the library's names aws.Config
	}
	msg := strings.TrimPrefix(err.Error(), "xacct: ")
	msg = strings.Join(strings.Fields(strings.ReplaceAll(msg, "\n", " ")), " ")
	fmt.Fprintf(w, "%s: %s\n", cmd, msg)
}

// credentialsCause is err, or the failure to get credentials that an AWS
// call of err failed on: the SDK's wrapping ("operation error
// Organizations: ListAccounts, get identity: get credentials: ") says
// nothing a person can act on, xacct's error does.
func credentialsCause(err error) error {
	var op *smithy.OperationError
	if !errors.As(err, &op) {
		return err
	}
	var pe *xacct.ProfileError
	var he *xacct.HopError
	var se *xacct.SessionError
	switch {
	case errors.As(op.Err, &pe):
		return pe
	case errors.As(op.Err, &he):
		return he
	case errors.As(op.Err, &se):
		return se
	}
	return err
}
