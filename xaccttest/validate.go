package xaccttest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/xacct/xacct/internal/totp"
	"github.com/xacct/xacct/internal/trunc"
	"github.com/xacct/xacct/internal/validate"
)

// charClass is one of STS's character classes: package validate's
// predicate, which xacct's own checks use too, and the class as STS's
// regular expression spells it in messages.
type charClass struct {
	ok     func(rune) bool
	regexp string
}

// STS's character classes: \w plus a few, as its regular expressions say.
var (
	sessionNameChars = charClass{validate.IsNameChar, `[\w+=,.@-]*`}
	externalIDChars  = charClass{validate.IsExternalIDChar, `[\w+=,.@:\/-]*`}
	serialChars      = charClass{validate.IsExternalIDChar, `[\w+=\/:,.@-]*`}
)

// durationSeconds reads DurationSeconds (def when absent) and checks it is
// a number from minSessionSeconds to max.
func durationSeconds(form url.Values, def, max int) (int, []string) {
	if !form.Has("DurationSeconds") {
		return def, nil
	}
	raw := form.Get("DurationSeconds")
	d, err := strconv.Atoi(raw)
	switch {
	case err != nil:
		return 0, []string{fmt.Sprintf("Value '%s' at 'durationSeconds' failed to satisfy constraint: "+
			"Member must be a number", clip(raw))}
	case d < minSessionSeconds:
		return d, []string{fmt.Sprintf("Value '%d' at 'durationSeconds' failed to satisfy constraint: "+
			"Member must have value greater than or equal to %d", d, minSessionSeconds)}
	case d > max:
		return d, []string{fmt.Sprintf("Value '%d' at 'durationSeconds' failed to satisfy constraint: "+
			"Member must have value less than or equal to %d", d, max)}
	}
	return d, nil
}

// checkMFAParams checks the shapes of SerialNumber and TokenCode. The code
// is never quoted.
func checkMFAParams(serial, code string) []string {
	var p []string
	if serial != "" {
		p = append(p, pattern("serialNumber", serial, minSerialChars, maxSerialChars, serialChars)...)
	}
	if code != "" && !totp.IsCode(code) {
		p = append(p, "Value at 'tokenCode' failed to satisfy constraint: "+
			"Member must have length 6 and satisfy regular expression pattern: [\\d]*")
	}
	return p
}

// checkRoleAndSession checks the RoleArn and RoleSessionName that every
// AssumeRole action takes.
func checkRoleAndSession(roleARN, sessionName string) []string {
	p := required("roleArn", roleARN)
	if roleARN != "" {
		p = append(p, length("roleArn", roleARN, minRoleARNChars, maxRoleARNChars, true)...)
	}
	p = append(p, required("roleSessionName", sessionName)...)
	if sessionName != "" {
		p = append(p, pattern("roleSessionName", sessionName, minSessionNameChars, maxSessionNameChars,
			sessionNameChars)...)
	}
	return p
}

// required checks that a parameter is present, in STS's message shape.
func required(field, v string) []string {
	if v != "" {
		return nil
	}
	return []string{fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", field)}
}

// length checks a value's length, in STS's message shape. quote is false
// for secrets, which are never quoted.
func length(field, v string, lo, hi int, quote bool) []string {
	shown := "Value"
	if quote {
		shown = fmt.Sprintf("Value '%s'", clip(v))
	}
	switch {
	case len(v) < lo:
		return []string{fmt.Sprintf("%s at '%s' failed to satisfy constraint: "+
			"Member must have length greater than or equal to %d", shown, field, lo)}
	case len(v) > hi:
		return []string{fmt.Sprintf("%s at '%s' failed to satisfy constraint: "+
			"Member must have length less than or equal to %d", shown, field, hi)}
	}
	return nil
}

// pattern checks a value's length and characters, in STS's message shape.
// The value is quoted as STS does (cut to a readable length); none of
// these are secrets.
func pattern(field, v string, lo, hi int, class charClass) []string {
	p := length(field, v, lo, hi, true)
	if strings.IndexFunc(v, func(r rune) bool { return !class.ok(r) }) >= 0 {
		p = append(p, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: "+
			"Member must satisfy regular expression pattern: %s", clip(v), field, class.regexp))
	}
	return p
}

func validationErrors(p []string) *apiError {
	n := "1 validation error"
	if len(p) > 1 {
		n = fmt.Sprintf("%d validation errors", len(p))
	}
	return &apiError{status: http.StatusBadRequest, code: "ValidationError", message: n + " detected: " + strings.Join(p, "; ")}
}

// members reads a query-protocol list: Name.member.N (with .Key/.Value
// fields, or a plain value when fields are empty).
func members(form url.Values, name, f1, f2 string) [][2]string {
	var out [][2]string
	for i := 1; ; i++ {
		base := fmt.Sprintf("%s.member.%d", name, i)
		var a, b string
		var ok bool
		if f1 == "" {
			a, ok = form.Get(base), form.Has(base)
		} else {
			a, ok = form.Get(base+"."+f1), form.Has(base+"."+f1)
			b = form.Get(base + "." + f2)
		}
		if !ok {
			return out
		}
		out = append(out, [2]string{a, b})
	}
}

// clip shortens a value quoted in a message (see trunc.String).
func clip(s string) string { return trunc.String(s) }
