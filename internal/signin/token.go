package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const (
	// maxAnswerBytes bounds the federation endpoint's answer: a sign-in
	// token is a few kilobytes.
	maxAnswerBytes = 64 << 10
	// maxReasonChars bounds the text of a refusal quoted in an error.
	maxReasonChars = 200
)

// HTTPClient is what sends the request: aws.Config.HTTPClient.
type HTTPClient interface {
	Do(*http.Request) (*http.Response, error)
}

// Token asks the federation endpoint for the sign-in token of a session
// (getSigninToken). duration, when not zero, is the console session's
// length (SessionDuration). Errors never show the request's URL, which
// holds the session's keys.
func Token(ctx context.Context, client HTTPClient, endpoint string, creds aws.Credentials, duration time.Duration) (string, error) {
	session, err := json.Marshal(map[string]string{
		"sessionId": creds.AccessKeyID, "sessionKey": creds.SecretAccessKey, "sessionToken": creds.SessionToken,
	})
	if err != nil {
		return "", err
	}
	q := url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}
	if duration > 0 {
		q.Set("SessionDuration", strconv.Itoa(int(duration/time.Second)))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"?"+q.Encode(), nil)
	if err != nil {
		return "", fmt.Errorf("the federation endpoint %s is not a URL", endpoint) // err would show the keys
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which holds the keys
		}
		return "", fmt.Errorf("getSigninToken at %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return "", fmt.Errorf("getSigninToken at %s: reading the answer: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("getSigninToken at %s refused the session: HTTP %d%s", endpoint, resp.StatusCode, reason(resp, body))
	}
	var out struct{ SigninToken string }
	if len(body) > maxAnswerBytes || json.Unmarshal(body, &out) != nil || out.SigninToken == "" {
		return "", fmt.Errorf("getSigninToken at %s: the answer is not JSON with a SigninToken", endpoint)
	}
	return out.SigninToken, nil
}

// reason quotes a refusal's text when it is short plain text (the real
// endpoint answers with a page, which says nothing more than the status).
func reason(resp *http.Response, body []byte) string {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	text := strings.TrimSpace(string(body))
	if mt != "text/plain" || text == "" || len(text) > maxReasonChars || strings.ContainsAny(text, "\r\n") {
		return ""
	}
	return ": " + text
}

// FederationToken is GetFederationToken: a federated user's session from
// an IAM user's long-term keys, whose permissions are the intersection of
// the user's policies and policy.
func FederationToken(ctx context.Context, client *sts.Client, name, policy string, duration time.Duration) (aws.Credentials, error) {
	out, err := client.GetFederationToken(ctx, &sts.GetFederationTokenInput{
		Name: aws.String(name), Policy: aws.String(policy), DurationSeconds: aws.Int32(int32(duration / time.Second)),
	})
	if err != nil {
		return aws.Credentials{}, err
	}
	c := out.Credentials
	if c == nil || c.AccessKeyId == nil || c.SecretAccessKey == nil || c.SessionToken == nil || c.Expiration == nil {
		return aws.Credentials{}, errors.New("GetFederationToken answered without complete credentials")
	}
	return aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken,
		CanExpire: true, Expires: *c.Expiration, Source: "xacct: GetFederationToken"}, nil
}
