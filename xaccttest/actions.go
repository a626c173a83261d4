package xaccttest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/xacct/xacct/internal/policy"
	"github.com/xacct/xacct/internal/totp"
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
}

func (id *identity) temporary() bool { return id.token != "" }

func (id *identity) userID() string {
	if id.role != nil {
		return id.role.id + ":" + id.sessionName
	}
	return id.user.id
}

func (id *identity) principal() policy.Principal {
	p := policy.Principal{ARN: id.arn, Account: id.account}
	if id.role != nil {
		p.RoleARN = id.role.arn
	}
	return p
}

// assumeRole implements AssumeRole.
func (s *Server) assumeRole(id *identity, form url.Values, call *Call) (any, *stsError) {
	in := assumeRoleInput{
		roleARN: form.Get("RoleArn"), sessionName: form.Get("RoleSessionName"),
		externalID: form.Get("ExternalId"), serial: form.Get("SerialNumber"), code: form.Get("TokenCode"),
		policy: form.Get("Policy"), sourceIdentity: form.Get("SourceIdentity"),
		tags:       members(form, "Tags", "Key", "Value"),
		transitive: members(form, "TransitiveTagKeys", "", ""),
		policyARNs: members(form, "PolicyArns", "arn", ""),
	}
	call.RoleARN, call.RoleSessionName, call.ExternalID = in.roleARN, in.sessionName, in.externalID
	call.SerialNumber, call.SourceIdentity = in.serial, in.sourceIdentity
	duration, serr := in.validate(form)
	call.DurationSeconds = duration
	if serr != nil {
		return nil, serr
	}
	var sessionPolicy *policy.Policy
	if in.policy != "" {
		p, err := policy.Parse([]byte(in.policy), policy.Identity)
		if err != nil {
			return nil, &stsError{status: 400, code: "MalformedPolicyDocument", message: "The policy is not in the valid JSON format or has a syntax error.", reason: err.Error()}
		}
		sessionPolicy = p
	}

	now := s.Clock.Now()
	denied := func(format string, args ...any) *stsError {
		return &stsError{status: 403, code: "AccessDenied",
			message: fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", id.arn, in.roleARN),
			reason:  fmt.Sprintf(format, args...)}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	role, ok := s.roles[in.roleARN]
	if !ok {
		return nil, denied("role %s does not exist", in.roleARN)
	}
	mfaAt := id.mfaAt
	if in.serial != "" || in.code != "" {
		if serr := s.checkMFA(id, in.serial, in.code, now); serr != nil {
			return nil, serr
		}
		mfaAt, call.MFA = now, true
	}
	srcID := in.sourceIdentity
	if id.sourceIdentity != "" {
		if srcID != "" && srcID != id.sourceIdentity {
			return nil, denied("the caller's session has source identity %q, which a chained session cannot change", id.sourceIdentity)
		}
		srcID = id.sourceIdentity
	}

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

	actions := []string{"sts:AssumeRole"}
	if len(in.tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if in.sourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	caller := id.principal()
	for _, action := range actions {
		trust := policy.Evaluate(policy.Request{Action: action, Caller: caller, Context: ctx}, role.trust)
		if trust.Effect != policy.Allow {
			return nil, denied("%s: trust policy of %s: %s", action, role.arn, trust.Reason)
		}
		// Within one account, a trust policy naming the caller itself grants
		// access without an identity policy; across accounts, or through
		// the account root, the caller's own policies must allow it too.
		req := policy.Request{Action: action, Resource: role.arn, Context: ctx}
		ident := policy.Evaluate(req, id.policies()...)
		needIdentity := id.account != role.account || !trust.Specific
		if ident.Effect == policy.ExplicitDeny || (needIdentity && ident.Effect != policy.Allow) {
			return nil, denied("%s: identity policies of %s: %s", action, caller.ARN, ident.Reason)
		}
		if id.sessionPolicy != nil {
			if sp := policy.Evaluate(req, id.sessionPolicy); sp.Effect != policy.Allow {
				return nil, denied("%s: session policy of the caller: %s", action, sp.Reason)
			}
		}
	}

	// Durations, checked after authorization as STS does.
	if id.temporary() && duration > 3600 {
		return nil, &stsError{status: 400, code: "ValidationError",
			message: "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
			reason:  fmt.Sprintf("the caller %s uses temporary credentials, so this is role chaining", id.arn)}
	}
	if duration > role.maxSession {
		return nil, &stsError{status: 400, code: "ValidationError",
			message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
			reason:  fmt.Sprintf("%s has a maximum session duration of %d seconds", role.arn, role.maxSession)}
	}

	sess := &identity{
		account: role.account, role: role, sessionName: in.sessionName,
		arn:    fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", role.account, role.name, in.sessionName),
		secret: randomSecret(), token: randomToken(), expires: now.Add(time.Duration(duration) * time.Second),
		mfaAt: mfaAt, sessionPolicy: sessionPolicy, sourceIdentity: srcID,
	}
	key := s.newKey(sess)
	out := assumeRoleResponse{}
	r := &out.Result
	r.Credentials = credentialsXML(key, sess)
	r.AssumedRoleUser.ARN, r.AssumedRoleUser.ID = sess.arn, sess.userID()
	r.SourceIdentity = srcID
	if in.policy != "" || len(in.tags) > 0 {
		size := (len(in.policy) + 40*len(in.tags)) * 100 / 2048
		r.PackedPolicySize = &size
	}
	return &out, nil
}

// getSessionToken implements GetSessionToken.
func (s *Server) getSessionToken(id *identity, form url.Values, call *Call) (any, *stsError) {
	serial, code := form.Get("SerialNumber"), form.Get("TokenCode")
	call.SerialNumber = serial
	duration, problems := durationSeconds(form, 43200, 129600)
	call.DurationSeconds = duration
	problems = append(problems, checkMFAParams(serial, code)...)
	if len(problems) > 0 {
		return nil, validationErrors(problems)
	}
	if id.temporary() || id.user == nil {
		return nil, &stsError{status: 403, code: "AccessDenied", message: "Cannot call GetSessionToken with session credentials",
			reason: "GetSessionToken takes an IAM user's long-term access key"}
	}
	now := s.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var mfaAt time.Time
	if serial != "" || code != "" {
		if serr := s.checkMFA(id, serial, code, now); serr != nil {
			return nil, serr
		}
		mfaAt, call.MFA = now, true
	}
	sess := &identity{
		account: id.account, arn: id.arn, user: id.user,
		secret: randomSecret(), token: randomToken(), expires: now.Add(time.Duration(duration) * time.Second),
		mfaAt: mfaAt,
	}
	key := s.newKey(sess)
	out := getSessionTokenResponse{}
	out.Result.Credentials = credentialsXML(key, sess)
	return &out, nil
}

func (s *Server) getCallerIdentity(id *identity) any {
	out := getCallerIdentityResponse{}
	out.Result.ARN, out.Result.UserID, out.Result.Account = id.arn, id.userID(), id.account
	return &out
}

// checkMFA verifies a TOTP code of the caller's own device and spends it.
// s.mu must be held.
func (s *Server) checkMFA(id *identity, serial, code string, now time.Time) *stsError {
	if serial == "" || code == "" {
		return &stsError{status: 403, code: "AccessDenied", message: "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.",
			reason: "SerialNumber and TokenCode go together"}
	}
	d := s.devices[serial]
	if d == nil || id.user == nil || id.user.device != d {
		return &stsError{status: 403, code: "AccessDenied", message: "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.",
			reason: fmt.Sprintf("MFA device %s is not the caller's (%s)", serial, id.arn)}
	}
	step := totp.Step(now)
	for _, st := range []int64{step - 1, step, step + 1} {
		if totp.Code(d.key, st) != code {
			continue
		}
		if st <= d.lastStep {
			return &stsError{status: 403, code: "AccessDenied", message: "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
				reason: fmt.Sprintf("the code of %s was used before", serial)}
		}
		d.lastStep = st
		return nil
	}
	return &stsError{status: 403, code: "AccessDenied", message: "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
		reason: fmt.Sprintf("wrong code for %s at %s (one 30 s step of tolerance)", serial, now.Format(time.RFC3339))}
}

// policies returns the identity policies that apply to the caller.
func (id *identity) policies() []*policy.Policy {
	if id.role != nil {
		return id.role.policies
	}
	return id.user.policies
}

// newKey registers a session under a fresh access key. s.mu must be held.
func (s *Server) newKey(sess *identity) string {
	for {
		key := "ASIA" + randomBase32(16)
		if _, dup := s.keys[key]; !dup {
			s.keys[key] = sess
			return key
		}
	}
}

type assumeRoleInput struct {
	roleARN, sessionName, externalID, serial, code, policy, sourceIdentity string
	tags                                                                   [][2]string
	transitive, policyARNs                                                 [][2]string
}

// validate applies STS's input constraints, collecting every violation into
// one ValidationError as STS does.
func (in *assumeRoleInput) validate(form url.Values) (int, *stsError) {
	duration, p := durationSeconds(form, 3600, 43200)
	switch {
	case in.roleARN == "":
		p = append(p, "Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
	case len(in.roleARN) < 20 || len(in.roleARN) > 2048:
		p = append(p, fmt.Sprintf("Value '%s' at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048", in.roleARN))
	}
	if in.sessionName == "" {
		p = append(p, "Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
	} else {
		p = append(p, pattern("roleSessionName", in.sessionName, 2, 64, "[\\w+=,.@-]*", "+=,.@-")...)
	}
	if in.externalID != "" {
		p = append(p, pattern("externalId", in.externalID, 2, 1224, "[\\w+=,.@:\\/-]*", "+=,.@:/-")...)
	}
	p = append(p, checkMFAParams(in.serial, in.code)...)
	if in.sourceIdentity != "" {
		p = append(p, pattern("sourceIdentity", in.sourceIdentity, 2, 64, "[\\w+=,.@-]*", "+=,.@-")...)
	}
	if len(in.policy) > 2048 {
		p = append(p, "Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048")
	}
	if len(in.tags) > 50 {
		p = append(p, "Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	for _, t := range in.tags {
		if len(t[0]) < 1 || len(t[0]) > 128 || len(t[1]) > 256 {
			p = append(p, fmt.Sprintf("Value at 'tags' failed to satisfy constraint: tag %q: keys are 1 to 128 characters, values at most 256", t[0]))
		}
	}
	if len(in.transitive) > 50 {
		p = append(p, "Value at 'transitiveTagKeys' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	if len(in.policyARNs) > 10 {
		p = append(p, "Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10")
	}
	if len(p) > 0 {
		return duration, validationErrors(p)
	}
	for _, k := range in.transitive {
		if !hasTag(in.tags, k[0]) {
			return duration, &stsError{status: 400, code: "InvalidParameterValue", message: fmt.Sprintf("Transitive tag key %s must be included in the requested tags.", k[0])}
		}
	}
	return duration, nil
}

func hasTag(tags [][2]string, key string) bool {
	for _, t := range tags {
		if t[0] == key {
			return true
		}
	}
	return false
}

// durationSeconds reads DurationSeconds (def when absent) and checks it is
// a number from 900 to max.
func durationSeconds(form url.Values, def, max int) (int, []string) {
	if !form.Has("DurationSeconds") {
		return def, nil
	}
	raw := form.Get("DurationSeconds")
	d, err := strconv.Atoi(raw)
	switch {
	case err != nil:
		return 0, []string{fmt.Sprintf("Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must be a number", raw)}
	case d < 900:
		return d, []string{fmt.Sprintf("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900", d)}
	case d > max:
		return d, []string{fmt.Sprintf("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to %d", d, max)}
	}
	return d, nil
}

// checkMFAParams checks the shapes of SerialNumber and TokenCode. The code
// is never quoted.
func checkMFAParams(serial, code string) []string {
	var p []string
	if serial != "" {
		p = append(p, pattern("serialNumber", serial, 9, 256, "[\\w+=/:,.@-]*", "+=/:,.@-")...)
	}
	if code != "" && !totp.IsCode(code) {
		p = append(p, "Value at 'tokenCode' failed to satisfy constraint: Member must have length 6 and satisfy regular expression pattern: [\\d]*")
	}
	return p
}

// pattern checks a value's length and characters (\w plus extra), in STS's
// message shape. The value is quoted as STS does; none of these are secrets.
func pattern(field, v string, lo, hi int, re, extra string) []string {
	var p []string
	if len(v) < lo {
		p = append(p, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", v, field, lo))
	}
	if len(v) > hi {
		p = append(p, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", v, field, hi))
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || strings.ContainsRune(extra, r)) {
			p = append(p, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", v, field, re))
			break
		}
	}
	return p
}

func validationErrors(p []string) *stsError {
	n := "1 validation error"
	if len(p) > 1 {
		n = fmt.Sprintf("%d validation errors", len(p))
	}
	return &stsError{status: 400, code: "ValidationError", message: n + " detected: " + strings.Join(p, "; ")}
}

// members reads a query-protocol list: Name.member.N (with .Key/.Value
// fields, or a plain value when fields are empty).
func members(form url.Values, name, f1, f2 string) [][2]string {
	var out [][2]string
	for i := 1; ; i++ {
		base := fmt.Sprintf("%s.member.%d", name, i)
		var a, b string
		var ok bool
		if f1 == "" {
			a, ok = form.Get(base), form.Has(base)
		} else {
			a, ok = form.Get(base+"."+f1), form.Has(base+"."+f1)
			b = form.Get(base + "." + f2)
		}
		if !ok {
			return out
		}
		out = append(out, [2]string{a, b})
	}
}

func randomBase32(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base32.StdEncoding.EncodeToString(b)[:n]
}

func randomSecret() string {
	b := make([]byte, 30)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b) // 40 characters, like AWS secrets
}

func randomToken() string {
	b := make([]byte, 96)
	rand.Read(b)
	return "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString(b)
}

// stableID derives a unique-looking ID (as in AIDA.../AROA...) from a name.
func stableID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return base32.StdEncoding.EncodeToString(sum[:])[:17]
}
