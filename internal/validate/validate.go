// Package validate checks AssumeRole and GetSessionToken inputs against the
// rules STS applies, so that bad input fails before any network call with an
// error that names the field, what is wrong with the value, and the rule.
//
// Messages never quote secrets; MFA codes are not validated here at all.
// Values they quote are cut to trunc.Max bytes (see trunc.String): a name
// of 20 KB makes an error of one readable line.
package validate

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/xacct/xacct/internal/trunc"
)

// Limits STS documents for AssumeRole and GetSessionToken.
const (
	MinDuration         = 15 * time.Minute
	MaxDuration         = 12 * time.Hour
	MaxChainingDuration = time.Hour
	MaxTags             = 50
	MaxPolicyARNs       = 10
	MaxPolicyChars      = 2048
)

// Lengths STS documents for string parameters, in characters.
const (
	MinSessionNameChars, MaxSessionNameChars       = 2, 64
	MinSourceIdentityChars, MaxSourceIdentityChars = 2, 64
	MinExternalIDChars, MaxExternalIDChars         = 2, 1224
	MinSerialChars, MaxSerialChars                 = 9, 256
	MinTagKeyChars, MaxTagKeyChars                 = 1, 128
	MaxTagValueChars                               = 256
)

// Error is a validation failure of one field.
type Error struct {
	Field string // the Go field name, such as "SessionName"
	Msg   string // what is wrong and the rule
}

// Error returns the field name followed by the message.
func (e *Error) Error() string { return e.Field + " " + e.Msg }

// Unnamed is e without its Go field name, for a message that names the
// field in its reader's words before it (a profile's key, a flag).
func (e *Error) Unnamed() error { return unnamed{e} }

type unnamed struct{ e *Error }

func (u unnamed) Error() string { return u.e.Msg }
func (u unnamed) Unwrap() error { return u.e }

