package xaccttest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	apiVersion   = "2011-06-15"
	maxBodyBytes = 1 << 20
)

// stsError is an error answer: STS's code, HTTP status and message; reason
// is the fake's own explanation, for the call record only.
type stsError struct {
	status        int
	code, message string
	reason        string
}

func (e *stsError) sender() bool { return e.status < 500 }

var (
	errMissingAuth = &stsError{status: 403, code: "MissingAuthenticationToken", message: "Request is missing Authentication Token"}
	errBadToken    = &stsError{status: 403, code: "InvalidClientTokenId", message: "The security token included in the request is invalid."}
	errBadSig      = &stsError{status: 403, code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}
	errExpired     = &stsError{status: 400, code: "ExpiredToken", message: "The security token included in the request is expired"}
)

func withReason(e *stsError, format string, args ...any) *stsError {
	c := *e
	c.reason = fmt.Sprintf(format, args...)
	return &c
}

// ServeHTTP answers one STS query-protocol request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	reqID := fmt.Sprintf("00000000-0000-4000-8000-%012d", s.requests)
	s.mu.Unlock()

	call := Call{Time: s.Clock.Now(), RequestID: reqID}
	defer func() { s.record(call) }()

	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		call.ErrorCode = "RequestError"
		return // the client went away
	}
	form, serr := decodeRequest(r, body)
	if serr == nil {
		call.Action = form.Get("Action")
		serr = s.applyFaults(w, r, &call)
		if serr == errDropped {
			return
		}
	}
	if serr == nil {
		var id *identity
		if id, serr = s.authenticate(r, body, &call); serr == nil {
			call.Caller = id.arn
			var resp any
			switch call.Action {
			case "AssumeRole":
				resp, serr = s.assumeRole(id, form, &call)
			case "GetSessionToken":
				resp, serr = s.getSessionToken(id, form, &call)
			case "GetCallerIdentity":
				resp = s.getCallerIdentity(id)
			}
			if serr == nil {
				call.Allowed = true
				writeXML(w, http.StatusOK, withRequestID(resp, reqID), reqID)
				return
			}
		}
	}
	call.ErrorCode, call.Reason = serr.code, serr.reason
	if call.Reason == "" {
		call.Reason = serr.message
	}
	writeError(w, serr, reqID)
}

// decodeRequest reads the query-protocol parameters from the URL and a
// form-encoded body, and checks Action and Version.
func decodeRequest(r *http.Request, body []byte) (url.Values, *stsError) {
	if len(body) > maxBodyBytes {
		return nil, &stsError{status: 413, code: "RequestEntityTooLarge", message: "Request body must be no more than 1 MiB"}
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return nil, &stsError{status: 405, code: "InvalidAction", message: fmt.Sprintf("Unsupported HTTP method %s: STS takes POST (or GET) requests", r.Method)}
	}
	form, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, &stsError{status: 400, code: "MalformedQueryString", message: "The query string is not valid URL encoding"}
	}
	if len(body) > 0 {
		if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			return nil, &stsError{status: 400, code: "InvalidParameterValue", message: fmt.Sprintf("Content-Type %q is not supported: send application/x-www-form-urlencoded", ct)}
		}
		bodyForm, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, &stsError{status: 400, code: "MalformedQueryString", message: "The request body is not valid URL encoding"}
		}
		for k, v := range bodyForm {
			form[k] = append(form[k], v...)
		}
	}
	action, version := form.Get("Action"), form.Get("Version")
	if version == "" {
		version = "NO_VERSION_SPECIFIED"
	}
	switch {
	case action == "":
		return nil, &stsError{status: 400, code: "MissingAction", message: "Missing Action"}
	case version != apiVersion:
		return nil, &stsError{status: 400, code: "InvalidAction", message: fmt.Sprintf("Could not find operation %s for version %s", action, version)}
	}
	switch action {
	case "AssumeRole", "GetSessionToken", "GetCallerIdentity":
	default:
		return nil, &stsError{status: 400, code: "InvalidAction", message: fmt.Sprintf("Could not find operation %s for version %s", action, version),
			reason: "xaccttest serves AssumeRole, GetSessionToken and GetCallerIdentity"}
	}
	return form, nil
}

// sigV4 is a parsed Authorization header.
type sigV4 struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
}

func parseAuthorization(h string) (sigV4, bool) {
	var a sigV4
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return a, false
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, false
		}
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return a, false
			}
			a.accessKey, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	return a, a.accessKey != "" && a.signature != "" && len(a.signedHeaders) > 0
}

// authenticate finds the caller by access key (recorded in call) and checks
// the request's signature by signing it again with the SDK's SigV4 signer
// and the secret the server knows.
func (s *Server) authenticate(r *http.Request, body []byte, call *Call) (*identity, *stsError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		if r.URL.Query().Get("X-Amz-Signature") != "" {
			return nil, withReason(errMissingAuth, "presigned (query-string) requests are not supported by xaccttest")
		}
		return nil, errMissingAuth
	}
	auth, ok := parseAuthorization(h)
	call.AccessKeyID = auth.accessKey
	if !ok {
		return nil, &stsError{status: 400, code: "IncompleteSignature", message: "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters, in the AWS4-HMAC-SHA256 scheme."}
	}
	if auth.service != "sts" {
		return nil, withReason(errBadSig, "credential scope names service %q", auth.service)
	}
	amzDate := r.Header.Get("X-Amz-Date")
	signingTime, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return nil, &stsError{status: 400, code: "IncompleteSignature", message: "Authorization header requires existence of a valid 'X-Amz-Date' header."}
	}
	if signingTime.Format("20060102") != auth.date {
		return nil, withReason(errBadSig, "credential scope date %s is not the date of X-Amz-Date %s", auth.date, amzDate)
	}

	s.mu.Lock()
	id, ok := s.keys[auth.accessKey]
	s.mu.Unlock()
	if !ok {
		return nil, withReason(errBadToken, "access key %s is unknown", auth.accessKey)
	}
	if id.token != "" && !hmac.Equal([]byte(r.Header.Get("X-Amz-Security-Token")), []byte(id.token)) {
		return nil, withReason(errBadToken, "the session token does not belong to access key %s", auth.accessKey)
	}

	// Rebuild the request from the headers the client signed, and sign it.
	vr, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	if err != nil {
		return nil, withReason(errBadSig, "request URL: %v", err)
	}
	vr.Host = r.Host
	for _, name := range auth.signedHeaders {
		switch name {
		case "host":
		case "content-length":
			vr.ContentLength = int64(len(body))
		default:
			for _, v := range r.Header.Values(name) {
				vr.Header.Add(name, v)
			}
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: auth.accessKey, SecretAccessKey: id.secret, SessionToken: id.token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, vr, hex.EncodeToString(sum[:]), "sts", auth.region, signingTime); err != nil {
		return nil, withReason(errBadSig, "signing: %v", err)
	}
	want, _ := parseAuthorization(vr.Header.Get("Authorization"))
	if !hmac.Equal([]byte(want.signature), []byte(auth.signature)) {
		return nil, withReason(errBadSig, "signature does not match the secret of %s", auth.accessKey)
	}
	if !id.expires.IsZero() && !s.Clock.Now().Before(id.expires) {
		return nil, withReason(errExpired, "session %s expired at %s", auth.accessKey, id.expires.Format(time.RFC3339))
	}
	return id, nil
}
