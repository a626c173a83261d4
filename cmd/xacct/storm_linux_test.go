//go:build linux

package main

// A credential_process that calls xacct for its own profile with the
// environment scrubbed (env -i) gets past the recursion guard that lives
// in the environment: each level starts the next, a chain of processes
// that grew by some sixty a second until its callers ended it, and each
// caller ended only its direct child. Every process of a chain must end
// with its top caller, however that ends.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Five seconds after the top xacct of a loop times out, or is killed with
// SIGKILL, no process of the loop is left. Before, hundreds were, for as
// long as each level's own timeout.
func TestCredentialProcessLoopEndsWithItsCaller(t *testing.T) {
	t.Parallel()
	for _, kill := range []bool{false, true} {
		t.Run(map[bool]string{false: "the caller times out", true: "the caller is killed"}[kill], func(t *testing.T) {
			t.Parallel()
			c := startChain(t, loopConfig, kill)
			// The loop grows (three levels below the top: sh and xacct
			// each), or has been refused already.
			waitFor(t, func() bool { return c.ended() || len(chainProcesses(c.marker)) >= 7 })
			c.end(t, kill)
		})
	}
}

// Past the environment's guard, a loop is refused at a depth of
// maxNesting xacct processes, within a second, not at the timeout.
func TestCredentialProcessLoopIsRefused(t *testing.T) {
	t.Parallel()
	c := startChain(t, loopConfig, true)
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("the loop was not refused in 10s")
	}
	said, _ := os.ReadFile(c.stderr)
	if want := fmt.Sprintf("%d xacct processes run above this one", maxNesting); !bytes.Contains(said, []byte(want)) {
		t.Errorf("stderr lacks %q:\n%.1000s", want, said)
	}
	c.end(t, false)
}

// A chain of profiles whose credential_process calls xacct for the next,
// down to a command that never answers, ends with its top caller: when it
// times out, and when it is killed with SIGKILL.
func TestCredentialProcessChainEndsWithItsCaller(t *testing.T) {
	t.Parallel()
	for _, kill := range []bool{false, true} {
		t.Run(map[bool]string{false: "the caller times out", true: "the caller is killed"}[kill], func(t *testing.T) {
			t.Parallel()
			c := startChain(t, deepConfig, kill)
			waitFor(t, func() bool { return strings.Contains(strings.Join(chainProcesses(c.marker), "\n"), " tail -f ") })
			c.end(t, kill)
		})
	}
}

// loopConfig: profile top calls xacct for itself, with the environment
// scrubbed.
func loopConfig(level func(profile string) string, _ string) string {
	return "[profile top]\ncredential_process = " + level("top") + "\n"
}

// deepConfig: top calls xacct for p1, p1 for p2, and p2 runs a command
// that never answers (it follows a file in the chain's directory).
func deepConfig(level func(profile string) string, dir string) string {
	return "[profile top]\ncredential_process = " + level("p1") + "\n" +
		"[profile p1]\ncredential_process = " + level("p2") + "\n" +
		"[profile p2]\ncredential_process = tail -f " + filepath.Join(dir, "anchor") + "\n"
}

// chain is a top xacct credential-process and the processes below it.
type chain struct {
	top    *os.Process
	exited chan struct{} // closed once the top has ended
	marker string        // in the command line of every process of the chain
	stderr string        // the top's stderr, a file
	config string
}

// startChain writes the config that shape returns and starts xacct
// credential-process for its profile top, with --timeout 4s unless the
// test kills it. Every level's command line holds the chain's directory
// (--cache-dir): that is how chainProcesses finds them.
func startChain(t *testing.T, shape func(level func(string) string, dir string) string, kill bool) *chain {
	t.Helper()
	bin, home := xacctBinary(t), t.TempDir()
	dir := filepath.Join(home, "chain")
	c := &chain{marker: dir, stderr: filepath.Join(home, "stderr"), config: filepath.Join(home, ".aws", "config"),
		exited: make(chan struct{})}
	level := func(profile string) string {
		return fmt.Sprintf("env -i PATH=/usr/bin:/bin HOME=%s %s credential-process --profile %s --cache-dir %s",
			home, bin, profile, dir)
	}
	for path, text := range map[string]string{c.config: shape(level, dir), filepath.Join(dir, "anchor"): ""} {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"credential-process", "--profile", "top", "--cache-dir", dir}
	if !kill {
		args = append(args, "--timeout", "4s")
	}
	cmd := detached(cleanEnv(home), bin, args...)
	// A file, not a pipe, which the chain would inherit and hold: Wait
	// waits for the top alone.
	stderr, err := os.Create(c.stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c.top = cmd.Process
	go func() { cmd.Wait(); close(c.exited) }()
	t.Cleanup(func() { c.top.Kill(); <-c.exited; c.killAll(t) })
	return c
}

func (c *chain) ended() bool {
	select {
	case <-c.exited:
		return true
	default:
		return false
	}
}

// end kills the top (kill) or waits for it to time out, then checks that
// within 5 s no process of the chain is left.
func (c *chain) end(t *testing.T, kill bool) {
	t.Helper()
	if kill {
		c.top.Kill()
	}
	select {
	case <-c.exited:
	case <-time.After(20 * time.Second):
		t.Fatal("the top xacct did not end")
	}
	for end := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		left := chainProcesses(c.marker)
		if len(left) == 0 {
			return
		}
		if time.Now().After(end) {
			said, _ := os.ReadFile(c.stderr)
			t.Fatalf("5s after the top xacct ended, %d processes of its chain are left, such as %s\nits stderr: %.500s",
				len(left), left[0], said)
		}
	}
}

// chainProcesses returns the processes whose command line holds marker,
// each as "PID command line". Zombies, whose command line is empty, are
// not: they have ended.
func chainProcesses(marker string) []string {
	entries, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmdline, []byte(marker)) {
			out = append(out, e.Name()+" "+string(bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '})))
		}
	}
	return out
}

// killAll ends what a failed test left of a chain: the config no longer
// has the profiles, so that a level that starts fails at once, and every
// process of the chain is killed until none is left.
func (c *chain) killAll(t *testing.T) {
	os.WriteFile(c.config, nil, 0o600)
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		left := chainProcesses(c.marker)
		if len(left) == 0 {
			return
		}
		for _, p := range left {
			var pid int
			fmt.Sscan(p, &pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	t.Errorf("processes of the chain in %s are still left", c.marker)
}
