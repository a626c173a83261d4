package xaccttest

import (
	"fmt"
	"net/http"
	"time"
)

// apiError is an error answer: the service's code, HTTP status and message;
// reason is the fake's own explanation, for the call record only.
type apiError struct {
	status        int
	code, message string
	reason        string
	// silent errors have no answer to write: the connection was dropped by
	// a fault, or the client went away.
	silent bool
	// fields are further members of a JSON-protocol error, such as Reason.
	fields map[string]string
}

// sender reports whether the error is the caller's fault (4xx), as STS's
// error Type says.
func (e *apiError) sender() bool { return e.status < http.StatusInternalServerError }

// why is the reason to record: the fake's explanation, else the message.
func (e *apiError) why() string {
	if e.reason != "" {
		return e.reason
	}
	return e.message
}

// withReason returns a copy of e with a reason for the call record.
func withReason(e *apiError, format string, args ...any) *apiError {
	c := *e
	c.reason = fmt.Sprintf(format, args...)
	return &c
}

// Errors of STS's, with its codes, statuses and messages.
var (
	errMissingAuth = &apiError{status: http.StatusForbidden, code: "MissingAuthenticationToken",
		message: "Request is missing Authentication Token"}
	errBadToken = &apiError{status: http.StatusForbidden, code: "InvalidClientTokenId",
		message: "The security token included in the request is invalid."}
	errBadSig = &apiError{status: http.StatusForbidden, code: "SignatureDoesNotMatch",
		message: "The request signature we calculated does not match the signature you provided. " +
			"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}
	errExpired = &apiError{status: http.StatusBadRequest, code: "ExpiredToken",
		message: "The security token included in the request is expired"}
	errIncompleteSig = &apiError{status: http.StatusBadRequest, code: "IncompleteSignature",
		message: "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters, " +
			"in the AWS4-HMAC-SHA256 scheme."}
	errMFAParams = &apiError{status: http.StatusForbidden, code: "AccessDenied",
		message: "MultiFactorAuthentication failed, unable to validate MFA code. " +
			"Please verify your MFA serial number is valid and associated with this user."}
	errMFACode = &apiError{status: http.StatusForbidden, code: "AccessDenied",
		message: "MultiFactorAuthentication failed with invalid MFA one time pass code. "}
	errMalformedPolicy = &apiError{status: http.StatusBadRequest, code: "MalformedPolicyDocument",
		message: "The policy is not in the valid JSON format or has a syntax error."}
	errChainedDuration = &apiError{status: http.StatusBadRequest, code: "ValidationError",
		message: "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."}
	errRoleDuration = &apiError{status: http.StatusBadRequest, code: "ValidationError",
		message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."}
	errSessionTokenWithSession = &apiError{status: http.StatusForbidden, code: "AccessDenied",
		message: "Cannot call GetSessionToken with session credentials"}
	// errTooLarge refuses a body over maxBodyBytes, in either protocol.
	errTooLarge = &apiError{status: http.StatusRequestEntityTooLarge, code: "RequestEntityTooLarge",
		message: "Request body must be no more than 1 MiB"}
	// errThrottled is STS's answer to an account over its rate (SetThrottle,
	// or an injected Throttling fault).
	errThrottled = &apiError{status: http.StatusBadRequest, code: "Throttling", message: "Rate exceeded"}
)

// Errors of AssumeRoleWithWebIdentity.
var (
	errWebAccessDenied = &apiError{status: http.StatusForbidden, code: "AccessDenied",
		message: "Not authorized to perform sts:AssumeRoleWithWebIdentity"}
	errAudience = &apiError{status: http.StatusBadRequest, code: "InvalidIdentityToken",
		message: "Incorrect token audience"}
	errInvalidJWT = &apiError{status: http.StatusBadRequest, code: "InvalidIdentityToken",
		message: "The web identity token that was passed could not be validated by AWS. " +
			"Get a new identity token from the identity provider and then retry the request."}
)

// errNoProvider says the role's account has no OIDC provider for the
// token's issuer.
func errNoProvider(account, issuer string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "InvalidIdentityToken",
		message: "No OpenIDConnect provider found in your account for " + clip(issuer),
		reason:  fmt.Sprintf("account %s has no OIDC provider for issuer %q", account, clip(issuer))}
}

// errTokenExpired says the token expired, at exp, before now.
func errTokenExpired(now, exp time.Time) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "ExpiredTokenException",
		message: fmt.Sprintf("Token expired: current date/time %d must be before the expiration date/time %d",
			now.Unix(), exp.Unix())}
}

// Answers without a response: the connection is gone.
var (
	errDropped = &apiError{code: "ConnectionDropped", message: "connection dropped by an injected fault",
		reason: "injected fault: connection dropped", silent: true}
	errClientGone = &apiError{code: "RequestError", message: "the client went away while sending the request",
		silent: true}
)
