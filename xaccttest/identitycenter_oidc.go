package xaccttest

// The IAM Identity Center OIDC service (the REST-JSON protocol of
// ssooidc): RegisterClient, StartDeviceAuthorization, CreateToken (device
// code, authorization code with PKCE, refresh token); the authorize
// endpoint is in identitycenter_authorize.go. Every call is recorded as a
// Call named by its operation (CreateToken, ...), never with a token.

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// icHandler answers one identity center operation: it reads the request
// and returns the answer or the error, filling in call.
type icHandler func(s *Server, r *http.Request, body []byte, call *Call) (any, *apiError)

// icRoutes are the identity center's operations by method and path.
var icRoutes = map[string]struct {
	action string
	h      icHandler
}{
	"POST /client/register":        {"RegisterClient", (*Server).registerClient},
	"POST /device_authorization":   {"StartDeviceAuthorization", (*Server).startDeviceAuthorization},
	"POST /token":                  {"CreateToken", (*Server).createToken},
	"GET /federation/credentials":  {"GetRoleCredentials", (*Server).getRoleCredentials},
	"GET /assignment/accounts":     {"ListAccounts", (*Server).listAccounts},
	"GET /assignment/roles":        {"ListAccountRoles", (*Server).listAccountRoles},
	"POST /logout":                 {"Logout", (*Server).logout},
	"GET " + authorizePath:         {"Authorize", nil},
	"GET " + authorizePath + "/go": {"Authorize", nil},
}

// authorizePath is the authorize endpoint of the authorization code flow;
// authorizePath+"/go" resumes a sign-in once the admin API approved it.
const authorizePath = "/authorize"

// serveIdentityCenter answers the request when it is one of the identity
// center's, and reports whether it was.
func (s *Server) serveIdentityCenter(w http.ResponseWriter, r *http.Request) bool {
	route, ok := icRoutes[r.Method+" "+r.URL.Path]
	if !ok {
		return false
	}
	defer s.active.begin()()
	call := &Call{Received: s.peak.observe(), Time: s.Clock.Now(), RequestID: s.newRequestID(), Action: route.action}
	defer s.record(call)
	if route.h == nil {
		s.authorize(w, r, call)
		return true
	}
	resp, serr := s.icServe(w, r, route.h, call)
	w.Header().Set("X-Amzn-RequestId", call.RequestID)
	if serr == nil {
		call.Allowed = true
		writeJSON(w, http.StatusOK, resp)
		return true
	}
	call.ErrorCode, call.Reason = serr.code, serr.why()
	if !serr.silent {
		body := map[string]string{"message": serr.message}
		for k, v := range serr.fields {
			body[k] = v
		}
		w.Header().Set("X-Amzn-ErrorType", serr.code)
		writeJSON(w, serr.status, body)
	}
	return true
}

// icServe reads the body, applies faults and calls h.
func (s *Server) icServe(w http.ResponseWriter, r *http.Request, h icHandler, call *Call) (any, *apiError) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, errClientGone
	}
	if len(body) > maxBodyBytes {
		return nil, errTooLarge
	}
	if serr := s.applyFaults(w, r, call); serr != nil {
		return nil, serr
	}
	return h(s, r, body, call)
}

// oidcError is an OIDC service error: the exception, its OAuth error
// code (the error member) and description.
func oidcError(status int, code, oauth, description string) *apiError {
	return &apiError{status: status, code: code, message: description,
		fields: map[string]string{"error": oauth, "error_description": description}}
}

func invalidGrant(why string) *apiError {
	return oidcError(http.StatusBadRequest, "InvalidGrantException", "invalid_grant", "Invalid grant provided: "+why)
}

func invalidRequest(why string) *apiError {
	return oidcError(http.StatusBadRequest, "InvalidRequestException", "invalid_request", why)
}

var errInvalidClient = oidcError(http.StatusUnauthorized, "InvalidClientException", "invalid_client",
	"Invalid client provided: unknown client ID, wrong secret, or an expired registration")

// decodeJSON reads a JSON request body into v.
func decodeJSON(body []byte, v any) *apiError {
	if err := json.Unmarshal(body, v); err != nil {
		return invalidRequest("the request body is not a JSON object of this operation's members")
	}
	return nil
}

