// Package trunc shortens values that error messages and logs quote, so that
// a 20 KB policy value or header becomes a line a person can read.
package trunc

import (
	"fmt"
	"unicode/utf8"
)

// Max is how many bytes of a value String keeps.
const Max = 64

// String returns s whole when it has at most Max bytes; else its first Max
// bytes, cut back to a character boundary, followed by "…(N more bytes)".
// 70 bytes of ASCII become 64 bytes and "…(6 more bytes)".
func String(s string) string {
	if len(s) <= Max {
		return s
	}
	cut := Max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…(%d more bytes)", s[:cut], len(s)-cut)
}
