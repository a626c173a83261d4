package trunc

import (
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, in, want string }{
		{"short stays whole", "ext-123", "ext-123"},
		{"exactly Max stays whole", strings.Repeat("a", Max), strings.Repeat("a", Max)},
		{"one more byte is cut", strings.Repeat("a", Max+1), strings.Repeat("a", Max) + "…(1 more bytes)"},
		{"18 KB", strings.Repeat("x", 18000), strings.Repeat("x", Max) + "…(17936 more bytes)"},
		// "é" is two bytes: the cut never splits a character.
		{"cut at a character boundary", strings.Repeat("a", Max-1) + "éé", strings.Repeat("a", Max-1) + "…(4 more bytes)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := String(tt.in); got != tt.want {
				t.Errorf("String = %q, want %q", got, tt.want)
			}
		})
	}
}
