// Package totp computes RFC 6238 time-based one-time passwords as virtual MFA
// devices do: HMAC-SHA1, six digits, 30-second steps.
package totp

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// Period is the length of one time step.
const Period = 30 * time.Second

// DecodeSecret decodes a base32 secret as authenticator apps accept it:
// case-insensitive, spaces ignored, padding optional.
func DecodeSecret(s string) ([]byte, error) {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	s = strings.TrimRight(s, "=")
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not base32 (A-Z, 2-7): %v", err)
	}
	if len(key) < 10 {
		return nil, fmt.Errorf("%d bytes: a TOTP secret needs at least 10 (16 base32 characters)", len(key))
	}
	return key, nil
}

// IsCode reports whether s has the shape of a code: exactly six digits.
func IsCode(s string) bool {
	return len(s) == 6 && strings.Trim(s, "0123456789") == ""
}

// Step returns the time step t falls in.
func Step(t time.Time) int64 { return t.Unix() / int64(Period/time.Second) }

// Code returns the six-digit code of key for a time step (RFC 4226 dynamic
// truncation).
func Code(key []byte, step int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1_000_000)
}
