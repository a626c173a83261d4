package awsprofile

import (
	"github.com/xacct/xacct/internal/sharedini"
)

// Error is an error of a profile of the shared files: the profile, the key
// at fault and where it is written, what is wrong and what to do. The
// caller turns it into its own error type; its Error is for tests and
// logs of this package.
type Error struct {
	Profile string // the profile at fault
	Key     string // the key at fault; empty when the profile as a whole is
	File    string // where Key, or else the profile, is written; empty when written nowhere
	Line    int    // the line in File; 0 when unknown
	Err     error  // what is wrong, and the rule
	Hint    string // what to do; may be empty
}

// Error formats the error as "profile P, key (file:line): why (hint: ...)".
func (e *Error) Error() string {
	s := "profile " + e.Profile
	if e.Key != "" {
		s += ", " + e.Key
	}
	if at := e.Place().Where(); at != "" {
		s += " (" + at + ")"
	}
	s += ": " + e.Err.Error()
	if e.Hint != "" {
		s += " (hint: " + e.Hint + ")"
	}
	return s
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Place is where the error's key, or profile, is written.
func (e *Error) Place() sharedini.Place { return sharedini.Place{File: e.File, Line: e.Line} }

// index is the index of where the keys of a chain's files are written:
// Errors name the file and line of the key at fault.
type index struct{ *sharedini.Index }

// err makes an Error about key of profile, located with x.
func (x *index) err(profile, key string, err error, hint string) *Error {
	at := x.Key(profile, key)
	return &Error{Profile: profile, Key: key, File: at.File, Line: at.Line, Err: err, Hint: hint}
}
