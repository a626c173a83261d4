package jwt

import (
	"crypto/ed25519"
	"crypto/rand"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSignParseVerify(t *testing.T) {
	t.Parallel()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := Claims{Issuer: "https://oidc.example.com", Subject: "system:serviceaccount:ci:deployer",
		Audience: []string{"sts.amazonaws.com"}, IssuedAt: at, Expires: at.Add(time.Hour)}
	tok, err := Sign(c, "k1", key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(tok)
	if err != nil {
		t.Fatal(err)
	}
	if got.Issuer != c.Issuer || got.Subject != c.Subject || len(got.Audience) != 1 || got.Audience[0] != c.Audience[0] ||
		!got.IssuedAt.Equal(at) || !got.Expires.Equal(at.Add(time.Hour)) {
		t.Fatalf("Parse = %+v, want %+v", got, c)
	}
	if err := Verify(tok, pub); err != nil {
		t.Fatalf("Verify with the signing key: %v", err)
	}
	if err := Verify(tok, otherPub); err == nil {
		t.Fatal("Verify with another key passed")
	}
	// A changed claim breaks the signature.
	parts := strings.Split(tok, ".")
	forged, _ := Sign(Claims{Issuer: c.Issuer, Subject: "root", Audience: c.Audience, Expires: c.Expires}, "k1", key)
	if err := Verify(parts[0]+"."+strings.Split(forged, ".")[1]+"."+parts[2], pub); err == nil {
		t.Fatal("a token with swapped claims verified")
	}
	// Several audiences.
	c.Audience = []string{"a", "b"}
	tok, _ = Sign(c, "k1", key)
	if got, err := Parse(tok); err != nil || len(got.Audience) != 2 {
		t.Fatalf("two audiences: %+v %v", got, err)
	}
	// Sign makes no token that Parse would refuse.
	for _, aud := range [][]string{nil, {""}, {"a", ""}} {
		c.Audience = aud
		if _, err := Sign(c, "k1", key); err == nil {
			t.Errorf("Sign with audience %q: no error", aud)
		}
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	good, _ := Sign(Claims{Issuer: "https://i", Subject: "s", Audience: []string{"a"}, Expires: time.Now()}, "", key)
	parts := strings.Split(good, ".")
	for _, tt := range []struct{ name, tok, want string }{
		{"two parts", "a.b", "3 dot-separated parts"},
		{"not base64", "!!." + parts[1] + "." + parts[2], "header: not base64url"},
		{"other alg", enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + ".", `alg "none" is not EdDSA`},
		{"long alg, quoted cut", enc.EncodeToString([]byte(`{"alg":"`+strings.Repeat("A", 100)+`"}`)) + "." + parts[1] + ".",
			`alg "` + strings.Repeat("A", 64) + `…(36 more bytes)" is not EdDSA`},
		{"no sub", parts[0] + "." + enc.EncodeToString([]byte(`{"iss":"i","aud":"a","exp":1}`)) + ".x", "no sub"},
		{"no exp", parts[0] + "." + enc.EncodeToString([]byte(`{"iss":"i","sub":"s","aud":"a"}`)) + ".x", "no exp"},
		{"aud null", parts[0] + "." + enc.EncodeToString([]byte(`{"iss":"i","sub":"s","aud":null,"exp":1}`)) + ".x", "no aud"},
		{"aud absent", parts[0] + "." + enc.EncodeToString([]byte(`{"iss":"i","sub":"s","exp":1}`)) + ".x", "no aud"},
		{"aud an empty list", parts[0] + "." + enc.EncodeToString([]byte(`{"iss":"i","sub":"s","aud":[],"exp":1}`)) + ".x",
			"no aud"},
		{"aud empty", parts[0] + "." + enc.EncodeToString([]byte(`{"iss":"i","sub":"s","aud":"","exp":1}`)) + ".x",
			"an empty aud"},
		{"aud a list of an empty string", parts[0] + "." +
			enc.EncodeToString([]byte(`{"iss":"i","sub":"s","aud":[""],"exp":1}`)) + ".x", "an empty aud"},
		{"aud a list with an empty string", parts[0] + "." +
			enc.EncodeToString([]byte(`{"iss":"i","sub":"s","aud":["a",""],"exp":1}`)) + ".x", "an empty aud"},
		{"aud a number", parts[0] + "." + enc.EncodeToString([]byte(`{"iss":"i","sub":"s","aud":5,"exp":1}`)) + ".x",
			"aud is neither"},
	} {
		if _, err := Parse(tt.tok); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	good, _ := Sign(Claims{Issuer: "https://i", Subject: "s", Audience: []string{"a"}, Expires: time.Now()}, "", key)
	f.Add(good)
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, tok string) {
		if c, err := Parse(tok); err == nil && (c.Issuer == "" || len(c.Audience) == 0 || slices.Contains(c.Audience, "")) {
			t.Fatalf("Parse accepted a token without iss or with no or an empty aud: %q", tok)
		}
		Verify(tok, key.Public().(ed25519.PublicKey))
	})
}
