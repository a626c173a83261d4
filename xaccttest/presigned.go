package xaccttest

// Presigned requests: SigV4 in the query string (X-Amz-Signature), as an
// EKS token carries a GetCallerIdentity call and as the cluster's
// authenticator replays it (GET, host and x-k8s-aws-id signed).

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	// presignedCallerIdentityLife is how long STS answers a presigned
	// GetCallerIdentity after its X-Amz-Date, whatever its X-Amz-Expires:
	// 15 minutes (which the EKS authenticator relies on).
	presignedCallerIdentityLife = 15 * time.Minute
	// maxPresignExpires is SigV4's largest X-Amz-Expires: 7 days.
	maxPresignExpires = 7 * 24 * 3600
	// presignSkew is how far in the future an X-Amz-Date may be.
	presignSkew = 5 * time.Minute
	// unsignedPayload is the payload hash of query-string SigV4 in
	// botocore (the AWS CLI); the Go SDK signs the empty body's hash.
	// STS accepts both.
	unsignedPayload = "UNSIGNED-PAYLOAD"
)

var (
	errPresignExpired = &apiError{status: http.StatusForbidden, code: "AccessDenied", message: "Request has expired"}
	errPresignEarly   = &apiError{status: http.StatusForbidden, code: "SignatureDoesNotMatch",
		message: "Signature not yet current"}
)

// requestAuth parses who signed a request: its Authorization header, else
// the query of a presigned request.
func requestAuth(r *http.Request) sigV4 {
	if h := r.Header.Get("Authorization"); h != "" || !r.URL.Query().Has("X-Amz-Signature") {
		return parseAuthorization(h)
	}
	q := r.URL.Query()
	a := sigV4{presigned: true, signature: q.Get("X-Amz-Signature")}
	if q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" {
		return a
	}
	if f := strings.Split(q.Get("X-Amz-Credential"), "/"); len(f) == 5 && f[4] == "aws4_request" {
		a.accessKey, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
	}
	if sh := q.Get("X-Amz-SignedHeaders"); sh != "" {
		a.signedHeaders = strings.Split(sh, ";")
	}
	a.complete = a.accessKey != "" && a.signature != "" && len(a.signedHeaders) > 0
	return a
}

// authenticatePresigned is authenticate for a presigned request: a GET
// whose signature, credential scope and session token are in the query,
// within its time window.
func (s *Server) authenticatePresigned(r *http.Request, auth sigV4, service string) (*identity, *apiError) {
	q := r.URL.Query()
	switch {
	case r.Method != http.MethodGet:
		return nil, withReason(errBadSig, "a presigned request is a GET, not %s", clip(r.Method))
	case !auth.complete:
		return nil, withReason(errIncompleteSig, "a presigned request needs X-Amz-Algorithm AWS4-HMAC-SHA256, "+
			"X-Amz-Credential, X-Amz-SignedHeaders and X-Amz-Signature")
	case auth.service != service:
		return nil, withReason(errBadSig, "credential scope names service %q, not %s", clip(auth.service), service)
	}
	signed, err := time.Parse(amzDateLayout, q.Get("X-Amz-Date"))
	if err != nil || signed.Format("20060102") != auth.date {
		return nil, withReason(errBadSig, "X-Amz-Date %q is missing, malformed or not the credential scope's date",
			clip(q.Get("X-Amz-Date")))
	}
	if serr := s.presignWindow(q, signed); serr != nil {
		return nil, serr
	}
	id := s.lookupKey(auth.accessKey)
	if id == nil {
		return nil, withReason(errBadToken, "access key %s is unknown", clip(auth.accessKey))
	}
	if id.token != "" && !hmac.Equal([]byte(q.Get("X-Amz-Security-Token")), []byte(id.token)) {
		return nil, withReason(errBadToken, "the session token does not belong to access key %s", auth.accessKey)
	}
	if !presignedSignatureMatches(r, auth, id, signed) {
		return nil, withReason(errBadSig, "signature does not match the secret of %s and the signed headers %s",
			auth.accessKey, clip(strings.Join(auth.signedHeaders, ";")))
	}
	if !id.expires.IsZero() && !s.Clock.Now().Before(id.expires) {
		return nil, withReason(errExpired, "session %s expired at %s", auth.accessKey, id.expires.Format(time.RFC3339))
	}
	return id, nil
}

// presignWindow checks the request's time: not too far in the future, and
// not past X-Amz-Expires after it was signed (15 minutes for
// GetCallerIdentity, whatever X-Amz-Expires says).
func (s *Server) presignWindow(q url.Values, signed time.Time) *apiError {
	exp, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || exp < 1 || exp > maxPresignExpires {
		return &apiError{status: http.StatusBadRequest, code: "AuthorizationQueryParametersError",
			message: "X-Amz-Expires must be a number of seconds from 1 to 604800"}
	}
	life := time.Duration(exp) * time.Second
	if q.Get("Action") == "GetCallerIdentity" {
		life = presignedCallerIdentityLife
	}
	now := s.Clock.Now()
	if signed.After(now.Add(presignSkew)) {
		return withReason(errPresignEarly, "signed at %s, after now %s", signed.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	if !now.Before(signed.Add(life)) {
		return withReason(errPresignExpired, "signed at %s, valid for %v", signed.Format(time.RFC3339), life)
	}
	return nil
}

// presignedSignatureMatches signs the request again, from the query and
// the headers the client signed, with the SDK's signer and the secret the
// server knows, under either payload hash that STS accepts.
func presignedSignatureMatches(r *http.Request, auth sigV4, id *identity, at time.Time) bool {
	q := r.URL.Query()
	q.Del("X-Amz-Signature")
	empty := sha256.Sum256(nil)
	for _, payload := range []string{hex.EncodeToString(empty[:]), unsignedPayload} {
		vr, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.EscapedPath()+"?"+q.Encode(), nil)
		if err != nil {
			return false
		}
		vr.Host = r.Host
		for _, name := range auth.signedHeaders {
			if name != "host" {
				for _, v := range r.Header.Values(name) {
					vr.Header.Add(name, v)
				}
			}
		}
		creds := aws.Credentials{AccessKeyID: auth.accessKey, SecretAccessKey: id.secret, SessionToken: id.token}
		signedURL, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, vr, payload, auth.service, auth.region, at)
		if err != nil {
			continue
		}
		u, err := url.Parse(signedURL)
		if err == nil && hmac.Equal([]byte(u.Query().Get("X-Amz-Signature")), []byte(auth.signature)) {
			return true
		}
	}
	return false
}