// registerClient implements RegisterClient.
func (s *Server) registerClient(r *http.Request, body []byte, call *Call) (any, *apiError) {
	var in struct {
		ClientName   string   `json:"clientName"`
		ClientType   string   `json:"clientType"`
		GrantTypes   []string `json:"grantTypes"`
		RedirectURIs []string `json:"redirectUris"`
	}
	if serr := decodeJSON(body, &in); serr != nil {
		return nil, serr
	}
	if in.ClientName == "" || in.ClientType != "public" {
		return nil, invalidRequest("clientName is required and clientType must be public")
	}
	now := s.Clock.Now()
	c := &oidcClient{id: "cl-" + randomBase32(24), secret: randomSecret() + randomSecret(), name: in.ClientName,
		expires: now.Add(clientRegistrationLife).Truncate(time.Second), grants: in.GrantTypes, redirects: in.RedirectURIs}
	ic := &s.ic
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if ic.conf == nil {
		return nil, invalidRequest("this server has no identity center: add identity_center to the scenario")
	}
	ic.clients[c.id] = c
	call.Subject = clip(in.ClientName)
	return map[string]any{"clientId": c.id, "clientSecret": c.secret, "clientIdIssuedAt": now.Unix(),
		"clientSecretExpiresAt": c.expires.Unix()}, nil
}

// client returns the registered client of id and secret, still valid.
// ic.mu must be held.
func (ic *identityCenter) client(id, secret string, now time.Time) (*oidcClient, *apiError) {
	c := ic.clients[id]
	if c == nil || c.secret != secret || !now.Before(c.expires) {
		return nil, errInvalidClient
	}
	return c, nil
}

// clientLocked locks the identity center and checks the request's client
// on the Clock; when it returns no error, the caller unlocks ic.mu.
func (s *Server) clientLocked(id, secret string) (*identityCenter, time.Time, *apiError) {
	now := s.Clock.Now()
	ic := &s.ic
	ic.mu.Lock()
	if _, serr := ic.client(id, secret, now); serr != nil {
		ic.mu.Unlock()
		return nil, now, serr
	}
	return ic, now, nil
}

// startDeviceAuthorization implements StartDeviceAuthorization.
func (s *Server) startDeviceAuthorization(r *http.Request, body []byte, call *Call) (any, *apiError) {
	var in struct{ ClientID, ClientSecret, StartURL string }
	if serr := decodeJSON(body, &in); serr != nil {
		return nil, serr
	}
	ic, now, serr := s.clientLocked(in.ClientID, in.ClientSecret)
	if serr != nil {
		return nil, serr
	}
	defer ic.mu.Unlock()
	if ic.conf == nil || in.StartURL != ic.conf.startURL {
		return nil, invalidRequest("startUrl is not the start URL of this identity center")
	}
	device := "dc-" + randomSecret()
	si := ic.newSignIn(device, in.ClientID, now)
	call.Subject = si.userCode
	verify := s.URL + "/device"
	return map[string]any{"deviceCode": device, "userCode": si.userCode, "verificationUri": verify,
		"verificationUriComplete": verify + "?user_code=" + si.userCode,
		"expiresIn":               int(deviceCodeLife / time.Second), "interval": int(devicePollInterval / time.Second)}, nil
}

// newSignIn adds a sign-in waiting for approval under key, approved at
// once when the identity center auto-approves. ic.mu must be held.
func (ic *identityCenter) newSignIn(key, clientID string, now time.Time) *signIn {
	si := &signIn{clientID: clientID, expires: now.Add(deviceCodeLife), interval: devicePollInterval}
	for si.userCode == "" || ic.userCodes[si.userCode] != nil {
		code := randomBase32(8)
		si.userCode = code[:4] + "-" + code[4:]
	}
	si.user = ic.conf.autoApprove
	ic.pending[key], ic.userCodes[si.userCode] = si, si
	return si
}

// createTokenInput is CreateToken's request.
type createTokenInput struct {
	ClientID, ClientSecret, GrantType string
	DeviceCode, Code, RefreshToken    string
	RedirectURI                       string `json:"redirectUri"`
	CodeVerifier                      string
	Scope                             []string
}

