package xaccttest

// The console's federation endpoint (https://signin.aws.amazon.com/federation),
// at FederationPath: getSigninToken turns a session into a sign-in token,
// login turns a sign-in token into a redirect to the console.

import (
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// FederationPath is the path of the fake's federation endpoint: point
// xacct.ConsoleOptions.Endpoint (or XACCT_SIGNIN_ENDPOINT) at URL +
// FederationPath.
const FederationPath = "/federation"

const (
	// signinTokenLife is how long a sign-in token may be used to log in.
	signinTokenLife = 15 * time.Minute
	// minConsoleSeconds and maxConsoleSeconds bound SessionDuration.
	minConsoleSeconds, maxConsoleSeconds = 900, 43200
	// maxSessionParamBytes bounds the Session parameter.
	maxSessionParamBytes = 8 << 10
)

// signinTokens are the sign-in tokens issued, by token. It has its own lock.
type signinTokens struct {
	mu     sync.Mutex // guards tokens
	tokens map[string]signinRec
}

// signinRec is a sign-in token's session.
type signinRec struct {
	caller  string
	expires time.Time // on the Clock
}

// federationError is a refusal of the federation endpoint: HTTP 400 (or
// 401, 403) with a line of text, as the real one answers with a page.
type federationError struct {
	status int
	why    string
}

// serveFederation answers Action=getSigninToken and Action=login, by GET
// or form POST, and records each as a Call.
func (s *Server) serveFederation(w http.ResponseWriter, r *http.Request) {
	defer s.active.begin()()
	call := &Call{Received: s.peak.observe(), Time: s.Clock.Now(), RequestID: s.newRequestID()}
	defer s.record(call)
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := r.ParseForm(); err != nil {
		call.Action, call.ErrorCode, call.Reason = "federation", "400", "the form does not parse"
		http.Error(w, "malformed request", http.StatusBadRequest)
		return
	}
	call.Action = clip(r.Form.Get("Action"))
	var ferr *federationError
	switch call.Action {
	case "getSigninToken":
		ferr = s.getSigninToken(w, r.Form, call)
	case "login":
		ferr = s.login(w, r, call)
	default:
		ferr = &federationError{http.StatusBadRequest, "Action must be getSigninToken or login"}
	}
	if ferr != nil {
		call.ErrorCode, call.Reason = strconv.Itoa(ferr.status), ferr.why
		http.Error(w, ferr.why, ferr.status)
		return
	}
	call.Allowed = true
}

// getSigninToken checks the session (a role's or a federated user's, not
// expired) and the SessionDuration rules: 900 to 43,200 seconds, and only
// for a role session not obtained by role chaining.
func (s *Server) getSigninToken(w http.ResponseWriter, form url.Values, call *Call) *federationError {
	id, ferr := s.signinSession(form.Get("Session"))
	if ferr != nil {
		return ferr
	}
	call.AccessKeyID, call.Caller = clip(id.key), id.arn
	if d := form.Get("SessionDuration"); d != "" {
		n, err := strconv.Atoi(d)
		switch {
		case err != nil || n < minConsoleSeconds || n > maxConsoleSeconds:
			return &federationError{http.StatusBadRequest, fmt.Sprintf("SessionDuration %q is not %d to %d seconds",
				clip(d), minConsoleSeconds, maxConsoleSeconds)}
		case id.chained:
			return &federationError{http.StatusBadRequest, "SessionDuration is refused for a session obtained by role chaining"}
		case id.federated != "":
			return &federationError{http.StatusBadRequest, "SessionDuration is refused for a federated user's session: " +
				"its console session lasts as long as the GetFederationToken credentials"}
		}
		call.DurationSeconds = n
	}
	token := randomToken()
	s.signin.mu.Lock()
	if s.signin.tokens == nil {
		s.signin.tokens = map[string]signinRec{}
	}
	now := s.Clock.Now()
	for t, rec := range s.signin.tokens {
		if !now.Before(rec.expires) {
			delete(s.signin.tokens, t)
		}
	}
	s.signin.tokens[token] = signinRec{caller: id.arn, expires: now.Add(signinTokenLife)}
	s.signin.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"SigninToken": token})
	return nil
}

// signedSession is the session of a getSigninToken call, and its key.
type signedSession struct {
	*identity
	key string
}

// signinSession reads the Session parameter ({"sessionId", "sessionKey",
// "sessionToken"}) and finds its session: known, the secret and token
// right, not expired, and a role's or a federated user's session.
func (s *Server) signinSession(param string) (signedSession, *federationError) {
	var sess struct {
		ID    string `json:"sessionId"`
		Key   string `json:"sessionKey"`
		Token string `json:"sessionToken"`
	}
	if len(param) > maxSessionParamBytes || json.Unmarshal([]byte(param), &sess) != nil {
		return signedSession{}, &federationError{http.StatusBadRequest, "Session is not JSON of sessionId, sessionKey and sessionToken"}
	}
	id := s.lookupKey(sess.ID)
	switch {
	case id == nil || !hmac.Equal([]byte(id.secret), []byte(sess.Key)) || !hmac.Equal([]byte(id.token), []byte(sess.Token)):
		return signedSession{}, &federationError{http.StatusForbidden, "the session's key, secret or token is not a session's"}
	case id.token == "":
		return signedSession{}, &federationError{http.StatusForbidden, "long-term keys cannot sign in: " +
			"get a session first (GetFederationToken, or AssumeRole)"}
	case !s.Clock.Now().Before(id.expires):
		return signedSession{}, &federationError{http.StatusForbidden, "the session expired at " + id.expires.Format(time.RFC3339)}
	case id.role == nil && id.federated == "":
		return signedSession{}, &federationError{http.StatusForbidden, "an MFA session (GetSessionToken) cannot sign in " +
			"to the console: use a role's session"}
	}
	return signedSession{identity: id, key: sess.ID}, nil
}

// login redirects to Destination for a sign-in token issued in the last
// 15 minutes.
func (s *Server) login(w http.ResponseWriter, r *http.Request, call *Call) *federationError {
	token, dest := r.Form.Get("SigninToken"), r.Form.Get("Destination")
	s.signin.mu.Lock()
	rec, ok := s.signin.tokens[token]
	s.signin.mu.Unlock()
	now := s.Clock.Now()
	switch {
	case !ok:
		return &federationError{http.StatusBadRequest, "the sign-in token is not one this endpoint issued"}
	case !now.Before(rec.expires):
		return &federationError{http.StatusBadRequest, "the sign-in token expired at " + rec.expires.Format(time.RFC3339)}
	}
	call.Caller = rec.caller
	u, err := url.Parse(dest)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return &federationError{http.StatusBadRequest, fmt.Sprintf("Destination %q is not an absolute URL", clip(dest))}
	}
	http.Redirect(w, r, u.String(), http.StatusFound)
	return nil
}
