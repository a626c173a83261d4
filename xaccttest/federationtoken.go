package xaccttest

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/xacct/xacct/xaccttest/internal/policy"
)

// GetFederationToken's limits.
const (
	defaultFederationSeconds = 43200  // 12h, STS's default
	maxFederationSeconds     = 129600 // 36h
	minFederatedNameChars    = 2
	maxFederatedNameChars    = 32
)

// errFederationWithSession refuses GetFederationToken signed with session
// credentials: it takes an IAM user's long-term access key.
var errFederationWithSession = &apiError{status: http.StatusForbidden, code: "AccessDenied",
	message: "Cannot call GetFederationToken with session credentials"}

// noPermissions is a federated session's policy when none was passed:
// STS gives such a session no permissions. Parsed on first use.
var noPermissions = sync.OnceValue(func() *policy.Policy {
	p, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`),
		policy.Identity)
	if err != nil {
		panic(err)
	}
	return p
})

type getFederationTokenResponse struct {
	XMLName xml.Name `xml:"GetFederationTokenResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		Credentials   credentialsElem `xml:"Credentials"`
		FederatedUser struct {
			ARN string `xml:"Arn"`
			ID  string `xml:"FederatedUserId"`
		} `xml:"FederatedUser"`
		PackedPolicySize *int `xml:"PackedPolicySize,omitempty"`
	} `xml:"GetFederationTokenResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

// getFederationToken implements GetFederationToken: a federated user's
// session from an IAM user's long-term key, 15 minutes to 36 hours, whose
// permissions are the intersection of the user's identity policies and
// the session policy passed (none without one). The user's policies must
// allow sts:GetFederationToken on the federated user's ARN.
func (s *Server) getFederationToken(id *identity, form url.Values, call *Call) (any, *apiError) {
	name, doc := form.Get("Name"), form.Get("Policy")
	call.RoleSessionName = clip(name)
	duration, p := durationSeconds(form, defaultFederationSeconds, maxFederationSeconds)
	call.DurationSeconds = duration
	p = append(p, pattern("name", name, minFederatedNameChars, maxFederatedNameChars, sessionNameChars)...)
	p = append(p, checkSessionPolicy(doc, members(form, "PolicyArns", "arn", ""))...)
	if len(p) > 0 {
		return nil, validationErrors(p)
	}
	if id.temporary() || id.user == nil {
		return nil, withReason(errFederationWithSession, "%s signed with a session's key", id.arn)
	}
	sessionPolicy, serr := parseSessionPolicy(doc)
	if serr != nil {
		return nil, serr
	}
	if sessionPolicy == nil {
		sessionPolicy = noPermissions()
	}
	arn := fmt.Sprintf("arn:aws:sts::%s:federated-user/%s", id.account, name)
	if why := id.allows(policy.Request{Action: "sts:GetFederationToken", Resource: arn}, true); why != "" {
		return nil, &apiError{status: http.StatusForbidden, code: "AccessDenied",
			message: fmt.Sprintf("User: %s is not authorized to perform: sts:GetFederationToken on resource: %s", id.arn, arn),
			reason:  why}
	}
	now := s.Clock.Now()
	secret, sessionToken := randomSecret(), randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := &identity{
		account: id.account, arn: arn, user: id.user, federated: name, sessionPolicy: sessionPolicy,
		secret: secret, token: sessionToken, expires: now.Add(time.Duration(duration) * time.Second),
	}
	key := s.newSession(sess)
	out := getFederationTokenResponse{Xmlns: xmlns}
	out.Result.Credentials = credentialsXML(key, sess)
	out.Result.FederatedUser.ARN, out.Result.FederatedUser.ID = arn, sess.userID()
	out.Result.PackedPolicySize = packedPolicySize(doc, 0)
	return &out, nil
}

// federatedLimit refuses what a federated user's session may not call:
// every STS action but GetCallerIdentity.
func federatedLimit(id *identity, action string) *apiError {
	if id.federated == "" || action == "GetCallerIdentity" {
		return nil
	}
	return &apiError{status: http.StatusForbidden, code: "AccessDenied",
		message: fmt.Sprintf("User: %s is not authorized to perform: sts:%s", id.arn, action),
		reason:  "a federated user's session (GetFederationToken) can call no STS action but GetCallerIdentity"}
}
