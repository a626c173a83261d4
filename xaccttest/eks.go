package xaccttest

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/xacct/xacct/internal/ekstoken"
)

// stsHost matches the hosts of STS endpoints that an EKS cluster's
// authenticator allows: sts.amazonaws.com and the regional (and FIPS)
// endpoints of each partition.
var stsHost = lazyRegexp(`^sts(-fips)?(\.[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9])?\.amazonaws\.com(\.cn)?$`)

// VerifyEKSToken checks an EKS bearer token as the cluster's authenticator
// (aws-iam-authenticator) does, for the cluster named cluster, and returns
// the ARN of who signed it.
//
// It checks the token's form: its length, the "k8s-aws-v1." prefix, the
// base64url, an https URL on an STS endpoint's host (or http on this
// server's own), path /, only the parameters the authenticator allows,
// Action GetCallerIdentity, Version 2011-06-15, the x-k8s-aws-id header
// among the signed ones, X-Amz-Expires 0 to 900, and no more than 15
// minutes since X-Amz-Date on the server's Clock. Then it replays the URL
// to this server as the authenticator replays it to STS: a GET with
// x-k8s-aws-id set to cluster, so the signature (over that header, the
// query and the host) fails for a token of another cluster or with a
// tampered parameter. The replay is recorded as a GetCallerIdentity Call.
// Tokens for a real STS host are verified here too: the server knows the
// secrets of its keys.
func (s *Server) VerifyEKSToken(token, cluster string) (arn string, err error) {
	own, err := url.Parse(s.URL)
	if err != nil {
		return "", fmt.Errorf("xaccttest: VerifyEKSToken: %v", err)
	}
	isOwn := func(host string) bool { return host == own.Host }
	p, err := ekstoken.Parse(token, func(h string) bool { return isOwn(h) || stsHost().MatchString(h) }, isOwn)
	if err != nil {
		return "", fmt.Errorf("xaccttest: EKS token refused: %v", err)
	}
	if now := s.Clock.Now(); now.After(p.SignedAt.Add(ekstoken.ServerLifetime)) {
		return "", fmt.Errorf("xaccttest: EKS token refused: signed at %s, expired %v later (at %s); now is %s",
			p.SignedAt.Format("2006-01-02T15:04:05Z"), ekstoken.ServerLifetime,
			p.SignedAt.Add(ekstoken.ServerLifetime).Format("15:04:05Z"), now.UTC().Format("15:04:05Z"))
	}
	req := httptest.NewRequest(http.MethodGet, p.URL.String(), nil)
	req.Host = p.URL.Host
	req.Header.Set(ekstoken.ClusterHeader, cluster)
	req.Header.Set("Accept", "application/json")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return replayAnswer(rec)
}

// replayAnswer reads the answer to a replayed token: the caller's ARN, or
// STS's error.
func replayAnswer(rec *httptest.ResponseRecorder) (string, error) {
	if rec.Code != http.StatusOK {
		var e errorResponse
		if xml.Unmarshal(rec.Body.Bytes(), &e) != nil {
			return "", fmt.Errorf("xaccttest: EKS token refused by STS: HTTP %d", rec.Code)
		}
		return "", fmt.Errorf("xaccttest: EKS token refused by STS: %s: %s", e.Error.Code, e.Error.Message)
	}
	var out getCallerIdentityResponse
	if err := xml.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Result.ARN == "" {
		return "", errors.New("xaccttest: EKS token: STS's answer has no Arn")
	}
	return out.Result.ARN, nil
}
