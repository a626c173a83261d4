// Package ekstoken makes and reads the bearer tokens that an Amazon EKS
// cluster's authenticator (aws-iam-authenticator) accepts: "k8s-aws-v1."
// and the base64url, unpadded, of a presigned STS GetCallerIdentity URL
// whose signature covers the x-k8s-aws-id header naming the cluster.
//
// Both sides live here, each from its own rules: Presign signs with the
// SDK's STS presign client, as the AWS CLI's `aws eks get-token` does;
// Parse checks a token's form as the authenticator does before it replays
// the URL to STS.
package ekstoken

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const (
	// Prefix starts every token (the authenticator's v1 format).
	Prefix = "k8s-aws-v1."

	// ClusterHeader is the signed header that binds a token to one
	// cluster: a token for another cluster's authenticator fails STS's
	// signature check when it is replayed.
	ClusterHeader = "x-k8s-aws-id"

	// PresignExpires is the X-Amz-Expires the AWS CLI sends: 60 seconds.
	// STS ignores it for GetCallerIdentity (the URL is valid ServerLifetime
	// after X-Amz-Date); the authenticator checks it is 0 to MaxExpires.
	PresignExpires = 60

	// MaxExpires is the largest X-Amz-Expires the authenticator accepts.
	MaxExpires = 900

	// ServerLifetime is how long after its X-Amz-Date the authenticator
	// (and STS) accept a token: 15 minutes.
	ServerLifetime = 15 * time.Minute

	// ClientLifetime is how long a client should believe a token is good:
	// a minute less than ServerLifetime, as the AWS CLI says, so that a
	// token used at its last moment still arrives in time.
	ClientLifetime = ServerLifetime - time.Minute

	// MaxTokenBytes is the longest token the authenticator reads.
	MaxTokenBytes = 4096

	// maxClusterChars bounds a cluster name or ID (EKS names: 1 to 100).
	maxClusterChars = 100

	// dateLayout is the layout of X-Amz-Date.
	dateLayout = "20060102T150405Z"
)

// CheckCluster checks a cluster name or ID: 1 to 100 letters, digits, '-'
// and '_', starting with a letter or digit, as EKS names clusters (and
// cluster IDs, which are UUIDs, fit too).
func CheckCluster(cluster string) error {
	if cluster == "" {
		return errors.New("the cluster name is empty")
	}
	if len(cluster) > maxClusterChars {
		return fmt.Errorf("the cluster name has %d characters: at most %d", len(cluster), maxClusterChars)
	}
	for i, r := range cluster {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || (i > 0 && (r == '-' || r == '_'))
		if !ok {
			return fmt.Errorf("the cluster name %q has %q at %d: EKS names are letters, digits, '-' and '_', "+
				"starting with a letter or digit", cluster, r, i)
		}
	}
	return nil
}

// Presign returns the presigned GetCallerIdentity URL of a token for
// cluster, signed by client (its credentials, region and endpoint), and
// the time it was signed (its X-Amz-Date).
func Presign(ctx context.Context, client *sts.Client, cluster string) (string, time.Time, error) {
	pc := sts.NewPresignClient(client)
	req, err := pc.PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(po *sts.PresignOptions) {
		po.ClientOptions = append(po.ClientOptions, func(o *sts.Options) {
			o.APIOptions = append(o.APIOptions,
				smithyhttp.SetHeaderValue(ClusterHeader, cluster),
				// A header named X-Amz-* goes into the query when presigning.
				smithyhttp.SetHeaderValue("X-Amz-Expires", strconv.Itoa(PresignExpires)))
		})
	})
	if err != nil {
		return "", time.Time{}, err
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("the presigned URL does not parse: %w", err)
	}
	signed, err := time.Parse(dateLayout, u.Query().Get("X-Amz-Date"))
	if err != nil {
		return "", time.Time{}, errors.New("the presigned URL has no valid X-Amz-Date")
	}
	return req.URL, signed, nil
}

// Encode makes a token of a presigned URL.
func Encode(presigned string) string {
	return Prefix + base64.RawURLEncoding.EncodeToString([]byte(presigned))
}

