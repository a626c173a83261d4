package orgaccounts

// The errors of the listing calls, with a hint for the usual mistakes.

import (
	"errors"

	"github.com/aws/smithy-go"
)

// listError makes the error of a listing call op (of parent, an OU or root
// ID, when given), with a hint chosen by the answer's error code.
func listError(op, parent string, err error) error {
	subject := "Accounts: " + op
	if parent != "" {
		subject += " of " + parent
	}
	hint := ""
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "AccessDeniedException":
			hint = "Organizations answers only the management account and delegated administrators: use their " +
				"credentials, allowed organizations:" + op
		case "AWSOrganizationsNotInUseException":
			hint = "the account of these credentials is in no organization: give FanOut the accounts yourself"
		case "ParentNotFoundException", "TargetNotFoundException", "InvalidInputException":
			if parent != "" {
				hint = "check the OU ID " + parent + " (aws organizations list-roots; list-organizational-units-for-parent)"
			}
		case "TooManyRequestsException":
			hint = "Organizations throttled the listing beyond the SDK's retries: try again, or raise cfg.RetryMaxAttempts"
		}
	}
	return &accountsError{subject: subject, err: err, hint: hint}
}

// accountsError is the error of a listing call, in xacct's format:
// "xacct: <subject>: <why> (hint: <what to check>)". The Organizations
// error stays inside: errors.As with a smithy.APIError gives its code.
type accountsError struct {
	subject string
	err     error
	hint    string
}

func (e *accountsError) Error() string {
	if e.hint == "" {
		return "xacct: " + e.subject + ": " + e.err.Error()
	}
	return "xacct: " + e.subject + ": " + e.err.Error() + " (hint: " + e.hint + ")"
}

func (e *accountsError) Unwrap() error { return e.err }
