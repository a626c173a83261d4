package xaccttest

// The authorize endpoint of IAM Identity Center's authorization code
// flow: the browser's side of a loopback sign-in.

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// authorize serves the authorize endpoint: it checks the request, then
// redirects to the client's loopback redirect URI with a code when the
// sign-in is approved (auto_approve_user), or answers a page naming the
// user code to approve with the admin API and the link that resumes.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, call *Call) {
	now := s.Clock.Now()
	ic := &s.ic
	ic.mu.Lock()
	defer ic.mu.Unlock()
	q := r.URL.Query()
	var si *signIn
	key := q.Get("request")
	if r.URL.Path == authorizePath {
		var serr *apiError
		if key, si, serr = ic.authorizeRequest(q, now); serr != nil {
			call.ErrorCode, call.Reason = serr.code, serr.why()
			http.Error(w, "xaccttest: authorize: "+serr.message, serr.status)
			return
		}
	} else if si = ic.pending[key]; si == nil || si.redirect == "" || !now.Before(si.expires) {
		call.ErrorCode, call.Reason = "InvalidRequestException", "unknown or expired sign-in request"
		http.Error(w, "xaccttest: authorize: unknown or expired sign-in request: start again", http.StatusBadRequest)
		return
	}
	call.Subject = si.userCode
	if si.user == "" {
		call.Allowed = true
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "xaccttest identity center: sign-in pending\nuser_code: %s\n"+
			"approve: curl -d user_code=%s %s%sidentity-center/approve\nthen open: %s%s/go?request=%s\n",
			si.userCode, si.userCode, s.URL, AdminPath, s.URL, authorizePath, key)
		return
	}
	ic.forget(key, si)
	code := "ac-" + randomSecret()
	ic.codes[code] = &authCode{clientID: si.clientID, redirect: si.redirect, challenge: si.challenge,
		user: si.user, expires: now.Add(authCodeLife)}
	call.Allowed, call.Caller = true, "identity-center-user/"+si.user
	sep := "?"
	if strings.Contains(si.redirect, "?") {
		sep = "&"
	}
	http.Redirect(w, r, si.redirect+sep+"code="+url.QueryEscape(code)+"&state="+url.QueryEscape(si.state), http.StatusFound)
}

// authorizeRequest checks an authorize request and starts its sign-in.
// ic.mu must be held.
func (ic *identityCenter) authorizeRequest(q map[string][]string, now time.Time) (string, *signIn, *apiError) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if ic.conf == nil {
		return "", nil, invalidRequest("this server has no identity center")
	}
	c := ic.clients[get("client_id")]
	switch {
	case c == nil || !now.Before(c.expires):
		return "", nil, errInvalidClient
	case get("response_type") != "code":
		return "", nil, invalidRequest("response_type must be code")
	case get("code_challenge_method") != "S256" || get("code_challenge") == "":
		return "", nil, invalidRequest("PKCE is required: code_challenge with code_challenge_method S256")
	case !redirectRegistered(c.redirects, get("redirect_uri")):
		return "", nil, invalidRequest("redirect_uri is not one the client registered (any port of a loopback one)")
	}
	key := "ar-" + randomBase32(20)
	si := ic.newSignIn(key, c.id, now)
	si.redirect, si.state, si.challenge = get("redirect_uri"), get("state"), get("code_challenge")
	return key, si, nil
}

// redirectRegistered reports whether uri is one of the registered redirect
// URIs, where a loopback one (http://127.0.0.1/...) matches at any port,
// as RFC 8252 says of native apps.
func redirectRegistered(registered []string, uri string) bool {
	u, err := url.Parse(uri)
	if err != nil || uri == "" {
		return false
	}
	if slices.Contains(registered, uri) {
		return true
	}
	if u.Scheme != "http" || (u.Hostname() != "127.0.0.1" && u.Hostname() != "[::1]" && u.Hostname() != "::1") {
		return false
	}
	portless := *u
	portless.Host = u.Hostname()
	if strings.Contains(portless.Host, ":") {
		portless.Host = "[" + portless.Host + "]"
	}
	return slices.Contains(registered, portless.String())
}
