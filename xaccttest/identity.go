package xaccttest

import (
	"fmt"
	"time"

	"github.com/xacct/xacct/xaccttest/internal/policy"
)

// identity is whoever holds an access key: a user's long-term key, a user's
// GetSessionToken session, or a role session.
type identity struct {
	account string
	arn     string   // user ARN, or arn:aws:sts::<acct>:assumed-role/<role>/<session>
	user    *userRec // users and their GetSessionToken sessions
	role    *roleRec // role sessions

	secret, token string    // token empty for long-term keys
	expires       time.Time // zero for long-term keys
	mfaAt         time.Time // zero when the session was not MFA-authenticated

	sessionName    string
	sessionPolicy  *policy.Policy
	sourceIdentity string

	chained   bool   // a role session obtained by role chaining (AssumeRole with a session's key)
	federated string // a federated user's name (GetFederationToken); empty otherwise
}

func (id *identity) temporary() bool { return id.token != "" }

func (id *identity) userID() string {
	if id.role != nil {
		return id.role.id + ":" + id.sessionName
	}
	if id.federated != "" {
		return id.account + ":" + id.federated
	}
	return id.user.id
}

// principal is the caller as trust policies see it.
func (id *identity) principal() policy.Principal {
	p := policy.Principal{ARN: id.arn, Account: id.account}
	if id.role != nil {
		p.RoleARN = id.role.arn
	}
	return p
}

// policies returns the identity policies that apply to the caller.
func (id *identity) policies() []*policy.Policy {
	if id.role != nil {
		return id.role.policies
	}
	return id.user.policies
}

// allows evaluates req against the caller's identity policies and its
// session policy, if it has one, which must allow it too. needIdentity
// says the identity policies must allow req; when false (a role of the
// caller's account whose trust policy names the caller), only their
// explicit Deny refuses. It returns why req is denied, or "" when it is
// allowed.
func (id *identity) allows(req policy.Request, needIdentity bool) (reason string) {
	ident := policy.Evaluate(req, id.policies()...)
	if ident.Effect == policy.ExplicitDeny || (needIdentity && ident.Effect != policy.Allow) {
		return fmt.Sprintf("identity policies of %s: %s", id.arn, ident.Reason)
	}
	if id.sessionPolicy != nil {
		if sp := policy.Evaluate(req, id.sessionPolicy); sp.Effect != policy.Allow {
			return "session policy of the caller: " + sp.Reason
		}
	}
	return ""
}

// lookupKey returns the holder of an access key, or nil.
func (s *Server) lookupKey(key string) *identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[key]
}

const (
	// expiredSessionMemory is how long, on the Clock, the server remembers
	// a session after it expired. Until then its key answers ExpiredToken,
	// which SDKs and xacct take as "refresh"; after it, InvalidClientTokenId
	// ("unknown key"), which they take as a configuration error. An hour
	// covers clients that notice expiry late (a refresh that failed, a
	// process that slept) and tests that move the clock an hour on; it also
	// bounds the table of a server left running: a fake issuing 50 sessions
	// a second holds at most (duration + 1h) × 50 of them.
	expiredSessionMemory = time.Hour
	// sweepEvery is how often, on the Clock, issuing a session also looks
	// for sessions to forget, so that the cost of a sweep (a pass over the
	// table) is paid at most once per minute.
	sweepEvery = time.Minute
)

// newSession registers a session under a fresh access key and returns the
// key. It first forgets sessions that expired expiredSessionMemory ago, at
// most once per sweepEvery. s.mu must be held.
func (s *Server) newSession(sess *identity) string {
	if now := s.Clock.Now(); now.Sub(s.lastSweep) >= sweepEvery || now.Before(s.lastSweep) {
		s.lastSweep = now
		for key, id := range s.keys {
			if !id.expires.IsZero() && now.Sub(id.expires) >= expiredSessionMemory {
				delete(s.keys, key)
			}
		}
	}
	for {
		key := "ASIA" + randomBase32(16)
		if _, dup := s.keys[key]; !dup {
			s.keys[key] = sess
			return key
		}
	}
}

func getCallerIdentity(id *identity) any {
	out := getCallerIdentityResponse{}
	out.Result.ARN, out.Result.UserID, out.Result.Account = id.arn, id.userID(), id.account
	return &out
}

// roleSessionARN is the ARN of a session of role.
func roleSessionARN(role *roleRec, sessionName string) string {
	return fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", role.account, role.name, sessionName)
}
