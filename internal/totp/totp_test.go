package totp

import (
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA-1, truncated to six digits.
func TestRFC6238Vectors(t *testing.T) {
	t.Parallel()
	key := []byte("12345678901234567890")
	for _, tt := range []struct {
		unix int64
		want string
	}{
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
	} {
		if got := Code(key, Step(time.Unix(tt.unix, 0))); got != tt.want {
			t.Errorf("Code at %d = %s, want %s", tt.unix, got, tt.want)
		}
	}
}

func TestDecodeSecret(t *testing.T) {
	t.Parallel()
	key, err := DecodeSecret("jbsw y3dp ehpk 3pxp")
	if err != nil || string(key) != "Hello!\xde\xad\xbe\xef" {
		t.Fatalf("DecodeSecret = %q, %v", key, err)
	}
	if _, err := DecodeSecret("not-base32!"); err == nil {
		t.Fatal("want an error for a bad secret")
	}
	if _, err := DecodeSecret("JBSWY3DP"); err == nil {
		t.Fatal("want an error for a short secret")
	}
}
