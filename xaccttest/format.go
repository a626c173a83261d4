package xaccttest

import (
	"fmt"
	"io"
)

// Values that hold secrets format themselves, with every verb, without
// them: fmt would otherwise print a User's SecretAccessKey with %v, or a
// Server's whole table of keys and session tokens with %+v. Other types
// hold no secrets, or hold them only in fields of these types, which fmt
// formats with these methods too.

// redacted stands for a secret that is set.
const redacted = "REDACTED"

// hide returns redacted for a set secret and "" for an empty one, so that a
// reader can tell a missing secret from a present one.
func hide(secret string) string {
	if secret == "" {
		return ""
	}
	return redacted
}

// Format prints the user without its secret access key and TOTP secret,
// whatever the verb.
func (u User) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprintf(f, "xaccttest.User{AccessKeyID:%q, SecretAccessKey:%q, MFATOTPSecret:%q, Policies:%d}",
			u.AccessKeyID, hide(u.SecretAccessKey), hide(u.MFATOTPSecret), len(u.Policies))
		return
	}
	formatString(f, verb, fmt.Sprintf("{AccessKeyID:%s SecretAccessKey:%s MFATOTPSecret:%s Policies:%d}",
		u.AccessKeyID, hide(u.SecretAccessKey), hide(u.MFATOTPSecret), len(u.Policies)))
}

// Format prints the server as its URL, never the keys and sessions it
// holds, whatever the verb: a value as well as a pointer (fmt prints the
// fields of a value, and %s, %q or %d even those behind a pointer).
func (s Server) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprintf(f, "&xaccttest.Server{URL:%q}", s.URL)
		return
	}
	formatString(f, verb, "xaccttest.Server{URL:"+s.URL+"}")
}

// formatString writes s for verb: quoted for %q, as it is for any other.
func formatString(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s)
		return
	}
	io.WriteString(f, s)
}
