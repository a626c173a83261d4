package xaccttest

// IAM Identity Center (SSO), as the fake serves it: the scenario's
// identity_center section, compiled, and the state of its sign-ins. The
// OIDC service is in identitycenter_oidc.go, the portal in
// identitycenter_portal.go.

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/xacct/xacct/internal/validate"
)

// IdentityCenter is the scenario's IAM Identity Center instance: its
// AWS access portal's start URL and region, its users, and which role of
// which account each user may use (roles of the scenario, so that chains
// on top of them work as on any role session):
//
//	"identity_center": {"start_url": "https://d-1234567890.awsapps.com/start", "region": "us-east-1",
//	    "auto_approve_user": "alice",
//	    "users": {"alice": {"assignments": [{"account": "111111111111", "role": "Admin"}]}}}
//
// A sign-in (the device code flow, or the authorization code flow's
// authorize endpoint) waits for approval through the admin API (see
// AdminPath), or is approved at once as AutoApproveUser, so that tests
// need no browser. Tokens expire on the server's Clock.
type IdentityCenter struct {
	// StartURL is the AWS access portal URL: https://, a host, a path.
	StartURL string `json:"start_url"`
	// Region is where the instance lives, such as us-east-1.
	Region string `json:"region"`
	// Users are the instance's users by user name.
	Users map[string]IdentityCenterUser `json:"users"`
	// AutoApproveUser, when set, names the user every sign-in is approved
	// for at once.
	AutoApproveUser string `json:"auto_approve_user,omitempty"`
	// AccessTokenSeconds is how long an access token lasts; 0: 3600.
	AccessTokenSeconds int `json:"access_token_seconds,omitempty"`
	// SessionSeconds is how long a sign-in lasts: refresh tokens are
	// refused after it; 0: 28800 (8 hours, the service's default).
	SessionSeconds int `json:"session_seconds,omitempty"`
	// RoleSessionSeconds is how long the role credentials of
	// GetRoleCredentials last; 0: 3600. At most the role's maximum.
	RoleSessionSeconds int `json:"role_session_seconds,omitempty"`
}

// IdentityCenterUser is a user of the instance and the roles it may use.
type IdentityCenterUser struct {
	Assignments []Assignment `json:"assignments"`
}

// Assignment gives a user a role (by name, a role of the scenario in
// that account) in an account, as a permission set does.
type Assignment struct {
	Account string `json:"account"`
	Role    string `json:"role"`
}

// Defaults of an identity center, with the service's values.
const (
	defaultAccessTokenSeconds = 3600
	defaultSignInSeconds      = 8 * 3600
	// clientRegistrationLife is how long a RegisterClient registration
	// lasts, as the service says: 90 days.
	clientRegistrationLife = 90 * 24 * time.Hour
	// deviceCodeLife is how long a device code or a pending sign-in
	// waits for approval: 10 minutes, as the service says (expiresIn 600).
	deviceCodeLife = 10 * time.Minute
	// authCodeLife is how long an authorization code may be redeemed.
	authCodeLife = 5 * time.Minute
	// devicePollInterval is the interval the device flow asks clients to
	// poll at; polls sooner than it (on the Clock) get SlowDownException.
	devicePollInterval = time.Second
)

// icConf is an identity center, compiled.
type icConf struct {
	startURL, region, autoApprove  string
	accessTTL, sessionTTL, roleTTL time.Duration
	// roles are, by user, the assignments "account/role".
	roles map[string]map[string]bool
	users []string // sorted
}

// identityCenter is the state of the fake's identity center.
type identityCenter struct {
	mu        sync.Mutex // guards all below
	conf      *icConf    // nil: the scenario has none
	clients   map[string]*oidcClient
	pending   map[string]*signIn // by device code, or by request ID for the authorize flow
	userCodes map[string]*signIn // the same sign-ins, by user code
	codes     map[string]*authCode
	access    map[string]*icToken // by access token
	refresh   map[string]*icToken // by refresh token
}

// oidcClient is a RegisterClient registration.
type oidcClient struct {
	id, secret, name string
	expires          time.Time
	grants           []string
	redirects        []string
}

// signIn is a sign-in waiting for approval: a device authorization, or an
// authorize request of the authorization code flow.
type signIn struct {
	clientID, userCode string
	expires            time.Time
	user               string // set once approved
	lastPoll           time.Time
	interval           time.Duration // grows with each SlowDown
	// authorize flow: where to send the code, and PKCE's challenge.
	redirect, state, challenge string
}

// authCode is an authorization code, until redeemed.
type authCode struct {
	clientID, redirect, challenge, user string
	expires                             time.Time
}

