package main

// The processes of the tests: their environment, and running them.

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
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

// result is what a process did.
type result struct {
	stdout, stderr string
	code           int // -1 when it did not start, or was killed
	took           time.Duration
}

// processTimeout bounds a process of the tests: far above any run's time,
// so that a process that hangs fails its test instead of the whole run.
const processTimeout = 2 * time.Minute

// runCmd runs cmd to its end, at most processTimeout, with stdin as its
// standard input (none when ""), and returns what it did. A process that
// does not start, or does not end in time, fails the test; runCmd may be
// called from any goroutine.
func runCmd(t *testing.T, cmd *exec.Cmd, stdin string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Errorf("starting %v: %v", cmd.Args, err)
		return result{code: -1, stderr: err.Error()}
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(processTimeout):
		cmd.Process.Kill()
		<-done
		t.Errorf("%v did not end in %v", cmd.Args, processTimeout)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode(), took: time.Since(start)}
}
