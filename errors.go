package xacct

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"
)

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
	var b strings.Builder
	fmt.Fprintf(&b, "xacct: hop %d (%s): %v", e.Hop, e.RoleARN, e.Err)
	if e.Hint != "" {
		b.WriteString(" (hint: " + e.Hint + ")")
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *HopError) Unwrap() error { return e.Err }

// runtimeError wraps an AssumeRole failure with the hop and a hint. When
// the failure is an earlier hop's (or the MFA session's), whose credentials
// were needed to sign the call, that error is returned as it is: it names
// the hop at fault and carries the hint that fits it.
func (p *roleProvider) runtimeError(err error) error {
	if earlier := upstreamError(err); earlier != nil {
		return earlier
	}
	he := &HopError{Hop: p.hop, RoleARN: p.role.ARN, Err: fmt.Errorf("AssumeRole: %w", err)}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return he
	}
	msg := apiErr.ErrorMessage()
	switch code := apiErr.ErrorCode(); {
	case code == "AccessDenied" && p.role.MFASerial != "":
		he.Hint = fmt.Sprintf("STS refused the MFA code or the trust policy: check the device serial %s (an ARN like arn:aws:iam::<account>:mfa/<name>, of the calling user), the device's clock, and that the code was not used before; "+
			"then that the trust policy of %s allows %s", p.role.MFASerial, p.role.ARN, p.caller)
	case code == "AccessDenied":
		ext := "none was passed"
		if p.role.ExternalID != "" {
			ext = "it must match exactly"
		}
		he.Hint = fmt.Sprintf("the trust policy of %s must allow %s; a condition on sts:ExternalId needs Role.ExternalID (%s); one on aws:MultiFactorAuthPresent needs MFA (Role.MFASerial, or an MFA session as the base); "+
			"and the caller's own IAM policy must allow sts:AssumeRole on %s", p.role.ARN, p.caller, ext, p.role.ARN)
	case code == "ValidationError" && strings.Contains(msg, "chaining"):
		he.Hint = fmt.Sprintf("this hop runs on temporary credentials (%s), so STS treats it as role chaining and caps the session at 1h: set Role.Duration to 1h or less", p.caller)
	case code == "ValidationError" && strings.Contains(msg, "DurationSeconds"):
		he.Hint = fmt.Sprintf("Role.Duration (%v) exceeds the MaxSessionDuration of %s: lower it, or raise the role's maximum session duration in IAM", p.role.Duration, p.role.ARN)
	case code == "RegionDisabledException":
		he.Hint = "STS is not activated for the target account in the region of this config: activate the region in the account's IAM settings, or set cfg.Region to an activated one"
	case code == "ExpiredToken":
		he.Hint = fmt.Sprintf("the credentials that call STS (%s) have expired", p.caller)
	case code == "InvalidClientTokenId":
		he.Hint = fmt.Sprintf("STS does not know the access key of %s: a deleted key, a typo, or a key of another partition", p.caller)
	}
	return he
}

// upstreamError returns the error of an earlier hop or MFA session inside
// err, or nil.
func upstreamError(err error) error {
	var he *HopError
	if errors.As(err, &he) {
		return he
	}
	var se *SessionError
	if errors.As(err, &se) {
		return se
	}
	return nil
}
