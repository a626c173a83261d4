package main

// The test binary itself: the xacct command it builds once for the tests
// that run it as a process, and the children it can be instead of the
// tests.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// TestMain runs the tests, or is one of the children that the tests run
// as processes: the command for-each-account runs (XACCT_TEST_CHILD,
// testChild) or the token command of the tools world (XACCT_TEST_TOKEN,
// tokenHelper).
func TestMain(m *testing.M) {
	switch {
	case os.Getenv("XACCT_TEST_CHILD") != "":
		os.Exit(testChild())
	case os.Getenv("XACCT_TEST_TOKEN") != "":
		if err := tokenHelper(); err != nil {
			fmt.Fprintln(os.Stderr, "token helper:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "xacct-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// binDir is where xacctBinary builds the command: made before the tests
// run, removed after them.
var binDir string

// buildXacct builds the command once for all tests of the package.
var buildXacct = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(binDir, "xacct")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// xacctBinary is the command built once for the package's tests, or the
// test's end.
func xacctBinary(t testing.TB) string {
	t.Helper()
	bin, err := buildXacct()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// needPeer skips a test whose real client is missing here, and fails it
// in CI (CI=true), where every peer is installed.
func needPeer(t *testing.T, why string) {
	t.Helper()
	if why == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and %s", why)
	}
	t.Skip(why)
}
