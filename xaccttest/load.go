package xaccttest

import (
	"fmt"
	"maps"
	"slices"

	"github.com/xacct/xacct/internal/validate"
)

// compiled is a scenario checked and compiled, not yet added to a server.
type compiled struct {
	users     []*userRec
	roles     []*roleRec
	providers []*providerRec
	accounts  []*accountRec
	org       *orgRec
}

// Load adds the accounts, users, roles, OIDC providers, organization and
// throttle of sc. It checks the whole scenario first (policies included)
// and changes nothing if any part is wrong; the error names the account,
// user or role, and the field. Its cost grows with the size of sc, not of
// what the server holds already, so that a scenario of thousands of
// accounts can be built with as many AddRole calls.
func (s *Server) Load(sc *Scenario) error {
	if sc == nil {
		return nil
	}
	c, err := s.compile(sc)
	if err != nil {
		return fmt.Errorf("xaccttest: scenario: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(c); err != nil {
		return fmt.Errorf("xaccttest: scenario: %v", err)
	}
	ic, err := s.loadIdentityCenter(sc, c)
	if err != nil {
		return fmt.Errorf("xaccttest: scenario: %v", err)
	}
	if ic != nil {
		defer s.setIdentityCenter(ic) // with s.mu held, as the lock order says
	}
	for _, u := range c.users {
		s.users[u.arn] = u
		s.keys[u.key] = &identity{user: u, account: u.account, arn: u.arn, secret: u.secret}
		if u.device != nil {
			s.devices[u.device.serial] = u.device
		}
	}
	for _, r := range c.roles {
		s.roles[r.arn] = r
	}
	for _, p := range c.providers {
		s.providers[p.arn] = p
	}
	// The index of members by parent goes stale when an account is new or
	// moves, or when the organization (whose root is the default parent)
	// is new; a role or user added to a known account keeps it.
	stale := c.org != nil
	for _, a := range c.accounts {
		have := s.accounts[a.id]
		if have == nil {
			s.accounts[a.id] = a
			stale = true
			continue
		}
		parent := have.parent
		have.merge(a) // checked above
		stale = stale || have.parent != parent
	}
	if c.org != nil {
		s.org = c.org
	}
	if stale {
		s.orgIndex = nil
	}
	if sc.Throttle != nil {
		s.SetThrottle(sc.Throttle.Rate, sc.Throttle.Burst)
	}
	return nil
}

// compile checks each part of sc on its own, without the server's lock.
func (s *Server) compile(sc *Scenario) (*compiled, error) {
	c := &compiled{}
	if t := sc.Throttle; t != nil && (t.Rate <= 0 || t.Burst < 0) {
		return nil, fmt.Errorf("throttle: rate %v, burst %d: the rate is requests a second, above 0; the burst 0 or more",
			t.Rate, t.Burst)
	}
	if sc.Organization != nil {
		org, err := compileOrganization(sc.Organization)
		if err != nil {
			return nil, err
		}
		c.org = org
	}
	now := s.Clock.Now()
	for _, acct := range slices.Sorted(maps.Keys(sc.Accounts)) {
		a := sc.Accounts[acct]
		if !validate.IsAccountID(acct) {
			return nil, fmt.Errorf("account %q: an account ID is 12 digits", clip(acct))
		}
		rec, err := compileAccount(acct, a, now)
		if err != nil {
			return nil, err
		}
		c.accounts = append(c.accounts, rec)
		for _, name := range slices.Sorted(maps.Keys(a.Users)) {
			u, err := compileUser(acct, name, a.Users[name])
			if err != nil {
				return nil, err
			}
			c.users = append(c.users, u)
		}
		for _, name := range slices.Sorted(maps.Keys(a.Roles)) {
			r, err := compileRole(acct, name, a.Roles[name])
			if err != nil {
				return nil, err
			}
			c.roles = append(c.roles, r)
		}
		for i, p := range a.OIDCProviders {
			rec, err := compileProvider(acct, i, p)
			if err != nil {
				return nil, err
			}
			c.providers = append(c.providers, rec)
		}
	}
	return c, nil
}

// check finds what c would clash with on the server. s.mu must be held.
func (s *Server) check(c *compiled) error {
	seen := map[string]bool{}
	for _, u := range c.users {
		if _, dup := s.users[u.arn]; dup {
			return fmt.Errorf("user %s exists already", u.arn)
		}
		if _, dup := s.keys[u.key]; dup || seen[u.key] {
			return fmt.Errorf("user %s: access_key_id %s belongs to another user", u.arn, u.key)
		}
		seen[u.key] = true
	}
	for _, r := range c.roles {
		if _, dup := s.roles[r.arn]; dup {
			return fmt.Errorf("role %s exists already", r.arn)
		}
	}
	for _, p := range c.providers {
		if _, dup := s.providers[p.arn]; dup || seen[p.arn] {
			return fmt.Errorf("OIDC provider %s exists already", p.arn)
		}
		seen[p.arn] = true
	}
	org := s.org
	if c.org != nil {
		if org != nil {
			return fmt.Errorf("organization: the server has one already (%s): a server serves one organization", org.id)
		}
		org = c.org
	}
	for _, a := range c.accounts {
		if have := s.accounts[a.id]; have != nil {
			cp := *have // a dry run: Load merges into have once all of c is checked
			if err := cp.merge(a); err != nil {
				return err
			}
		}
		if a.parent == "" {
			continue
		}
		if org == nil {
			return fmt.Errorf("account %s: parent %q: the scenario has no organization to be in", a.id, clip(a.parent))
		}
		if !org.isParent(a.parent) {
			return fmt.Errorf("account %s: parent %q: want the root (%s) or an OU of the organization",
				a.id, clip(a.parent), org.rootID)
		}
	}
	return nil
}