// createToken implements CreateToken for the three grants.
func (s *Server) createToken(r *http.Request, body []byte, call *Call) (any, *apiError) {
	var in createTokenInput
	if serr := decodeJSON(body, &in); serr != nil {
		return nil, serr
	}
	call.Subject = clip(in.GrantType)
	ic, now, serr := s.clientLocked(in.ClientID, in.ClientSecret)
	if serr != nil {
		return nil, serr
	}
	defer ic.mu.Unlock()
	var user string
	var session *icSession
	switch in.GrantType {
	case "urn:ietf:params:oauth:grant-type:device_code":
		user, serr = ic.redeemDevice(in, now)
	case "authorization_code":
		user, serr = ic.redeemCode(in, now)
	case "refresh_token":
		user, session, serr = ic.redeemRefresh(in, now)
	default:
		serr = oidcError(http.StatusBadRequest, "UnsupportedGrantTypeException", "unsupported_grant_type",
			"Unsupported grant type: "+clip(in.GrantType))
	}
	if serr != nil {
		return nil, serr
	}
	call.Caller = "identity-center-user/" + user
	if session == nil {
		session = &icSession{end: now.Add(ic.conf.sessionTTL)}
	}
	access, refresh := "aoa"+randomSecret()+randomSecret(), "aor"+randomSecret()+randomSecret()
	exp := now.Add(ic.conf.accessTTL)
	if exp.After(session.end) {
		exp = session.end
	}
	ic.access[access] = &icToken{user: user, clientID: in.ClientID, expires: exp, session: session}
	ic.refresh[refresh] = &icToken{user: user, clientID: in.ClientID, expires: session.end, session: session}
	return map[string]any{"accessToken": access, "tokenType": "Bearer",
		"expiresIn": int(exp.Sub(now) / time.Second), "refreshToken": refresh}, nil
}

// redeemDevice answers a device code grant: pending, too fast (polls are
// spaced on the Clock, so that a test's fake sleep moves it), expired, or
// the approved user. ic.mu must be held.
func (ic *identityCenter) redeemDevice(in createTokenInput, now time.Time) (string, *apiError) {
	si := ic.pending[in.DeviceCode]
	switch {
	case si == nil || si.clientID != in.ClientID:
		return "", invalidGrant("unknown device code, or one of another client")
	case !now.Before(si.expires):
		ic.forget(in.DeviceCode, si)
		return "", oidcError(http.StatusBadRequest, "ExpiredTokenException", "expired_token",
			"Device code has expired: start the device authorization again")
	}
	last := si.lastPoll
	si.lastPoll = now
	if !last.IsZero() && now.Sub(last) < si.interval-50*time.Millisecond {
		si.interval += 5 * time.Second // as RFC 8628 asks of the client
		return "", oidcError(http.StatusBadRequest, "SlowDownException", "slow_down",
			"Client is polling too fast: wait the interval between polls, 5 seconds more after each slow_down")
	}
	if si.user == "" {
		return "", oidcError(http.StatusBadRequest, "AuthorizationPendingException", "authorization_pending",
			"Authorization is still pending")
	}
	ic.forget(in.DeviceCode, si)
	return si.user, nil
}

// forget drops a sign-in. ic.mu must be held.
func (ic *identityCenter) forget(key string, si *signIn) {
	delete(ic.pending, key)
	delete(ic.userCodes, si.userCode)
}

// redeemCode answers an authorization code grant, verifying PKCE (S256).
// A code is redeemed once. ic.mu must be held.
func (ic *identityCenter) redeemCode(in createTokenInput, now time.Time) (string, *apiError) {
	c := ic.codes[in.Code]
	switch {
	case c == nil || c.clientID != in.ClientID:
		return "", invalidGrant("unknown or used authorization code, or one of another client")
	case !now.Before(c.expires):
		delete(ic.codes, in.Code)
		return "", invalidGrant("the authorization code has expired")
	case c.redirect != in.RedirectURI:
		return "", invalidGrant("redirectUri differs from the authorize request's")
	case pkceChallenge(in.CodeVerifier) != c.challenge:
		delete(ic.codes, in.Code)
		return "", invalidGrant("the code verifier does not match the code challenge (PKCE S256)")
	}
	delete(ic.codes, in.Code)
	return c.user, nil
}

// pkceChallenge is the S256 code challenge of a verifier (RFC 7636).
func pkceChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// redeemRefresh answers a refresh token grant: a refresh token is
// redeemed once (rotation); a used one, one of an ended session or of
// another client is refused. ic.mu must be held.
func (ic *identityCenter) redeemRefresh(in createTokenInput, now time.Time) (string, *icSession, *apiError) {
	t := ic.refresh[in.RefreshToken]
	switch {
	case t == nil || t.clientID != in.ClientID:
		return "", nil, invalidGrant("unknown refresh token, or one of another client")
	case t.used:
		return "", nil, invalidGrant("the refresh token was used already (refresh tokens rotate)")
	case t.session.ended || !now.Before(t.session.end):
		delete(ic.refresh, in.RefreshToken)
		return "", nil, invalidGrant("the sign-in session has ended: sign in again")
	}
	t.used = true
	return t.user, t.session, nil
}
