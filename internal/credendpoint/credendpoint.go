// Package credendpoint is the wire of the container credential protocol
// that xacct.CredentialsHandler answers: what a request must be (a loopback
// Host, GET, no body, the token), the JSON of an answer and of an error,
// the server's timeouts, and the paths of several clients on one listener.
//
// Every AWS SDK and the AWS CLI fetch credentials from a local endpoint
// named by AWS_CONTAINER_CREDENTIALS_FULL_URI, sending the bytes of
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (or the value of
// AWS_CONTAINER_AUTHORIZATION_TOKEN) in the Authorization header.
package credendpoint

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// MinTokenLen is the shortest authorization token a handler accepts: 16
// bytes, 128 bits when random. A shorter one is a programming error.
const MinTokenLen = 16

// MinValidity is how long served credentials have left whenever the
// session allows it. botocore (the AWS CLI, boto3) fetches credentials
// again before every call once they have under 15 minutes left, and the
// JS and Go SDKs treat credentials with under 5 minutes left as expired:
// 1h credentials are served until 45 minutes have passed, then refreshed.
const MinValidity = 15 * time.Minute

// MaxWait bounds how long a request waits for credentials: the JS SDK
// gives up after 1s, botocore after 2s, and the Go SDK's client has no
// bound of its own. A request that would wait longer (a refresh another
// process holds the lock of while its user types an MFA code) gets a 503
// at 1s, and the SDK retries; the refresh goes on without it.
const MaxWait = time.Second

// Error codes of the answers, in the JSON's code and Code.
const (
	CodeUnauthorized     = "Unauthorized"           // 401: missing or wrong Authorization
	CodeForbiddenHost    = "ForbiddenHost"          // 403: Host is not a loopback name or address
	CodeNotFound         = "NotFound"               // 404: no client has this path
	CodeMethodNotAllowed = "MethodNotAllowed"       // 405: not GET
	CodeBodyNotAllowed   = "BodyNotAllowed"         // 413: a request with a body
	CodeMFACodeNeeded    = "MFACodeNeeded"          // 503: a refresh needs an MFA code, which a request never waits for
	CodePending          = "CredentialsPending"     // 503: the credentials were not ready within MaxWait
	CodeUnavailable      = "CredentialsUnavailable" // 502: fetching the credentials failed
)

// Token is an authorization token, kept as its SHA-256 so that comparing
// takes the same time whatever the length or bytes of what is compared.
type Token [sha256.Size]byte

// NewToken returns the Token of s.
func NewToken(s string) Token { return sha256.Sum256([]byte(s)) }

// Matches reports whether got is the token, in constant time.
func (t *Token) Matches(got string) bool {
	h := sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(h[:], t[:]) == 1
}

// Refusal is why a request gets no credentials: its status, code and
// message.
type Refusal struct {
	Status        int
	Code, Message string
}

// Check returns why r must be refused, or nil. The order matters: a page
// of another site (DNS rebinding) learns nothing, not even whether its
// method or token would do.
func Check(r *http.Request, token *Token) *Refusal {
	switch {
	case !LoopbackHost(r.Host):
		return &Refusal{http.StatusForbidden, CodeForbiddenHost,
			"the request's Host is not a loopback name or address (localhost, 127.0.0.0/8, [::1]): refused, as a page on another site would send it"}
	case r.Method != http.MethodGet:
		return &Refusal{http.StatusMethodNotAllowed, CodeMethodNotAllowed, "only GET fetches credentials"}
	case r.ContentLength != 0 || len(r.TransferEncoding) > 0:
		return &Refusal{http.StatusRequestEntityTooLarge, CodeBodyNotAllowed, "a credentials request has no body"}
	case !token.Matches(r.Header.Get("Authorization")):
		return &Refusal{http.StatusUnauthorized, CodeUnauthorized,
			"the Authorization header is missing or is not this endpoint's token (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)"}
	}
	return nil
}

// LoopbackHost reports whether host (a request's Host, with or without a
// port) names this machine only: localhost, an address of 127.0.0.0/8,
// or ::1.
func LoopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// answer is the JSON of credentials, as every SDK reads it.
type answer struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Token           string `json:"Token,omitempty"`
	Expiration      string `json:"Expiration,omitempty"`
	AccountID       string `json:"AccountId,omitempty"`
}

// WriteCredentials answers with creds: Expiration in RFC 3339, UTC, with a
// Z (the JS SDK accepts no other form), and never to be cached.
func WriteCredentials(w http.ResponseWriter, creds aws.Credentials) {
	a := answer{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey,
		Token: creds.SessionToken, AccountID: creds.AccountID}
	if creds.CanExpire {
		a.Expiration = creds.Expires.UTC().Format(time.RFC3339)
	}
	write(w, http.StatusOK, a)
}

// errorBody is the JSON of a failure: the Go SDK reads code and message,
// the JS SDK Code and Message; both are sent.
type errorBody struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	CodeJS    string `json:"Code"`
	MessageJS string `json:"Message"`
}

// WriteError answers with a failure.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	if status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodGet)
	}
	write(w, status, errorBody{Code: code, Message: message, CodeJS: code, MessageJS: message})
}

// WriteMFACodeNeeded answers that a refresh needs an MFA code, which a
// request never waits for: 503 CodeMFACodeNeeded, saying what to do.
func WriteMFACodeNeeded(w http.ResponseWriter) {
	WriteError(w, http.StatusServiceUnavailable, CodeMFACodeNeeded,
		"xacct: refreshing these credentials needs an MFA code, and a credentials request never waits for "+
			"a person: start a new MFA session where a person can type the code (with the xacct command: "+
			"`xacct login --profile PROFILE`, from any shell); the endpoint uses it at the next request")
}

// WritePending answers that the credentials were not ready within
// MaxWait: 503 CodePending, to be retried.
func WritePending(w http.ResponseWriter) {
	WriteError(w, http.StatusServiceUnavailable, CodePending,
		"xacct: the credentials were not ready within 1s (a refresh is under way, or another process "+
			"holds its lock, perhaps while its user types an MFA code); retry")
}

// Write answers with the refusal.
func (f *Refusal) Write(w http.ResponseWriter) { WriteError(w, f.Status, f.Code, f.Message) }

func write(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v) // plain strings: never fails
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}
