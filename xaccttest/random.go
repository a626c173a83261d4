package xaccttest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
)

// randomBase32 returns n random base32 characters (access key IDs).
func randomBase32(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base32.StdEncoding.EncodeToString(b)[:n]
}

// randomSecret returns a secret access key: 40 characters, like AWS's.
func randomSecret() string {
	b := make([]byte, 30)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// randomToken returns a session token in the shape of STS's.
func randomToken() string {
	b := make([]byte, 96)
	rand.Read(b)
	return "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString(b)
}

// stableID derives a unique-looking ID (as in AIDA.../AROA...) from a name.
func stableID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return base32.StdEncoding.EncodeToString(sum[:])[:17]
}
