package xaccttest

// The AWS access portal of IAM Identity Center (the REST-JSON protocol of
// the sso service): GetRoleCredentials, ListAccounts, ListAccountRoles and
// Logout, each on an access token of CreateToken; and the admin API's
// approval of a sign-in.

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

var (
	errPortalUnauthorized = &apiError{status: http.StatusUnauthorized, code: "UnauthorizedException",
		message: "Session token not found or invalid"}
	errPortalForbidden = &apiError{status: http.StatusForbidden, code: "ForbiddenException", message: "No access"}
)

func portalInvalid(why string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "InvalidRequestException", message: why}
}

// portalUser returns the user of the request's access token
// (x-amz-sso_bearer_token), valid now on the Clock.
func (s *Server) portalUser(r *http.Request, call *Call) (string, *apiError) {
	token := r.Header.Get("X-Amz-Sso_bearer_token")
	now := s.Clock.Now()
	ic := &s.ic
	ic.mu.Lock()
	defer ic.mu.Unlock()
	t := ic.access[token]
	switch {
	case token == "" || t == nil:
		return "", withReason(errPortalUnauthorized, "unknown access token")
	case t.session.ended:
		return "", withReason(errPortalUnauthorized, "the access token's session was logged out")
	case !now.Before(t.expires):
		return "", withReason(errPortalUnauthorized, "the access token expired at %s",
			t.expires.UTC().Format(time.RFC3339))
	}
	call.Caller = "identity-center-user/" + t.user
	return t.user, nil
}

// assigned returns the user's assignments ("account/role"), sorted.
func (s *Server) assigned(user string) []string {
	ic := &s.ic
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if ic.conf == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(ic.conf.roles[user]))
}

// getRoleCredentials implements GetRoleCredentials: a session of the
// scenario role, named after the user, as a permission set's role would
// give, lasting role_session_seconds (at most the role's maximum).
func (s *Server) getRoleCredentials(r *http.Request, _ []byte, call *Call) (any, *apiError) {
	account, roleName := r.URL.Query().Get("account_id"), r.URL.Query().Get("role_name")
	call.RoleSessionName = clip(account + "/" + roleName)
	if account == "" || roleName == "" {
		return nil, portalInvalid("account_id and role_name are required")
	}
	user, serr := s.portalUser(r, call)
	if serr != nil {
		return nil, serr
	}
	if !slices.Contains(s.assigned(user), account+"/"+roleName) {
		return nil, withReason(errPortalForbidden, "user %s has no assignment of role %s in account %s",
			user, clip(roleName), clip(account))
	}
	s.ic.mu.Lock()
	ttl := s.ic.conf.roleTTL
	s.ic.mu.Unlock()
	now := s.Clock.Now()
	secret, token := randomSecret(), randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	role := s.roleByName(account, roleName)
	if role == nil {
		return nil, withReason(errPortalForbidden, "role %s of account %s no longer exists", clip(roleName), clip(account))
	}
	call.RoleARN = role.arn
	if max := time.Duration(role.maxSession) * time.Second; ttl > max {
		ttl = max
	}
	sess := &identity{account: account, role: role, sessionName: user, arn: roleSessionARN(role, user),
		secret: secret, token: token, expires: now.Add(ttl)}
	key := s.newSession(sess)
	return map[string]any{"roleCredentials": map[string]any{"accessKeyId": key, "secretAccessKey": secret,
		"sessionToken": token, "expiration": sess.expires.UnixMilli()}}, nil
}

// portalPage reads max_result (1 to 100, default 20) and next_token.
func portalPage(r *http.Request) (start, size int, serr *apiError) {
	q := r.URL.Query()
	size = 20
	if v := q.Get("max_result"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return 0, 0, portalInvalid("max_result must be 1 to 100")
		}
		size = n
	}
	if v := q.Get("next_token"); v != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(v, "page-"))
		if err != nil || n < 0 || !strings.HasPrefix(v, "page-") {
			return 0, 0, portalInvalid("next_token is not one this service gave")
		}
		start = n
	}
	return start, size, nil
}

// portalListing reads a listing's page and the user of its token.
func (s *Server) portalListing(r *http.Request, call *Call) (user string, start, size int, serr *apiError) {
	if start, size, serr = portalPage(r); serr != nil {
		return "", 0, 0, serr
	}
	user, serr = s.portalUser(r, call)
	return user, start, size, serr
}

// page cuts list at [start, start+size) and returns the next token.
func page[T any](list []T, start, size int) ([]T, any) {
	if start > len(list) {
		start = len(list)
	}
	end := min(start+size, len(list))
	if end < len(list) {
		return list[start:end], "page-" + strconv.Itoa(end)
	}
	return list[start:end], nil
}

