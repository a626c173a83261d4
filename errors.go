package xacct

import (
	"errors"
	"fmt"

	"github.com/xacct/xacct/internal/errfmt"
	"github.com/xacct/xacct/internal/stshint"
)

// The errors of the core (hops, MFA sessions, the cache) are here; a
// feature's errors stay with it (ProfileError in profile_error.go, the
// fan-out's in its files) and join the core's through the attributed
// interface. They share one format,
// "xacct: <what failed>: <why> (hint: <what to check>)", keep the error
// they wrap reachable with errors.As and errors.Is, and are as careful in
// %#v as in Error(): no secret, no panic value.

// HopError is the error of one hop: its validation at construction, its MFA
// prompt, or its AssumeRole call. The STS error stays inside: errors.As(err,
// &apiErr) with a smithy.APIError gives its code.
type HopError struct {
	Hop     int    // position in the chain, from 1
	RoleARN string // the role being assumed
	Err     error  // what went wrong
	Hint    string // for common misconfigurations, what to check; may be empty
}

// Error formats the error with the hop and, when there is one, the hint.
func (e *HopError) Error() string {
	return formatError(fmt.Sprintf("hop %d (%s)", e.Hop, e.RoleARN), e.Err, e.Hint)
}

// Unwrap returns the underlying error.
func (e *HopError) Unwrap() error { return e.Err }

// GoString shows the fields with Err as its message, for %#v.
func (e *HopError) GoString() string {
	return fmt.Sprintf("&xacct.HopError{Hop:%d, RoleARN:%q, Err:%q, Hint:%q}", e.Hop, e.RoleARN, errorText(e.Err), e.Hint)
}

// SessionError is the error of an MFA session: its validation, its prompt,
// or its GetSessionToken call. The STS error stays inside.
type SessionError struct {
	SerialNumber string // the MFA device
	Err          error
	Hint         string // for common mistakes, what to check; may be empty
}

// Error formats the error with the device and, when there is one, the hint.
func (e *SessionError) Error() string {
	return formatError("MFA session of "+e.SerialNumber, e.Err, e.Hint)
}

// Unwrap returns the underlying error.
func (e *SessionError) Unwrap() error { return e.Err }

// GoString shows the fields with Err as its message, for %#v.
func (e *SessionError) GoString() string {
	return fmt.Sprintf("&xacct.SessionError{SerialNumber:%q, Err:%q, Hint:%q}", e.SerialNumber, errorText(e.Err), e.Hint)
}

// formatError is the one format of xacct's errors (internal/errfmt).
var formatError, errorText = errfmt.Format, errfmt.Text

// hintFacts is what a hint may name (internal/stshint).
type hintFacts = stshint.Facts

// hint says what to check after STS refused a call of a hop or an MFA
// session: the one mechanism behind the hints of HopError and SessionError.
func hint(err error, f hintFacts) string { return stshint.For(err, f) }

// attributed is implemented by errors that name the step at fault (a hop,
// an MFA session, a feature's own step such as a profile's base) and carry
// the hint that fits it, so that the steps built on it pass them on as
// they are.
type attributed interface {
	error
	attributed()
}

func (*HopError) attributed()     {}
func (*SessionError) attributed() {}

// upstreamError returns the attributed error of an earlier step inside
// err, or nil. A hop whose base failed returns that error as it is: it
// names the hop (or the profile) at fault and carries the hint that fits
// it.
func upstreamError(err error) error {
	var a attributed
	if errors.As(err, &a) {
		return a
	}
	return nil
}

// panicError is what the callers of a fetch get when the wrapped provider
// panicked. It keeps the panic value's type only: the value could hold
// anything, secrets included.
type panicError struct {
	provider  string
	valueType string
}

func (e *panicError) Error() string {
	return fmt.Sprintf("xacct: credentials provider %s panicked (value of type %s)", e.provider, e.valueType)
}
