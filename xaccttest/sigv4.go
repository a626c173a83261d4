package xaccttest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// amzDateLayout is the layout of X-Amz-Date.
const amzDateLayout = "20060102T150405Z"

// sigV4 is a parsed Authorization header.
type sigV4 struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
	// presigned: read from the query of a presigned request (requestAuth).
	presigned bool
	// complete says the header is SigV4's with a Credential, SignedHeaders
	// and a Signature; when not, the fields hold what was read before the
	// parse stopped (such as the access key of a header without Signature).
	complete bool
}

// parseAuthorization parses an Authorization header.
func parseAuthorization(h string) sigV4 {
	var a sigV4
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return a
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a
		}
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return a
			}
			a.accessKey, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	a.complete = a.accessKey != "" && a.signature != "" && len(a.signedHeaders) > 0
	return a
}

// authenticate finds the caller by the access key of auth, the request's
// parsed Authorization header, and checks the request's signature for
// service by signing it again with the SDK's SigV4 signer and the secret
// the server knows.
func (s *Server) authenticate(r *http.Request, body []byte, auth sigV4, service string) (*identity, *apiError) {
	if auth.presigned {
		return s.authenticatePresigned(r, auth, service)
	}
	if r.Header.Get("Authorization") == "" {
		return nil, errMissingAuth
	}
	if !auth.complete {
		return nil, errIncompleteSig
	}
	if auth.service != service {
		return nil, withReason(errBadSig, "credential scope names service %q, not %s", clip(auth.service), service)
	}
	amzDate := r.Header.Get("X-Amz-Date")
	signingTime, err := time.Parse(amzDateLayout, amzDate)
	if err != nil {
		return nil, &apiError{status: http.StatusBadRequest, code: "IncompleteSignature",
			message: "Authorization header requires existence of a valid 'X-Amz-Date' header."}
	}
	if signingTime.Format("20060102") != auth.date {
		return nil, withReason(errBadSig, "credential scope date %s is not the date of X-Amz-Date %s", clip(auth.date), amzDate)
	}

	id := s.lookupKey(auth.accessKey)
	if id == nil {
		return nil, withReason(errBadToken, "access key %s is unknown", clip(auth.accessKey))
	}
	if id.token != "" && !hmac.Equal([]byte(r.Header.Get("X-Amz-Security-Token")), []byte(id.token)) {
		return nil, withReason(errBadToken, "the session token does not belong to access key %s", auth.accessKey)
	}
	if want, err := signature(r, body, auth, id, signingTime); err != nil {
		return nil, withReason(errBadSig, "signing: %v", err)
	} else if !hmac.Equal([]byte(want), []byte(auth.signature)) {
		return nil, withReason(errBadSig, "signature does not match the secret of %s", auth.accessKey)
	}
	if !id.expires.IsZero() && !s.Clock.Now().Before(id.expires) {
		return nil, withReason(errExpired, "session %s expired at %s", auth.accessKey, id.expires.Format(time.RFC3339))
	}
	return id, nil
}

// signature rebuilds the request from the headers the client signed and
// signs it with the caller's secret.
func signature(r *http.Request, body []byte, auth sigV4, id *identity, at time.Time) (string, error) {
	vr, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	if err != nil {
		return "", err
	}
	vr.Host = r.Host
	for _, name := range auth.signedHeaders {
		switch name {
		case "host":
		case "content-length":
			vr.ContentLength = int64(len(body))
		default:
			for _, v := range r.Header.Values(name) {
				vr.Header.Add(name, v)
			}
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: auth.accessKey, SecretAccessKey: id.secret, SessionToken: id.token}
	err = v4.NewSigner().SignHTTP(context.Background(), creds, vr, hex.EncodeToString(sum[:]), auth.service, auth.region, at)
	if err != nil {
		return "", err
	}
	return parseAuthorization(vr.Header.Get("Authorization")).signature, nil
}
