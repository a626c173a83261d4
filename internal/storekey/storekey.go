// Package storekey makes the keys of xacct's credential store: which
// stored session a fetch may use. A key is a one-way digest of everything
// that decides the session's identity and permissions, including the
// identity actually obtained at run time by the credentials that ask STS
// for it, never of a name (a profile, a command line, a file's path) that
// two identities could share. This package is the one place where keys
// and identities are hashed.
package storekey

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"io"
	"strconv"
)

// Scheme names the scheme of store keys. It is hashed into every
// key, so entries written under an older scheme (v1 keyed some sessions by
// names) are never found, hence never served.
const Scheme = "xacct-store-key-v2"

// Session is everything that decides a stored session. Every field is
// part of the key: a change of any one gives another key
// (xacct's TestSessionKeyCoversEveryInput). It holds no secret: Requester is a
// one-way digest.
type Session struct {
	Kind     string // what the session is: "assume-role", "mfa-session", "web-identity", KindSSORole
	Endpoint string // the endpoint that the SDK's client calls (endpointOf): STS's, or the AWS access portal's
	Region   string // the client's region, which decides the partition of a global endpoint

	// Requester identifies the credentials that ask STS for the session,
	// as obtained at run time (Credentials, Token, SSOAccessToken, or the
	// key of the stored session that signs), set per fetch.
	Requester string

	RoleARN           string
	SessionName       string
	ExternalID        string
	MFASerial         string
	DurationSeconds   int32
	Policy            string
	PolicyARNs        []string
	Tags              []string // key, value, key, value...: sorted by key as the request sends them
	TransitiveTagKeys []string
	SourceIdentity    string

	// SSO is what decides a KindSSORole session besides the access token
	// (the Requester): the AWS access portal's start URL, the account and
	// the role. Empty for every other kind, whose keys are then as they
	// were before it.
	SSO SSORole
}

// KindSSORole is the kind of the role credentials that the AWS access
// portal (GetRoleCredentials) gives for an IAM Identity Center access
// token.
const KindSSORole = "sso-role"

// SSORole is the portal's side of a KindSSORole session.
type SSORole struct {
	StartURL, AccountID, RoleName string
}

// Key returns the store key: the lowercase hexadecimal SHA-256 of the
// scheme and every field of k, each length-prefixed so that no two keys
// encode alike. This is the one place where store keys are made; a field
// added to Session must be added here (TestSessionKeyCoversEveryInput
// fails until it is).
func (k Session) Key() string {
	h := sha256.New()
	str := func(s string) { writeString(h, s) }
	list := func(l []string) {
		writeLength(h, len(l))
		for _, s := range l {
			str(s)
		}
	}
	for _, s := range []string{Scheme, k.Kind, k.Endpoint, k.Region, k.Requester, k.RoleARN,
		k.SessionName, k.ExternalID, k.MFASerial, strconv.Itoa(int(k.DurationSeconds)), k.Policy} {
		str(s)
	}
	list(k.PolicyARNs)
	list(k.Tags)
	list(k.TransitiveTagKeys)
	str(k.SourceIdentity)
	// Written only when set, so that the keys of the kinds before it stay
	// as they were; what follows makes the encoding longer, never alike.
	if k.SSO != (SSORole{}) {
		for _, s := range []string{"sso", k.SSO.StartURL, k.SSO.AccountID, k.SSO.RoleName} {
			str(s)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SSOAccessToken identifies an IAM Identity Center access token, the
// requester of a KindSSORole session: a keyed digest, since the token
// does not name its user and two users of one start URL may ask for the
// same account and role.
func SSOAccessToken(accessToken string) string {
	return "sso-access-token:" + digest(Scheme+"/sso-access-token", accessToken)
}

// Credentials is a keyed digest (HMAC-SHA-256) of the access key ID, the
// secret and the session token together. The digest is one-way: a key
// shows nothing of the credentials. Its key separates it from any other
// use of SHA-256 over the same secrets; the secret's own entropy is what
// makes it impossible to guess.
func Credentials(accessKeyID, secret, sessionToken string) string {
	return "credentials:" + digest(Scheme+"/credentials", accessKeyID, secret, sessionToken)
}

// digest is the hex HMAC-SHA-256 under label of parts, each prefixed with
// its length so that no two lists of parts encode alike.
func digest(label string, parts ...string) string {
	m := hmac.New(sha256.New, []byte(label))
	for _, s := range parts {
		writeString(m, s)
	}
	return hex.EncodeToString(m.Sum(nil))
}

// writeString writes s to h, prefixed with its length.
func writeString(h hash.Hash, s string) {
	writeLength(h, len(s))
	io.WriteString(h, s)
}

// writeLength writes n to h as 8 big-endian bytes.
func writeLength(h hash.Hash, n int) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	h.Write(b[:])
}
