package xaccttest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/xacct/xacct/xaccttest/internal/policy"
)

// assumeRoleInput is an AssumeRole request, read and checked for shape.
type assumeRoleInput struct {
	roleARN, sessionName, externalID, serial, code, policy, sourceIdentity string
	tags, transitive, policyARNs                                           [][2]string
	duration                                                               int // seconds
	sessionPolicy                                                          *policy.Policy
}

// assumeRole implements AssumeRole in three steps, as STS decides: read the
// input, authorize the caller for the role, issue the session.
func (s *Server) assumeRole(id *identity, form url.Values, call *Call) (any, *apiError) {
	in, serr := readAssumeRole(form, call)
	if serr != nil {
		return nil, serr
	}
	now := s.Clock.Now()
	secret, sessionToken := randomSecret(), randomToken() // before the lock: reading crypto/rand may wait
	s.mu.Lock()
	defer s.mu.Unlock()
	role, mfaAt, srcID, serr := s.authorizeAssumeRole(id, in, now, call)
	if serr != nil {
		return nil, serr
	}
	// Durations are checked after authorization, as STS does.
	if serr := checkRoleDuration(id, role, in.duration); serr != nil {
		return nil, serr
	}
	sess := &identity{
		account: role.account, role: role, sessionName: in.sessionName, arn: roleSessionARN(role, in.sessionName),
		secret: secret, token: sessionToken, expires: now.Add(time.Duration(in.duration) * time.Second),
		mfaAt: mfaAt, sessionPolicy: in.sessionPolicy, sourceIdentity: srcID, chained: id.temporary(),
	}
	key := s.newSession(sess)
	out := assumeRoleResponse{}
	r := &out.Result
	r.Credentials = credentialsXML(key, sess)
	r.AssumedRoleUser.ARN, r.AssumedRoleUser.ID = sess.arn, sess.userID()
	r.SourceIdentity = srcID
	r.PackedPolicySize = packedPolicySize(in.policy, len(in.tags))
	return &out, nil
}

// readAssumeRole reads the parameters, records them in call, and applies
// STS's input constraints, collecting every violation into one
// ValidationError as STS does.
func readAssumeRole(form url.Values, call *Call) (*assumeRoleInput, *apiError) {
	in := &assumeRoleInput{
		roleARN: form.Get("RoleArn"), sessionName: form.Get("RoleSessionName"),
		externalID: form.Get("ExternalId"), serial: form.Get("SerialNumber"), code: form.Get("TokenCode"),
		policy: form.Get("Policy"), sourceIdentity: form.Get("SourceIdentity"),
		tags:       members(form, "Tags", "Key", "Value"),
		transitive: members(form, "TransitiveTagKeys", "", ""),
		policyARNs: members(form, "PolicyArns", "arn", ""),
	}
	call.RoleARN, call.RoleSessionName, call.ExternalID = clip(in.roleARN), clip(in.sessionName), clip(in.externalID)
	call.SerialNumber, call.SourceIdentity = clip(in.serial), clip(in.sourceIdentity)
	duration, p := durationSeconds(form, defaultRoleSessionSeconds, maxRoleSessionSeconds)
	in.duration, call.DurationSeconds = duration, duration

	p = append(p, checkRoleAndSession(in.roleARN, in.sessionName)...)
	if in.externalID != "" {
		p = append(p, pattern("externalId", in.externalID, minExternalIDChars, maxExternalIDChars, externalIDChars)...)
	}
	p = append(p, checkMFAParams(in.serial, in.code)...)
	if in.sourceIdentity != "" {
		p = append(p, pattern("sourceIdentity", in.sourceIdentity, minSourceIdentityChars, maxSourceIdentityChars, sessionNameChars)...)
	}
	p = append(p, checkSessionPolicy(in.policy, in.policyARNs)...)
	p = append(p, checkTags(in.tags, in.transitive)...)
	if len(p) > 0 {
		return nil, validationErrors(p)
	}
	for _, k := range in.transitive {
		if !hasTag(in.tags, k[0]) {
			return nil, &apiError{status: http.StatusBadRequest, code: "InvalidParameterValue",
				message: fmt.Sprintf("Transitive tag key %s must be included in the requested tags.", clip(k[0]))}
		}
	}
	var serr *apiError
	in.sessionPolicy, serr = parseSessionPolicy(in.policy)
	return in, serr
}

// checkSessionPolicy checks the sizes of the session policies.
func checkSessionPolicy(doc string, arns [][2]string) []string {
	var p []string
	if len(doc) > maxPolicyChars {
		p = append(p, fmt.Sprintf("Value at 'policy' failed to satisfy constraint: "+
			"Member must have length less than or equal to %d", maxPolicyChars))
	}
	if len(arns) > maxPolicyARNs {
		p = append(p, fmt.Sprintf("Value at 'policyArns' failed to satisfy constraint: "+
			"Member must have length less than or equal to %d", maxPolicyARNs))
	}
	return p
}

// parseSessionPolicy parses an inline session policy (nil when absent).
func parseSessionPolicy(doc string) (*policy.Policy, *apiError) {
	if doc == "" {
		return nil, nil
	}
	p, err := policy.Parse([]byte(doc), policy.Identity)
	if err != nil {
		return nil, withReason(errMalformedPolicy, "%v", err)
	}
	return p, nil
}

