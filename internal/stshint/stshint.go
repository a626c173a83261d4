// Package stshint reads STS's refusals: what a person should check after
// one (the hint of xacct's HopError and SessionError), and whether trying
// again without a change of configuration might succeed. It decides by the
// error's code (smithy.APIError), never by the SDK's wording.
package stshint

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/smithy-go"
)

// Facts is what a hint may name: never a secret, nor the External ID
// itself (it is often shared with a vendor, and has no place in logs).
type Facts struct {
	RoleARN     string        // the role of an AssumeRole; empty for GetSessionToken
	HasExternal bool          // an External ID was passed
	MFASerial   string        // the MFA device of the call; may be empty
	Duration    time.Duration // the session length asked for
	Caller      string        // who signs the call, as hints name it
}

// For says what to check after STS refused a call with err; "" when it has
// nothing to say (not an STS error, or one no configuration explains).
func For(err error, f Facts) string {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return ""
	}
	code, msg := apiErr.ErrorCode(), apiErr.ErrorMessage()
	switch {
	case code == "AccessDenied" && f.RoleARN == "":
		return fmt.Sprintf("check that %s is the MFA device of the user whose keys are in cfg.Credentials "+
			"(an ARN like arn:aws:iam::<account>:mfa/<name>), that the device's clock is right, "+
			"and that the code was not used before", f.MFASerial)
	case code == "AccessDenied" && f.MFASerial != "":
		return fmt.Sprintf("STS refused the MFA code or the trust policy: check the device serial %s "+
			"(an ARN like arn:aws:iam::<account>:mfa/<name>, of the calling user), the device's clock, "+
			"and that the code was not used before; then that the trust policy of %s allows %s",
			f.MFASerial, f.RoleARN, f.Caller)
	case code == "AccessDenied":
		ext := "none was passed"
		if f.HasExternal {
			ext = "it must match exactly"
		}
		return fmt.Sprintf("the trust policy of %s must allow %s; "+
			"a condition on sts:ExternalId needs Role.ExternalID (%s); "+
			"one on aws:MultiFactorAuthPresent needs MFA (Role.MFASerial, or an MFA session as the base); "+
			"and the caller's own IAM policy must allow sts:AssumeRole on %s", f.RoleARN, f.Caller, ext, f.RoleARN)
	case code == "ValidationError" && strings.Contains(msg, "chaining"):
		return fmt.Sprintf("this hop runs on temporary credentials (%s), so STS treats it as role chaining "+
			"and caps the session at 1h: set Role.Duration to 1h or less", f.Caller)
	case code == "ValidationError" && strings.Contains(msg, "DurationSeconds"):
		return fmt.Sprintf("Role.Duration (%v) exceeds the MaxSessionDuration of %s: lower it, "+
			"or raise the role's maximum session duration in IAM", f.Duration, f.RoleARN)
	case code == "RegionDisabledException":
		return "STS is not activated for the target account in the region of this config: " +
			"activate the region in the account's IAM settings, or set cfg.Region to an activated one"
	case code == "ExpiredToken":
		return fmt.Sprintf("the credentials that call STS (%s) have expired", f.Caller)
	case code == "InvalidClientTokenId":
		return fmt.Sprintf("STS does not know the access key of %s: a deleted key, a typo, "+
			"or a key of another partition", f.Caller)
	}
	return ""
}

// Retryable reports whether trying again, without a change of
// configuration, might succeed. An error that cannot is held back for at
// least xacct's Options.ErrorTTL.
func Retryable(err error) bool {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "AccessDenied", "AccessDeniedException", "MalformedPolicyDocument",
			"PackedPolicyTooLarge", "RegionDisabledException", "ValidationError",
			"InvalidParameterValue", "InvalidClientTokenId", "SignatureDoesNotMatch",
			"UnrecognizedClientException", "InvalidIdentityToken", "IDPRejectedClaim":
			return false
		}
	}
	return true
}
