// Package xaccttest provides a fake AWS STS for tests, shaped like
// net/http/httptest: NewServer starts it on loopback, URL is its endpoint,
// Close shuts it down.
//
// Unlike mocks that accept anything, it enforces what STS enforces, so a test
// that passes means the cross-account setup is really right:
//
//   - SigV4 signatures, checked by signing the request again with the SDK's
//     own signer: unknown keys (InvalidClientTokenId), wrong secrets
//     (SignatureDoesNotMatch), expired sessions (ExpiredToken).
//   - Cross-account evaluation: the caller's identity policies must allow
//     sts:AssumeRole on the role (an explicit Deny wins) and the role's trust
//     policy must allow the caller, with conditions on sts:ExternalId,
//     aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge and more.
//   - MFA: TOTP devices (RFC 6238, one step of tolerance, no code twice),
//     GetSessionToken sessions that carry MFA into later calls.
//   - Durations: 900 s to the role's maximum, one hour for role chaining,
//     with STS's error messages; credentials expire on the server's Clock.
//   - Web identity: AssumeRoleWithWebIdentity with OpenID Connect tokens
//     that the server mints as the identity provider (WebIdentityToken),
//     checked against the account's OIDC providers and the trust policy.
//   - EKS tokens: presigned GET requests (query-string SigV4), as a
//     cluster's authenticator replays a token's GetCallerIdentity, and
//     VerifyEKSToken, which checks a token as that authenticator does.
//   - Console sign-in: the federation endpoint at FederationPath
//     (getSigninToken, with the SessionDuration rules; login, which
//     redirects for a valid token) and GetFederationToken with its rules.
//   - Throttling: a per-account rate limit (SetThrottle, or the scenario's
//     throttle), answered with STS's Throttling or Organizations'
//     TooManyRequestsException; faults on demand (InjectFault).
//
// It speaks the STS query protocol (form-encoded POST, Version 2011-06-15,
// XML answers and errors with STS's codes and HTTP statuses) for AssumeRole,
// AssumeRoleWithWebIdentity, GetSessionToken, GetFederationToken and
// GetCallerIdentity, and, on
// the same endpoint, the AWS Organizations JSON 1.1 protocol (X-Amz-Target)
// for ListAccounts, ListAccountsForParent, ListOrganizationalUnitsForParent
// and ListRoots (for principals of the management account whose policies
// allow them; see Organization), so any SDK or the AWS CLI can use it as
// its endpoint.
// On the same endpoint it serves IAM Identity Center when the scenario has
// one (IdentityCenter): the SSO OIDC service and the AWS access portal.
// Paths under AdminPath are the fake's own admin API (its Clock, sign-in
// approval), for tests in other languages driving `xacct fake-sts`.
package xaccttest

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/xacct/xacct"
)

// Server is a fake STS listening on a loopback address. Its methods are safe
// for concurrent use, also while requests are served.
type Server struct {
	// URL is the endpoint, of the form http://127.0.0.1:PORT with no
	// trailing slash: set it as aws.Config.BaseEndpoint (or use Config).
	URL string

	// Clock is the server's time: credentials it issues expire on it, and
	// MFA codes are checked against it. NewServer's starts at the real time,
	// to the second, and moves only when told to: share Clock.Now with
	// xacct.Options.Now to test refreshes in simulated time. `xacct
	// fake-sts` runs on a NewRealClock, as STS runs on real time.
	Clock *Clock

	// The state is behind a pointer, so that a Server value holds no lock
	// and can format itself without its keys and sessions (Format).
	*serverState
}

// serverState is the state of a Server.
type serverState struct {
	ts *httptest.Server

	// mu guards the IAM world and its sessions: users, roles, keys (long-term
	// keys and sessions), devices (including each device's spent codes),
	// providers, accounts, org, orgIndex and lastSweep.
	mu      sync.Mutex
	users   map[string]*userRec  // by ARN
	roles   map[string]*roleRec  // by ARN
	keys    map[string]*identity // by access key ID
	devices map[string]*device   // by serial
	// providers are the accounts' OIDC providers, by ARN.
	providers map[string]*providerRec
	// accounts are the accounts the server knows, by ID; org is the
	// organization (nil without one), orgIndex its accounts by parent,
	// sorted, made when first asked for (nil when stale: after a Load
	// that adds or moves an account).
	accounts map[string]*accountRec
	org      *orgRec
	orgIndex map[string][]*accountRec
	// lastSweep is when expired sessions were last forgotten, on Clock.
	lastSweep time.Time

	issuers  issuers        // signing keys of the fake identity providers; has its own lock
	throttle throttle       // per-account rate limits; has its own lock
	peak     peakRate       // the peak request rate; has its own lock
	calls    callLog        // the record of calls; has its own lock
	faults   faults         // injected faults; has its own lock
	signin   signinTokens   // sign-in tokens of the federation endpoint; has its own lock
	ic       identityCenter // IAM Identity Center sign-ins; has its own lock, taken after mu when both are
	active   *activity      // requests in progress, for WaitIdle; has its own lock
	requests atomic.Int64   // requests so far, for request IDs
}

