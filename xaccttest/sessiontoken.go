package xaccttest

import (
	"net/url"
	"time"
)

// getSessionToken implements GetSessionToken: a session of an IAM user's
// long-term key, with MFA when a code comes with it.
func (s *Server) getSessionToken(id *identity, form url.Values, call *Call) (any, *apiError) {
	serial, code := form.Get("SerialNumber"), form.Get("TokenCode")
	call.SerialNumber = clip(serial)
	duration, problems := durationSeconds(form, defaultSessionTokenSeconds, maxSessionTokenSeconds)
	call.DurationSeconds = duration
	problems = append(problems, checkMFAParams(serial, code)...)
	if len(problems) > 0 {
		return nil, validationErrors(problems)
	}
	if id.temporary() || id.user == nil {
		return nil, withReason(errSessionTokenWithSession, "GetSessionToken takes an IAM user's long-term access key")
	}
	now := s.Clock.Now()
	secret, sessionToken := randomSecret(), randomToken() // before the lock: reading crypto/rand may wait
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
		secret: secret, token: sessionToken, expires: now.Add(time.Duration(duration) * time.Second),
		mfaAt: mfaAt,
	}
	key := s.newSession(sess)
	out := getSessionTokenResponse{}
	out.Result.Credentials = credentialsXML(key, sess)
	return &out, nil
}