// checkTags checks the session tags and transitive tag keys.
func checkTags(tags, transitive [][2]string) []string {
	var p []string
	if len(tags) > maxSessionTags {
		p = append(p, fmt.Sprintf("Value at 'tags' failed to satisfy constraint: "+
			"Member must have length less than or equal to %d", maxSessionTags))
	}
	for _, t := range tags {
		if len(t[0]) < minTagKeyChars || len(t[0]) > maxTagKeyChars || len(t[1]) > maxTagValueChars {
			p = append(p, fmt.Sprintf("Value at 'tags' failed to satisfy constraint: "+
				"tag %q: keys are %d to %d characters, values at most %d",
				clip(t[0]), minTagKeyChars, maxTagKeyChars, maxTagValueChars))
		}
	}
	if len(transitive) > maxTransitiveTagKeys {
		p = append(p, fmt.Sprintf("Value at 'transitiveTagKeys' failed to satisfy constraint: "+
			"Member must have length less than or equal to %d", maxTransitiveTagKeys))
	}
	return p
}

func hasTag(tags [][2]string, key string) bool {
	for _, t := range tags {
		if t[0] == key {
			return true
		}
	}
	return false
}

// authorizeAssumeRole decides whether the caller may assume the role: the
// role exists, the MFA code (if any) is right, the source identity is kept,
// and the trust policy, the caller's identity policies and session policy
// allow every action the call needs. It returns the role, when MFA was last
// proven, and the session's source identity. s.mu must be held.
func (s *Server) authorizeAssumeRole(id *identity, in *assumeRoleInput, now time.Time, call *Call) (
	*roleRec, time.Time, string, *apiError) {
	denied := func(format string, args ...any) *apiError {
		return &apiError{status: http.StatusForbidden, code: "AccessDenied",
			message: fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", id.arn, clip(in.roleARN)),
			reason:  fmt.Sprintf(format, args...)}
	}
	role, ok := s.roles[in.roleARN]
	if !ok {
		return nil, time.Time{}, "", denied("role %s does not exist", clip(in.roleARN))
	}
	mfaAt := id.mfaAt
	if in.serial != "" || in.code != "" {
		if serr := s.checkMFA(id, in.serial, in.code, now); serr != nil {
			return nil, time.Time{}, "", serr
		}
		mfaAt, call.MFA = now, true
	}
	srcID := in.sourceIdentity
	if id.sourceIdentity != "" {
		if srcID != "" && srcID != id.sourceIdentity {
			return nil, time.Time{}, "", denied("the caller's session has source identity %q, "+
				"which a chained session cannot change", id.sourceIdentity)
		}
		srcID = id.sourceIdentity
	}
	ctx := conditionContext(id, in, srcID, mfaAt, now)
	for _, action := range assumeRoleActions(in) {
		if why := evaluateAssumeRole(id, role, action, ctx); why != "" {
			return nil, time.Time{}, "", denied("%s", why)
		}
	}
	return role, mfaAt, srcID, nil
}

// assumeRoleActions are the actions an AssumeRole call needs allowed:
// tags need sts:TagSession, a new source identity sts:SetSourceIdentity.
func assumeRoleActions(in *assumeRoleInput) []string {
	actions := []string{"sts:AssumeRole"}
	if len(in.tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if in.sourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	return actions
}

// conditionContext is the request context policies' conditions see.
func conditionContext(id *identity, in *assumeRoleInput, srcID string, mfaAt, now time.Time) map[string]string {
	// A role session's principal, for policies, is its role.
	principalArn, principalType := id.arn, "User"
	if id.role != nil {
		principalArn, principalType = id.role.arn, "AssumedRole"
	}
	ctx := map[string]string{
		"sts:RoleSessionName":  in.sessionName,
		"aws:PrincipalArn":     principalArn,
		"aws:PrincipalAccount": id.account,
		"aws:PrincipalType":    principalType,
	}
	if in.externalID != "" {
		ctx["sts:ExternalId"] = in.externalID
	}
	if srcID != "" {
		ctx["sts:SourceIdentity"] = srcID
	}
	switch {
	case !mfaAt.IsZero():
		ctx["aws:MultiFactorAuthPresent"] = "true"
		ctx["aws:MultiFactorAuthAge"] = strconv.FormatInt(int64(now.Sub(mfaAt)/time.Second), 10)
	case id.temporary():
		ctx["aws:MultiFactorAuthPresent"] = "false"
	}
	return ctx
}

// evaluateAssumeRole evaluates one action against the role's trust policy,
// the caller's identity policies and its session policy. It returns why the
// action is denied, or "" when it is allowed.
func evaluateAssumeRole(id *identity, role *roleRec, action string, ctx map[string]string) string {
	caller := id.principal()
	trust := policy.Evaluate(policy.Request{Action: action, Caller: caller, Context: ctx}, role.trust)
	if trust.Effect != policy.Allow {
		return fmt.Sprintf("%s: trust policy of %s: %s", action, role.arn, trust.Reason)
	}
	// Within one account, a trust policy naming the caller itself grants
	// access without an identity policy; across accounts, or through the
	// account root, the caller's own policies must allow it too.
	needIdentity := id.account != role.account || !trust.Specific
	if why := id.allows(policy.Request{Action: action, Resource: role.arn, Context: ctx}, needIdentity); why != "" {
		return action + ": " + why
	}
	return ""
}

// checkRoleDuration applies the role-chaining cap and the role's maximum.
func checkRoleDuration(id *identity, role *roleRec, duration int) *apiError {
	if id.temporary() && duration > maxChainedSessionSeconds {
		return withReason(errChainedDuration, "the caller %s uses temporary credentials, so this is role chaining", id.arn)
	}
	if duration > role.maxSession {
		return withReason(errRoleDuration, "%s has a maximum session duration of %d seconds", role.arn, role.maxSession)
	}
	return nil
}

// packedPolicySize estimates PackedPolicySize, the percentage of the
// allowed size that the session policy and tags take; nil when there are
// neither.
func packedPolicySize(doc string, tags int) *int {
	if doc == "" && tags == 0 {
		return nil
	}
	size := (len(doc) + packedTagBytes*tags) * 100 / packedPolicyDivisor
	return &size
}