// HTTP server limits, so that a fake left running for days (`xacct
// fake-sts`) is not held up by clients that stall or leave connections open.
const (
	// readHeaderTimeout bounds reading a request's headers.
	readHeaderTimeout = 10 * time.Second
	// readTimeout bounds reading a whole request (at most maxBodyBytes).
	readTimeout = time.Minute
	// idleTimeout closes keep-alive connections unused for this long.
	idleTimeout = 2 * time.Minute
	// maxHeaderBytes bounds a request's headers; SDK requests send about 2 KB.
	maxHeaderBytes = 64 << 10
)

// NewServer starts a fake STS with an empty scenario on 127.0.0.1 at a free
// port. Add accounts with Load, AddUser and AddRole. Its Clock is frozen.
func NewServer() *Server {
	s := NewUnstartedServer()
	s.StartOn(nil)
	return s
}

// NewServerWithScenario starts a fake STS serving sc.
func NewServerWithScenario(sc *Scenario) (*Server, error) {
	s := NewServer()
	if err := s.Load(sc); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// NewServerOn starts a fake STS on a listener of the caller's (for a fixed
// address). It takes ownership of ln.
func NewServerOn(ln net.Listener) *Server {
	s := NewUnstartedServer()
	s.StartOn(ln)
	return s
}

// NewUnstartedServer returns a fake STS that does not listen yet, as
// httptest.NewUnstartedServer does: set its Clock (such as a NewRealClock),
// then call StartOn. URL, Client and Config need a started server.
func NewUnstartedServer() *Server {
	s := &Server{Clock: NewClock(time.Now().UTC().Truncate(time.Second)), serverState: &serverState{
		active:  newActivity(),
		users:   map[string]*userRec{},
		roles:   map[string]*roleRec{},
		keys:    map[string]*identity{},
		devices: map[string]*device{},

		providers: map[string]*providerRec{},
		accounts:  map[string]*accountRec{},
	}}
	s.issuers.keys = map[string]ed25519.PrivateKey{}
	s.calls.limit = DefaultCallLimit
	return s
}

// StartOn starts a server from NewUnstartedServer on ln, taking ownership
// of it; on 127.0.0.1 at a free port when ln is nil.
func (s *Server) StartOn(ln net.Listener) {
	s.ts = httptest.NewUnstartedServer(s)
	if ln != nil {
		s.ts.Listener.Close()
		s.ts.Listener = ln
	}
	s.ts.Config.ReadHeaderTimeout = readHeaderTimeout
	s.ts.Config.ReadTimeout = readTimeout
	s.ts.Config.IdleTimeout = idleTimeout
	s.ts.Config.MaxHeaderBytes = maxHeaderBytes
	s.ts.Start()
	s.URL = s.ts.URL
}

// Close shuts the server down and waits for outstanding requests.
// Closing twice, or a server never started, is harmless.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// AddUser adds one user to an account.
func (s *Server) AddUser(account, name string, u User) error {
	return s.Load(&Scenario{Accounts: map[string]Account{account: {Users: map[string]User{name: u}}}})
}

// AddRole adds one role to an account.
func (s *Server) AddRole(account, name string, r Role) error {
	return s.Load(&Scenario{Accounts: map[string]Account{account: {Roles: map[string]Role{name: r}}}})
}

// Config returns an aws.Config that calls this server with the given
// long-term or session credentials: region us-east-1, BaseEndpoint set to
// URL, and a retryer that backs off for milliseconds, not seconds, so that
// injected faults do not slow tests down.
func (s *Server) Config(accessKeyID, secretAccessKey, sessionToken string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL),
		HTTPClient:   s.Client(),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, sessionToken),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxBackoff = 20 * time.Millisecond
				o.RateLimiter = ratelimit.None
			})
		},
	}
}

// UserConfig returns Config with the access key of a scenario user.
func (s *Server) UserConfig(account, user string) (aws.Config, error) {
	s.mu.Lock()
	u, ok := s.users[userARN(account, user)]
	s.mu.Unlock()
	if !ok {
		return aws.Config{}, fmt.Errorf("xaccttest: no user %q in account %s", user, account)
	}
	return s.Config(u.key, u.secret, ""), nil
}

// TOTP returns a code that the MFA device with this serial shows and that
// STS will accept now, on the server's Clock: the current step's code, or,
// once that was used, the next step's (STS accepts one step of skew). It is
// an error when both were used: advance the Clock by 30 seconds.
func (s *Server) TOTP(serial string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.totp(serial, false)
}

// TokenFunc returns an xacct.TokenFunc that reads codes from the server's
// virtual MFA devices as a person reads a device: the code STS accepts now,
// on the server's Clock (see TOTP). When xacct asks for a new code because
// the one it got was just used (TokenRequest.NeedNewCode), it returns the
// next time step's code, which STS accepts too.
func (s *Server) TokenFunc() xacct.TokenFunc {
	return func(ctx context.Context, req xacct.TokenRequest) (string, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.totp(req.SerialNumber, req.NeedNewCode)
	}
}
