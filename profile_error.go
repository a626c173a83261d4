package xacct

import (
	"errors"
	"fmt"

	"github.com/xacct/xacct/internal/awsprofile"
	"github.com/xacct/xacct/internal/sharedini"
)

// ProfileError is an error of a profile of the shared config files. Most are
// found before any network call, when the configuration is at fault: an
// unknown profile, a source_profile cycle, a duration that STS would refuse.
// The others come when the profile's base credentials cannot be had, from
// the SDK's provider that xacct runs for it (a credential_process that
// fails, an SSO token that has expired); the provider's error stays inside.
//
// It shares the format of HopError and SessionError:
//
//	xacct: profile prod, duration_seconds (/home/me/.aws/config:12): <why> (hint: <what to do>)
type ProfileError struct {
	Profile string // the profile at fault
	Key     string // the key at fault, such as "duration_seconds"; empty when the profile as a whole is
	File    string // the file where Key, or else the profile, is written; empty when written nowhere
	Line    int    // the line in File; 0 when unknown
	Err     error  // what is wrong, and the rule
	Hint    string // what to do; may be empty
}

// Error formats the error with the profile, the key and where it is written.
func (e *ProfileError) Error() string {
	return formatError(e.subject(), e.Err, e.Hint)
}

func (e *ProfileError) subject() string {
	s := "profile " + e.Profile
	if e.Key != "" {
		s += ", " + e.Key
	}
	if at := (sharedini.Place{File: e.File, Line: e.Line}).Where(); at != "" {
		s += " (" + at + ")"
	}
	return s
}

// Unwrap returns the underlying error.
func (e *ProfileError) Unwrap() error { return e.Err }

// GoString shows the fields with Err as its message, for %#v.
func (e *ProfileError) GoString() string {
	return fmt.Sprintf("&xacct.ProfileError{Profile:%q, Key:%q, File:%q, Line:%d, Err:%q, Hint:%q}",
		e.Profile, e.Key, e.File, e.Line, errorText(e.Err), e.Hint)
}

// attributed makes a ProfileError pass through the hops built on the
// profile's base as it is: it names the profile and key at fault.
func (*ProfileError) attributed() {}

// profileError makes the profile errors of internal/awsprofile
// ProfileErrors; other errors (and nil) it returns as they are.
func profileError(err error) error {
	var e *awsprofile.Error
	if !errors.As(err, &e) {
		return err
	}
	return &ProfileError{Profile: e.Profile, Key: e.Key, File: e.File, Line: e.Line, Err: e.Err, Hint: e.Hint}
}