// icToken is an access or refresh token of a user's sign-in. A session
// (one sign-in) is shared by all tokens its refreshes issue: logout ends it.
type icToken struct {
	user, clientID string
	expires        time.Time
	session        *icSession
	used           bool // refresh tokens: redeemed once already
}

// icSession is one sign-in, until its end or a Logout.
type icSession struct {
	end   time.Time
	ended bool
}

// compileIdentityCenter checks the section against the scenario's and the
// server's roles (roleExists).
func compileIdentityCenter(ic *IdentityCenter, roleExists func(account, role string) bool) (*icConf, error) {
	const where = "identity_center"
	u, err := url.Parse(ic.StartURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%s: start_url %q: want https://host/path, such as https://d-1234567890.awsapps.com/start",
			where, clip(ic.StartURL))
	}
	if !validRegion(ic.Region) {
		return nil, fmt.Errorf("%s: region %q: want a region such as us-east-1", where, clip(ic.Region))
	}
	c := &icConf{startURL: ic.StartURL, region: ic.Region, autoApprove: ic.AutoApproveUser,
		roles: map[string]map[string]bool{}}
	for _, d := range []struct {
		key       string
		v, def    int
		dst       *time.Duration
		min, maxv int
	}{
		{"access_token_seconds", ic.AccessTokenSeconds, defaultAccessTokenSeconds, &c.accessTTL, 60, 86400},
		{"session_seconds", ic.SessionSeconds, defaultSignInSeconds, &c.sessionTTL, 60, 90 * 86400},
		{"role_session_seconds", ic.RoleSessionSeconds, defaultRoleSessionSeconds, &c.roleTTL, 900, maxRoleSessionSeconds},
	} {
		v := d.v
		if v == 0 {
			v = d.def
		}
		if v < d.min || v > d.maxv {
			return nil, fmt.Errorf("%s: %s %d: want %d to %d", where, d.key, v, d.min, d.maxv)
		}
		*d.dst = time.Duration(v) * time.Second
	}
	if len(ic.Users) == 0 {
		return nil, fmt.Errorf("%s: users is empty: name at least one user and its assignments", where)
	}
	c.users = slices.Sorted(maps.Keys(ic.Users))
	for _, name := range c.users {
		if name == "" || len(name) > 128 {
			return nil, fmt.Errorf("%s: user name %q: want 1 to 128 characters", where, clip(name))
		}
		c.roles[name] = map[string]bool{}
		for i, a := range ic.Users[name].Assignments {
			if !validate.IsAccountID(a.Account) || !roleExists(a.Account, a.Role) {
				return nil, fmt.Errorf("%s: user %q: assignments[%d]: account %q role %q: "+
					"an assignment names a role of the scenario in a 12-digit account", where, name, i, clip(a.Account), clip(a.Role))
			}
			c.roles[name][a.Account+"/"+a.Role] = true
		}
	}
	if c.autoApprove != "" && c.roles[c.autoApprove] == nil {
		return nil, fmt.Errorf("%s: auto_approve_user %q is not one of users", where, clip(c.autoApprove))
	}
	return c, nil
}

// validRegion reports whether r looks like an AWS region (us-east-1).
func validRegion(r string) bool {
	if len(r) < 6 || len(r) > 32 {
		return false
	}
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// roleByName returns the role named name in account. s.mu must be held.
func (s *Server) roleByName(account, name string) *roleRec {
	for _, r := range s.roles {
		if r.account == account && r.name == name {
			return r
		}
	}
	return nil
}

// loadIdentityCenter compiles sc's identity center against the roles of
// the server and of c, for Load to install with setIdentityCenter. s.mu
// must be held.
func (s *Server) loadIdentityCenter(sc *Scenario, c *compiled) (*icConf, error) {
	if sc.IdentityCenter == nil {
		return nil, nil
	}
	return compileIdentityCenter(sc.IdentityCenter, func(account, role string) bool {
		if s.roleByName(account, role) != nil {
			return true
		}
		return slices.ContainsFunc(c.roles, func(r *roleRec) bool { return r.account == account && r.name == role })
	})
}

// setIdentityCenter installs a compiled identity center, replacing the
// one before and ending every sign-in of it.
func (s *Server) setIdentityCenter(conf *icConf) {
	ic := &s.ic
	ic.mu.Lock()
	defer ic.mu.Unlock()
	ic.conf = conf
	ic.clients, ic.pending, ic.userCodes = map[string]*oidcClient{}, map[string]*signIn{}, map[string]*signIn{}
	ic.codes, ic.access, ic.refresh = map[string]*authCode{}, map[string]*icToken{}, map[string]*icToken{}
}
