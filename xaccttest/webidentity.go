package xaccttest

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/xacct/xacct/internal/validate"
	"github.com/xacct/xacct/xaccttest/internal/jwt"
	"github.com/xacct/xacct/xaccttest/internal/policy"
)

// issuers are the fake identity providers: one signing key per issuer URL,
// made when the first token of that issuer is minted.
type issuers struct {
	mu   sync.Mutex                    // guards keys
	keys map[string]ed25519.PrivateKey // by issuer URL
}

// WebIdentityToken mints an OpenID Connect ID token as the identity
// provider issuer would: a JWT with iss issuer, sub subject, aud audience,
// issued now on the server's Clock and expiring ttl later. The server signs
// it with a key of that issuer's (Ed25519, made on first use) and checks it
// in AssumeRoleWithWebIdentity, where the role's account must declare the
// issuer as an OIDC provider (Account.OIDCProviders) with that audience.
// Any https issuer can mint, so that a test can also try one no account
// trusts. A token is a secret: it never appears in the call record.
func (s *Server) WebIdentityToken(issuer, subject, audience string, ttl time.Duration) (string, error) {
	if _, err := issuerHostPath(issuer); err != nil {
		return "", fmt.Errorf("xaccttest: WebIdentityToken: issuer %q: %v", clip(issuer), err)
	}
	switch {
	case subject == "":
		return "", errors.New("xaccttest: WebIdentityToken: subject is empty: a token names its user in sub")
	case audience == "":
		return "", errors.New("xaccttest: WebIdentityToken: audience is empty: a token names its client in aud, " +
			"such as sts.amazonaws.com")
	case ttl <= 0:
		return "", fmt.Errorf("xaccttest: WebIdentityToken: ttl %v: a token must live for a while", ttl)
	}
	key := s.issuers.key(issuer)
	now := s.Clock.Now()
	return jwt.Sign(jwt.Claims{Issuer: issuer, Subject: subject, Audience: []string{audience},
		IssuedAt: now, Expires: now.Add(ttl)}, keyID(key), key)
}

// key returns the issuer's signing key, made on first use.
func (is *issuers) key(issuer string) ed25519.PrivateKey {
	is.mu.Lock()
	defer is.mu.Unlock()
	k, ok := is.keys[issuer]
	if !ok {
		_, k, _ = ed25519.GenerateKey(rand.Reader)
		is.keys[issuer] = k
	}
	return k
}

// publicKey returns the issuer's verification key, or nil when the fake
// never minted a token for it.
func (is *issuers) publicKey(issuer string) ed25519.PublicKey {
	is.mu.Lock()
	defer is.mu.Unlock()
	if k, ok := is.keys[issuer]; ok {
		return k.Public().(ed25519.PublicKey)
	}
	return nil
}

// keyID names a key in tokens' headers, as an IdP's JWKS would.
func keyID(k ed25519.PrivateKey) string {
	sum := sha256.Sum256(k.Public().(ed25519.PublicKey))
	return hex.EncodeToString(sum[:8])
}

// webIdentityInput is an AssumeRoleWithWebIdentity request, checked for shape.
type webIdentityInput struct {
	roleARN, sessionName, token, policy, providerID string
	account                                         string // of roleARN; "" when it is not a role ARN
	policyARNs                                      [][2]string
	duration                                        int
	sessionPolicy                                   *policy.Policy
}

// assumeRoleWithWebIdentity implements AssumeRoleWithWebIdentity: an
// unsigned call whose token, minted by an OIDC provider the role's account
// trusts, buys a role session. It reads the input, verifies the token,
// authorizes with the role's trust policy, then issues the session.
func (s *Server) assumeRoleWithWebIdentity(form url.Values, call *Call) (any, *apiError) {
	in, serr := readWebIdentity(form, call)
	if serr != nil {
		return nil, serr
	}
	if in.account != "" {
		if serr := s.throttled(in.account, errThrottled); serr != nil {
			return nil, serr
		}
	}
	claims, err := jwt.Parse(in.token)
	if err != nil {
		return nil, withReason(errInvalidJWT, "the token is not a JWT of the fake's: %v", err)
	}
	// The signature needs only the issuers' keys, which have their own
	// lock: it is checked before taking s.mu, so that other calls do not
	// wait for the Ed25519 verification.
	sigErr := s.verifySignature(in.token, claims.Issuer)
	now := s.Clock.Now()
	secret, sessionToken := randomSecret(), randomToken() // before the lock: reading crypto/rand may wait
	s.mu.Lock()
	defer s.mu.Unlock()
	provider, audience, serr := s.verifyWebIdentity(in, claims, sigErr, now)
	if serr != nil {
		return nil, serr
	}
	call.Caller, call.Subject = provider.arn, clip(claims.Subject)
	role, ok := s.roles[in.roleARN]
	if !ok {
		return nil, withReason(errWebAccessDenied, "role %s does not exist", clip(in.roleARN))
	}
	ctx := map[string]string{
		"sts:RoleSessionName":               in.sessionName,
		policy.OIDCKey(provider.key, "aud"): audience,
		policy.OIDCKey(provider.key, "sub"): claims.Subject,
	}
	caller := policy.Principal{ARN: claims.Subject, Account: role.account, Federated: provider.arn}
	const action = "sts:AssumeRoleWithWebIdentity"
	if trust := policy.Evaluate(policy.Request{Action: action, Caller: caller, Context: ctx}, role.trust); trust.Effect != policy.Allow {
		return nil, withReason(errWebAccessDenied, "%s: trust policy of %s: %s", action, role.arn, trust.Reason)
	}
	if in.duration > role.maxSession {
		return nil, withReason(errRoleDuration, "%s has a maximum session duration of %d seconds", role.arn, role.maxSession)
	}
	sess := &identity{
		account: role.account, role: role, sessionName: in.sessionName, arn: roleSessionARN(role, in.sessionName),
		secret: secret, token: sessionToken, expires: now.Add(time.Duration(in.duration) * time.Second),
		sessionPolicy: in.sessionPolicy,
	}
	key := s.newSession(sess)
	out := assumeRoleWithWebIdentityResponse{}
	r := &out.Result
	r.Credentials = credentialsXML(key, sess)
	r.AssumedRoleUser.ARN, r.AssumedRoleUser.ID = sess.arn, sess.userID()
	r.SubjectFromWebIdentityToken, r.Audience, r.Provider = claims.Subject, audience, claims.Issuer
	r.PackedPolicySize = packedPolicySize(in.policy, 0)
	return &out, nil
}

