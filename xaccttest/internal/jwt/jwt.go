// Package jwt signs and verifies the JSON Web Tokens (RFC 7519) of the fake
// identity providers of package xaccttest: compact serialization, EdDSA
// signatures with Ed25519 keys (RFC 8037), the registered claims STS reads.
//
// It is not a general JWT library: it accepts only what Sign produces
// (header alg "EdDSA"), so that a token is either exactly right or refused
// with a reason.
package jwt

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/xacct/xacct/internal/trunc"
)

// Claims are the claims a token carries.
type Claims struct {
	Issuer   string    // iss: the provider's URL
	Subject  string    // sub
	Audience []string  // aud: one or more
	IssuedAt time.Time // iat
	Expires  time.Time // exp
}

// header is the JOSE header Sign writes.
type header struct {
	Alg string `json:"alg"`
	Typ string `json:"typ,omitempty"`
	Kid string `json:"kid,omitempty"`
}

// wire is the claims' JSON form: times in seconds since the epoch, aud a
// string when there is one.
type wire struct {
	Iss string          `json:"iss"`
	Sub string          `json:"sub"`
	Aud json.RawMessage `json:"aud"`
	Iat int64           `json:"iat"`
	Exp int64           `json:"exp"`
}

const alg = "EdDSA"

var enc = base64.RawURLEncoding

// Sign returns the compact serialization of the claims, signed with key.
// kid names the key in the header.
func Sign(c Claims, kid string, key ed25519.PrivateKey) (string, error) {
	if len(c.Audience) == 0 {
		return "", errors.New("jwt: no audience")
	}
	if slices.Contains(c.Audience, "") {
		return "", errors.New("jwt: an empty audience")
	}
	var aud any = c.Audience
	if len(c.Audience) == 1 {
		aud = c.Audience[0]
	}
	audJSON, err := json.Marshal(aud)
	if err != nil {
		return "", err
	}
	h, err := json.Marshal(header{Alg: alg, Typ: "JWT", Kid: kid})
	if err != nil {
		return "", err
	}
	p, err := json.Marshal(wire{Iss: c.Issuer, Sub: c.Subject, Aud: audJSON, Iat: c.IssuedAt.Unix(), Exp: c.Expires.Unix()})
	if err != nil {
		return "", err
	}
	signed := enc.EncodeToString(h) + "." + enc.EncodeToString(p)
	return signed + "." + enc.EncodeToString(ed25519.Sign(key, []byte(signed))), nil
}

// Parse reads a token's claims without verifying it, so that the verifier
// can pick the key of its issuer. The error says what is malformed.
func Parse(token string) (Claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Claims{}, fmt.Errorf("a JWT has 3 dot-separated parts, this has %d", len(parts))
	}
	var h header
	if err := decodePart(parts[0], &h); err != nil {
		return Claims{}, fmt.Errorf("header: %v", err)
	}
	if h.Alg != alg {
		return Claims{}, fmt.Errorf("header: alg %q is not %s", trunc.String(h.Alg), alg)
	}
	var w wire
	if err := decodePart(parts[1], &w); err != nil {
		return Claims{}, fmt.Errorf("claims: %v", err)
	}
	c := Claims{Issuer: w.Iss, Subject: w.Sub, IssuedAt: time.Unix(w.Iat, 0).UTC(), Expires: time.Unix(w.Exp, 0).UTC()}
	var one string
	switch {
	case len(w.Aud) == 0 || string(w.Aud) == "null":
	case json.Unmarshal(w.Aud, &one) == nil:
		c.Audience = []string{one}
	default:
		if err := json.Unmarshal(w.Aud, &c.Audience); err != nil {
			return Claims{}, errors.New("claims: aud is neither a string nor a list of strings")
		}
	}
	switch {
	case c.Issuer == "":
		return Claims{}, errors.New("claims: no iss")
	case c.Subject == "":
		return Claims{}, errors.New("claims: no sub")
	case len(c.Audience) == 0:
		return Claims{}, errors.New("claims: no aud")
	case slices.Contains(c.Audience, ""):
		// "" or [""] would pass for an audience that no client has.
		return Claims{}, errors.New("claims: an empty aud")
	case w.Exp == 0:
		return Claims{}, errors.New("claims: no exp")
	}
	return c, nil
}

// Verify checks the token's signature with key.
func Verify(token string, key ed25519.PublicKey) error {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return errors.New("not a JWT")
	}
	sig, err := enc.DecodeString(token[i+1:])
	if err != nil || !ed25519.Verify(key, []byte(token[:i]), sig) {
		return errors.New("the signature does not verify with the issuer's key")
	}
	return nil
}

func decodePart(s string, v any) error {
	b, err := enc.DecodeString(s)
	if err != nil {
		return errors.New("not base64url")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return errors.New("not a JSON object of the expected fields")
	}
	return nil
}