func fail(field, format string, args ...any) error {
	return &Error{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// clip cuts a value that a message quotes to a readable length.
func clip(s string) string { return trunc.String(s) }

// RoleARN checks that s is an IAM role ARN:
// arn:<partition>:iam::<12 digits>:role/<optional path/><name>.
func RoleARN(s string) error {
	const rule = "want an IAM role ARN, arn:<partition>:iam::<12-digit account>:role/<optional path/><name>"
	if s == "" {
		return fail("ARN", "is empty: %s", rule)
	}
	a, err := arn.Parse(s)
	if err != nil {
		return fail("ARN", "%q is not an ARN: %s", clip(s), rule)
	}
	switch {
	case a.Partition == "":
		return fail("ARN", "%q has no partition: %s", clip(s), rule)
	case a.Service != "iam":
		return fail("ARN", "%q names service %q, not iam: %s", clip(s), clip(a.Service), rule)
	case a.Region != "":
		return fail("ARN", "%q has region %q, but IAM ARNs have none: %s", clip(s), clip(a.Region), rule)
	case !IsAccountID(a.AccountID):
		return fail("ARN", "%q has account %q, not 12 digits: %s", clip(s), clip(a.AccountID), rule)
	}
	res, ok := strings.CutPrefix(a.Resource, "role/")
	if !ok {
		kind, _, _ := strings.Cut(a.Resource, "/")
		return fail("ARN", "%q names a %q, not a role: %s", clip(s), clip(kind), rule)
	}
	i := strings.LastIndexByte(res, '/')
	path, name := res[:i+1], res[i+1:]
	if IAMName("role name", name) != nil {
		return fail("ARN", "%q has role name %q: a role name is 1 to 64 characters of letters, digits and +=,.@_-", clip(s), clip(name))
	}
	if len(path) > 511 || !allIn(path, func(r rune) bool { return r > ' ' && r < 127 }) {
		return fail("ARN", "%q has path %q: a path is at most 512 printable ASCII characters between slashes", clip(s), clip("/"+path))
	}
	return nil
}

// IAMName checks the name of an IAM user or role: [\w+=,.@-]{1,64}.
func IAMName(field, s string) error {
	return nameLike(field, s, 1, 64)
}

// SessionName checks a role session name: [\w+=,.@-]{2,64}.
func SessionName(s string) error {
	return nameLike("SessionName", s, MinSessionNameChars, MaxSessionNameChars)
}

// SourceIdentity checks a source identity: [\w+=,.@-]{2,64}, not starting
// with "aws:". Empty means none.
func SourceIdentity(s string) error {
	if s == "" {
		return nil
	}
	if strings.HasPrefix(strings.ToLower(s), "aws:") {
		return fail("SourceIdentity", "%q starts with \"aws:\", which AWS reserves", clip(s))
	}
	return nameLike("SourceIdentity", s, MinSourceIdentityChars, MaxSourceIdentityChars)
}

func nameLike(field, s string, lo, hi int) error {
	n := utf8.RuneCountInString(s)
	if n < lo || n > hi {
		return fail(field, "%q is %d characters long: it must be %d to %d characters of letters, digits and +=,.@_-", clip(s), n, lo, hi)
	}
	if r, ok := firstNotIn(s, IsNameChar); ok {
		return fail(field, "%q contains %q: only letters, digits and +=,.@_- are allowed", clip(s), r)
	}
	return nil
}

// ExternalID checks an External ID: 2 to 1224 characters of [\w+=,.@:/-].
// Empty means none. The value is not quoted in errors: it is not a secret,
// but it is often shared with a vendor and has no place in logs.
func ExternalID(s string) error {
	if s == "" {
		return nil
	}
	n := utf8.RuneCountInString(s)
	if n < MinExternalIDChars || n > MaxExternalIDChars {
		return fail("ExternalID", "is %d characters long: it must be %d to %d characters of letters, digits and +=,.@:/_-",
			n, MinExternalIDChars, MaxExternalIDChars)
	}
	if r, ok := firstNotIn(s, IsExternalIDChar); ok {
		return fail("ExternalID", "contains %q: only letters, digits and +=,.@:/_- are allowed", r)
	}
	return nil
}

// SerialNumber checks an MFA device serial: 9 to 256 characters of
// [\w+=/:,.@-] (an ARN such as arn:aws:iam::123456789012:mfa/user, or a
// hardware serial such as GAHT12345678).
func SerialNumber(field, s string) error {
	n := utf8.RuneCountInString(s)
	if n < MinSerialChars || n > MaxSerialChars {
		return fail(field, "%q is %d characters long: an MFA serial is %d to %d characters "+
			"(an ARN like arn:aws:iam::123456789012:mfa/name, or a hardware serial)", clip(s), n, MinSerialChars, MaxSerialChars)
	}
	if r, ok := firstNotIn(s, IsExternalIDChar); ok {
		return fail(field, "%q contains %q: only letters, digits and +=/:,.@_- are allowed", clip(s), r)
	}
	return nil
}

// Duration checks a session duration against STS's limits for AssumeRole.
// chaining says STS will treat the call as role chaining (the caller's
// credentials are temporary), which caps the session at one hour.
func Duration(d time.Duration, chaining bool) error {
	if d%time.Second != 0 {
		return fail("Duration", "%v is not a whole number of seconds: STS takes DurationSeconds", d)
	}
	if d < MinDuration || d > MaxDuration {
		return fail("Duration", "%v is outside STS's range for AssumeRole: 15m to 12h "+
			"(and at most the role's MaxSessionDuration)", d)
	}
	if chaining && d > MaxChainingDuration {
		return fail("Duration", "%v is above 1h, but this hop is role chaining "+
			"(its base credentials are temporary: an assumed role or an MFA session), "+
			"and STS caps role-chaining sessions at one hour", d)
	}
	return nil
}

// Policy checks an inline session policy: JSON of at most 2048 characters.
func Policy(s string) error {
	if s == "" {
		return nil
	}
	if n := utf8.RuneCountInString(s); n > MaxPolicyChars {
		return fail("Policy", "is %d characters long: STS accepts inline session policies of at most %d", n, MaxPolicyChars)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return fail("Policy", "is not a JSON policy document (%v): it must be a JSON object like {\"Version\":\"2012-10-17\",\"Statement\":[...]}", err)
	}
	return nil
}

// PolicyARNs checks managed session policy ARNs: at most 10 IAM policy ARNs.
func PolicyARNs(arns []string) error {
	if len(arns) > MaxPolicyARNs {
		return fail("PolicyARNs", "has %d entries: STS accepts at most %d managed session policies", len(arns), MaxPolicyARNs)
	}
	for i, s := range arns {
		a, err := arn.Parse(s)
		if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "policy/") {
			return fail(fmt.Sprintf("PolicyARNs[%d]", i), "%q is not an IAM policy ARN: want arn:<partition>:iam::<account or aws>:policy/<name>", clip(s))
		}
	}
	return nil
}

// Tags checks session tags: at most 50; keys 1 to 128 characters, values up
// to 256, of letters, digits, spaces and _.:/=+-@; keys not starting "aws:".
func Tags(tags map[string]string, transitive []string) error {
	if len(tags) > MaxTags {
		return fail("Tags", "has %d tags: STS accepts at most %d session tags", len(tags), MaxTags)
	}
	for k, v := range tags {
		if n := utf8.RuneCountInString(k); n < MinTagKeyChars || n > MaxTagKeyChars {
			return fail("Tags", "key %q is %d characters long: tag keys are %d to %d characters",
				clip(k), n, MinTagKeyChars, MaxTagKeyChars)
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return fail("Tags", "key %q starts with \"aws:\", which AWS reserves", clip(k))
		}
		if r, ok := firstNotIn(k, isTagChar); ok {
			return fail("Tags", "key %q contains %q: tag keys and values use letters, digits, spaces and _.:/=+-@", clip(k), r)
		}
		if n := utf8.RuneCountInString(v); n > MaxTagValueChars {
			return fail("Tags", "value of %q is %d characters long: tag values are at most %d characters",
				clip(k), n, MaxTagValueChars)
		}
		if r, ok := firstNotIn(v, isTagChar); ok {
			return fail("Tags", "value of %q contains %q: tag keys and values use letters, digits, spaces and _.:/=+-@", clip(k), r)
		}
	}
	if len(transitive) > MaxTags {
		return fail("TransitiveTagKeys", "has %d keys: at most %d", len(transitive), MaxTags)
	}
	for _, k := range transitive {
		if _, ok := tags[k]; !ok {
			return fail("TransitiveTagKeys", "names %q, which is not a key of Tags: only tags passed on this call can be made transitive", clip(k))
		}
	}
	return nil
}

// SanitizeSessionName turns s into a valid session name: characters outside
// [\w+=,.@-] become '-', the result is cut to 64 characters and padded to 2.
func SanitizeSessionName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 64 {
			break
		}
		if r < utf8.RuneSelf && IsNameChar(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	out := b.String()
	for len(out) < 2 {
		out += "-"
	}
	return out
}

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool {
	return len(s) == 12 && allIn(s, func(r rune) bool { return r >= '0' && r <= '9' })
}

// IsNameChar reports whether r is in [\w+=,.@-], where \w is ASCII word
// characters, as in STS's patterns: the characters of IAM user and role
// names, role session names and source identities.
func IsNameChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_+=,.@-", r)
}

// IsExternalIDChar reports whether r is in [\w+=,.@:/-]: the characters of
// External IDs and of MFA serial numbers, names' and ':' and '/'.
func IsExternalIDChar(r rune) bool { return IsNameChar(r) || r == ':' || r == '/' }

func isTagChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) || strings.ContainsRune("_.:/=+-@", r)
}

func allIn(s string, ok func(rune) bool) bool {
	_, bad := firstNotIn(s, ok)
	return !bad
}

func firstNotIn(s string, ok func(rune) bool) (rune, bool) {
	for _, r := range s {
		if !ok(r) {
			return r, true
		}
	}
	return 0, false
}