// readWebIdentity reads the parameters, records them in call (never the
// token), and applies STS's input constraints.
func readWebIdentity(form url.Values, call *Call) (*webIdentityInput, *apiError) {
	in := &webIdentityInput{
		roleARN: form.Get("RoleArn"), sessionName: form.Get("RoleSessionName"), token: form.Get("WebIdentityToken"),
		policy: form.Get("Policy"), providerID: form.Get("ProviderId"), policyARNs: members(form, "PolicyArns", "arn", ""),
	}
	in.account = roleAccount(in.roleARN)
	call.RoleARN, call.RoleSessionName = clip(in.roleARN), clip(in.sessionName)
	duration, p := durationSeconds(form, defaultRoleSessionSeconds, maxRoleSessionSeconds)
	in.duration, call.DurationSeconds = duration, duration
	p = append(p, checkRoleAndSession(in.roleARN, in.sessionName)...)
	p = append(p, required("webIdentityToken", in.token)...)
	if in.token != "" {
		p = append(p, length("webIdentityToken", in.token, minWebTokenChars, maxWebTokenChars, false)...)
	}
	if in.providerID != "" {
		p = append(p, length("providerId", in.providerID, minProviderIDChars, maxProviderIDChars, true)...)
	}
	p = append(p, checkSessionPolicy(in.policy, in.policyARNs)...)
	if len(p) > 0 {
		return nil, validationErrors(p)
	}
	var serr *apiError
	in.sessionPolicy, serr = parseSessionPolicy(in.policy)
	return in, serr
}

// verifySignature checks the token's signature with its issuer's key.
func (s *Server) verifySignature(token, issuer string) *apiError {
	pub := s.issuers.publicKey(issuer)
	if pub == nil {
		return withReason(errInvalidJWT, "the fake never minted a token of issuer %s, so none can verify", issuer)
	}
	if err := jwt.Verify(token, pub); err != nil {
		return withReason(errInvalidJWT, "%v", err)
	}
	return nil
}

// verifyWebIdentity checks the token as STS does: an OIDC provider of the
// role's account for its issuer, the issuer's signature (sigErr, the
// verdict of verifySignature), an audience the provider accepts, and its
// expiry on the Clock, refusing with the first that fails. It returns the
// provider and the audience that matched. s.mu must be held.
func (s *Server) verifyWebIdentity(in *webIdentityInput, claims jwt.Claims, sigErr *apiError, now time.Time) (
	*providerRec, string, *apiError) {
	if in.account == "" {
		return nil, "", withReason(errWebAccessDenied, "%q is not a role ARN", clip(in.roleARN))
	}
	hostPath, err := issuerHostPath(claims.Issuer)
	provider := s.providers[oidcProviderARN(in.account, hostPath)]
	if err != nil || provider == nil || provider.url != claims.Issuer {
		return nil, "", errNoProvider(in.account, claims.Issuer)
	}
	if sigErr != nil {
		return nil, "", sigErr
	}
	i := slices.IndexFunc(claims.Audience, func(a string) bool { return provider.audiences[a] })
	if i < 0 {
		return nil, "", withReason(errAudience, "the token's aud %q is not a client ID of %s",
			clip(strings.Join(claims.Audience, ",")), provider.arn)
	}
	if !now.Before(claims.Expires) {
		return nil, "", errTokenExpired(now, claims.Expires)
	}
	return provider, claims.Audience[i], nil
}

// roleAccount returns the account of a role ARN, or "" when roleARN is
// not one.
func roleAccount(roleARN string) string {
	a, err := arn.Parse(roleARN)
	if err != nil || a.Service != "iam" || !validate.IsAccountID(a.AccountID) || !strings.HasPrefix(a.Resource, "role/") {
		return ""
	}
	return a.AccountID
}