// Parsed is a token whose form the authenticator accepts.
type Parsed struct {
	URL       *url.URL
	Query     url.Values // as sent, one value per name
	SignedAt  time.Time  // X-Amz-Date
	AccessKey string     // of X-Amz-Credential
}

// allowedParams are the query parameters the authenticator allows, in
// lower case.
var allowedParams = map[string]bool{
	"action": true, "version": true, "x-amz-algorithm": true, "x-amz-credential": true, "x-amz-date": true,
	"x-amz-expires": true, "x-amz-security-token": true, "x-amz-signature": true, "x-amz-signedheaders": true,
}

// Parse checks a token's form as the authenticator does: its length and
// prefix, the base64, an https URL (http for a host allowHTTP accepts: a
// fake on loopback) whose host allowHost accepts, path "/", only the
// parameters it allows, each once, Action GetCallerIdentity and Version
// 2011-06-15, ClusterHeader among the signed headers, X-Amz-Expires 0 to
// MaxExpires and an X-Amz-Date. It does not check the time, nor the
// signature: the caller's job.
func Parse(token string, allowHost func(host string) bool, allowHTTP func(host string) bool) (*Parsed, error) {
	if len(token) > MaxTokenBytes {
		return nil, fmt.Errorf("the token has %d bytes: at most %d", len(token), MaxTokenBytes)
	}
	rest, ok := strings.CutPrefix(token, Prefix)
	if !ok {
		return nil, fmt.Errorf("the token does not start with %q", Prefix)
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return nil, errors.New("the token is not base64url without padding")
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		return nil, errors.New("the token is not a URL")
	}
	if err := checkURL(u, allowHost, allowHTTP); err != nil {
		return nil, err
	}
	q, err := checkQuery(u.RawQuery)
	if err != nil {
		return nil, err
	}
	signed, err := time.Parse(dateLayout, q.Get("X-Amz-Date"))
	if err != nil {
		return nil, errors.New("X-Amz-Date is missing or not of the form 20060102T150405Z")
	}
	key, _, _ := strings.Cut(q.Get("X-Amz-Credential"), "/")
	return &Parsed{URL: u, Query: q, SignedAt: signed, AccessKey: key}, nil
}

// checkURL checks the scheme, host and path.
func checkURL(u *url.URL, allowHost, allowHTTP func(string) bool) error {
	switch {
	case u.Scheme != "https" && !(u.Scheme == "http" && allowHTTP(u.Host)):
		return fmt.Errorf("the URL's scheme is %q, not https", u.Scheme)
	case !allowHost(u.Host):
		return fmt.Errorf("the URL's host %q is not an STS endpoint", u.Host)
	case u.Path != "/":
		return fmt.Errorf("the URL's path is %q, not /", u.Path)
	}
	return nil
}

// checkQuery checks the parameters, and returns them with the names as
// sent.
func checkQuery(raw string) (url.Values, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, errors.New("the URL's query is malformed")
	}
	lower := url.Values{}
	for k, v := range q {
		if !allowedParams[strings.ToLower(k)] {
			return nil, fmt.Errorf("the URL has parameter %q, which the authenticator does not allow", k)
		}
		if len(v) != 1 || lower.Has(strings.ToLower(k)) {
			return nil, fmt.Errorf("the URL has parameter %q more than once", k)
		}
		lower.Set(strings.ToLower(k), v[0])
	}
	if lower.Get("action") != "GetCallerIdentity" {
		return nil, fmt.Errorf("the URL's action is %q, not GetCallerIdentity", lower.Get("action"))
	}
	if lower.Get("version") != "2011-06-15" {
		return nil, fmt.Errorf("the URL's version is %q, not 2011-06-15", lower.Get("version"))
	}
	signedCluster := false
	for _, h := range strings.Split(lower.Get("x-amz-signedheaders"), ";") {
		signedCluster = signedCluster || strings.EqualFold(h, ClusterHeader)
	}
	if !signedCluster {
		return nil, fmt.Errorf("the URL's signature does not cover the %s header", ClusterHeader)
	}
	exp, err := strconv.Atoi(lower.Get("x-amz-expires"))
	if err != nil || exp < 0 || exp > MaxExpires {
		return nil, fmt.Errorf("X-Amz-Expires %q is not 0 to %d", lower.Get("x-amz-expires"), MaxExpires)
	}
	return q, nil
}
