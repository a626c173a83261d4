package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteFile writes text to path with perm, creating the directories above
// it (mode 0700) first, and fails t if it cannot.
func WriteFile(t testing.TB, path, text string, perm os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), perm); err != nil {
		t.Fatal(err)
	}
}
