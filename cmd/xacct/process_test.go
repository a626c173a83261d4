package main

// The processes of the tests: their environment.

import (
	"os"
	"strings"
)

// cleanEnv is the environment of a process that a test runs: the test's
// own, without the caller's AWS settings (AWS_*), home (HOME) and xacct's
// variables (XACCT_*), with home as HOME, then kv.
func cleanEnv(home string, kv ...string) []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "AWS_") && !strings.HasPrefix(e, "HOME=") && !strings.HasPrefix(e, "XACCT_") {
			env = append(env, e)
		}
	}
	return append(append(env, "HOME="+home), kv...)
}
