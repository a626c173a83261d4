// Package errfmt holds the one format of xacct's errors:
// "xacct: <subject>: <error> (hint: <hint>)".
package errfmt

// Format formats an error of subject (a hop, an MFA session, a profile's
// key) with the hint that fits it; no hint when hint is "".
func Format(subject string, err error, hint string) string {
	s := "xacct: " + subject + ": " + Text(err)
	if hint != "" {
		s += " (hint: " + hint + ")"
	}
	return s
}

// Text is err's message, "<nil>" for none, as fmt prints it.
func Text(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