// listAccounts implements ListAccounts: the accounts the user has a role
// in, by ID, with the names and emails of the scenario.
func (s *Server) listAccounts(r *http.Request, _ []byte, call *Call) (any, *apiError) {
	user, start, size, serr := s.portalListing(r, call)
	if serr != nil {
		return nil, serr
	}
	var ids []string
	for _, a := range s.assigned(user) {
		id, _, _ := strings.Cut(a, "/")
		if len(ids) == 0 || ids[len(ids)-1] != id {
			ids = append(ids, id)
		}
	}
	ids, next := page(ids, start, size)
	list := make([]map[string]string, 0, len(ids))
	s.mu.Lock()
	for _, id := range ids {
		name, email := id, "aws+"+id+"@example.com"
		if a := s.accounts[id]; a != nil {
			name, email = a.name, a.email
		}
		list = append(list, map[string]string{"accountId": id, "accountName": name, "emailAddress": email})
	}
	s.mu.Unlock()
	return map[string]any{"accountList": list, "nextToken": next}, nil
}

// listAccountRoles implements ListAccountRoles: the user's roles in one
// account.
func (s *Server) listAccountRoles(r *http.Request, _ []byte, call *Call) (any, *apiError) {
	account := r.URL.Query().Get("account_id")
	if account == "" {
		return nil, portalInvalid("account_id is required")
	}
	user, start, size, serr := s.portalListing(r, call)
	if serr != nil {
		return nil, serr
	}
	var roles []map[string]string
	for _, a := range s.assigned(user) {
		if id, role, _ := strings.Cut(a, "/"); id == account {
			roles = append(roles, map[string]string{"roleName": role, "accountId": id})
		}
	}
	roles, next := page(roles, start, size)
	if roles == nil {
		roles = []map[string]string{}
	}
	return map[string]any{"roleList": roles, "nextToken": next}, nil
}

// logout implements Logout: the token's sign-in session ends, so that its
// access tokens and refresh tokens are refused from now on.
func (s *Server) logout(r *http.Request, _ []byte, call *Call) (any, *apiError) {
	if _, serr := s.portalUser(r, call); serr != nil {
		return nil, serr
	}
	ic := &s.ic
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if t := ic.access[r.Header.Get("X-Amz-Sso_bearer_token")]; t != nil {
		t.session.ended = true
	}
	return struct{}{}, nil
}

// ApproveSignIn approves the sign-in waiting with userCode (device code
// flow, or the authorize page's) as user; user "" means the only user, or
// auto_approve_user. Tests in other languages use the admin API instead
// (POST AdminPath+"identity-center/approve" user_code=CODE [user=NAME]).
func (s *Server) ApproveSignIn(userCode, user string) error {
	ic := &s.ic
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if ic.conf == nil {
		return fmt.Errorf("xaccttest: approve: this server has no identity center: add identity_center to the scenario")
	}
	if user == "" {
		switch {
		case ic.conf.autoApprove != "":
			user = ic.conf.autoApprove
		case len(ic.conf.users) == 1:
			user = ic.conf.users[0]
		default:
			return fmt.Errorf("xaccttest: approve: user is missing: the identity center has %d users (%s): name one",
				len(ic.conf.users), strings.Join(ic.conf.users, ", "))
		}
	}
	if ic.conf.roles[user] == nil {
		return fmt.Errorf("xaccttest: approve: user %q is not a user of the identity center (%s)",
			clip(user), strings.Join(ic.conf.users, ", "))
	}
	si := ic.userCodes[strings.ToUpper(strings.TrimSpace(userCode))]
	if si == nil || !s.Clock.Now().Before(si.expires) {
		return fmt.Errorf("xaccttest: approve: no sign-in waits with user code %q (unknown, expired or redeemed)", clip(userCode))
	}
	si.user = user
	return nil
}

// serveApprove answers POST AdminPath+"identity-center/approve".
func (s *Server) serveApprove(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		adminError(w, http.StatusMethodNotAllowed, "POST approves a sign-in: user_code=CODE [user=NAME]")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := r.ParseForm(); err != nil {
		adminError(w, http.StatusBadRequest, fmt.Sprintf("reading the form: %v", err))
		return
	}
	code, user := r.Form.Get("user_code"), r.Form.Get("user")
	if err := s.ApproveSignIn(code, user); err != nil {
		adminError(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), "xaccttest: "))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"approved": strings.ToUpper(strings.TrimSpace(code))})
}
