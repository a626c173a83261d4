package xaccttest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

const (
	apiVersion   = "2011-06-15"
	maxBodyBytes = 1 << 20
)

// ServeHTTP answers one STS query-protocol request, or one Organizations
// JSON 1.1 request (with X-Amz-Target). Every request is recorded as a
// Call, whatever its outcome. Paths under AdminPath are the fake's admin
// API instead.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, AdminPath) {
		s.serveAdmin(w, r)
		return
	}
	if r.URL.Path == FederationPath {
		s.serveFederation(w, r)
		return
	}
	if s.serveIdentityCenter(w, r) { // IAM Identity Center: identitycenter_oidc.go
		return
	}
	defer s.active.begin()()
	call := &Call{Received: s.peak.observe(), Time: s.Clock.Now(), RequestID: s.newRequestID()}
	defer s.record(call)

	resp, serr := s.serve(w, r, call)
	jsonProtocol := r.Header.Get("X-Amz-Target") != ""
	if serr == nil {
		call.Allowed = true
		if jsonProtocol {
			writeOrgAnswer(w, resp, call.RequestID)
		} else {
			writeXML(w, http.StatusOK, withRequestID(resp, call.RequestID), call.RequestID)
		}
		return
	}
	call.ErrorCode, call.Reason = serr.code, serr.why()
	switch {
	case serr.silent: // nobody to answer
	case jsonProtocol:
		writeOrgError(w, serr, call.RequestID)
	default:
		writeError(w, serr, call.RequestID)
	}
}

// newRequestID returns a unique ID in the shape of STS's request IDs.
func (s *Server) newRequestID() string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", s.requests.Add(1))
}

// serve decodes, authenticates and answers a request, filling in call. It
// returns the answer, or the error to answer with.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, call *Call) (any, *apiError) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, errClientGone
	}
	if len(body) > maxBodyBytes {
		return nil, errTooLarge
	}
	// Who signed, before a fault may refuse the call: a test counting the
	// calls of a key counts those too, in either protocol.
	auth := requestAuth(r)
	call.AccessKeyID = clip(auth.accessKey)
	if r.Header.Get("X-Amz-Target") != "" {
		return s.serveOrganizations(w, r, body, auth, call)
	}
	form, serr := decodeRequest(r, body)
	if serr != nil {
		return nil, serr
	}
	call.Action = form.Get("Action")
	// What was asked for, before a fault may refuse it: a test counting the
	// calls of a role counts those too.
	call.RoleARN = clip(form.Get("RoleArn"))
	if serr := s.applyFaults(w, r, call); serr != nil {
		return nil, serr
	}
	if call.Action == "AssumeRoleWithWebIdentity" {
		return s.assumeRoleWithWebIdentity(form, call) // unsigned: the token authenticates
	}
	id, serr := s.authenticate(r, body, auth, "sts")
	if serr != nil {
		return nil, serr
	}
	call.Caller = id.arn
	if serr := s.throttled(id.account, errThrottled); serr != nil {
		return nil, serr
	}
	if serr := federatedLimit(id, call.Action); serr != nil {
		return nil, serr
	}
	switch call.Action {
	case "GetFederationToken":
		return s.getFederationToken(id, form, call)
	case "AssumeRole":
		return s.assumeRole(id, form, call)
	case "GetSessionToken":
		return s.getSessionToken(id, form, call)
	default:
		return getCallerIdentity(id), nil
	}
}

// decodeRequest reads the query-protocol parameters from the URL and a
// form-encoded body, and checks Action and Version.
func decodeRequest(r *http.Request, body []byte) (url.Values, *apiError) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return nil, &apiError{status: http.StatusMethodNotAllowed, code: "InvalidAction",
			message: fmt.Sprintf("Unsupported HTTP method %s: STS takes POST (or GET) requests", clip(r.Method))}
	}
	form, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, &apiError{status: http.StatusBadRequest, code: "MalformedQueryString",
			message: "The query string is not valid URL encoding"}
	}
	if len(body) > 0 {
		if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			return nil, &apiError{status: http.StatusBadRequest, code: "InvalidParameterValue",
				message: fmt.Sprintf("Content-Type %q is not supported: send application/x-www-form-urlencoded", clip(ct))}
		}
		bodyForm, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, &apiError{status: http.StatusBadRequest, code: "MalformedQueryString",
				message: "The request body is not valid URL encoding"}
		}
		for k, v := range bodyForm {
			form[k] = append(form[k], v...)
		}
	}
	action, version := form.Get("Action"), form.Get("Version")
	if version == "" {
		version = "NO_VERSION_SPECIFIED"
	}
	unknown := &apiError{status: http.StatusBadRequest, code: "InvalidAction",
		message: fmt.Sprintf("Could not find operation %s for version %s", clip(action), clip(version))}
	switch {
	case action == "":
		return nil, &apiError{status: http.StatusBadRequest, code: "MissingAction", message: "Missing Action"}
	case version != apiVersion:
		return nil, unknown
	}
	if slices.Contains(stsActions, action) {
		return form, nil
	}
	return nil, withReason(unknown, "xaccttest serves %s", strings.Join(stsActions, ", "))
}

// stsActions are the STS actions the fake answers.
var stsActions = []string{"AssumeRole", "AssumeRoleWithWebIdentity", "GetSessionToken", "GetCallerIdentity",
	"GetFederationToken"}
