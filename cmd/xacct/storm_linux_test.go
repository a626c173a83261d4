//go:build linux

package main

// A credential_process that calls xacct for its own profile with the
// environment scrubbed (env -i) gets past the recursion guard, which
// lives in the environment: each level starts the next, a chain of
// processes that grows until its callers end it. It must end with the top
// caller, however that ends.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Five seconds after the top xacct times out, or is killed with SIGKILL,
// no process of the chain is left. Before, each level killed only its
// direct child, and the chain outlived its callers (hundreds of
// processes, for as long as each level's own timeout).
func TestCredentialProcessChainEndsWithItsCaller(t *testing.T) {
	t.Parallel()
	bin := xacctBinary(t)
	for _, tt := range []struct {
		name string
		kill bool // SIGKILL the top; else it times out
	}{{"the caller times out", false}, {"the caller is killed", true}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			// Every level's command line holds the store's path: it
			// finds the chain's processes.
			marker := filepath.Join(home, "store")
			config := filepath.Join(home, ".aws", "config")
			writeChainConfig(t, config, fmt.Sprintf("[profile same]\ncredential_process = env -i PATH=/usr/bin:/bin HOME=%s "+
				"%s credential-process --profile same --cache-dir %s\n", home, bin, marker))
			t.Cleanup(func() { endChain(t, config, marker) })

			args := []string{"credential-process", "--profile", "same", "--cache-dir", marker}
			if !tt.kill {
				args = append(args, "--timeout", "4s")
			}
			top := detached(cleanEnv(home), bin, args...)
			// A file, not a pipe, which the chain would inherit and hold:
			// Wait waits for the top alone.
			stderr, err := os.Create(filepath.Join(home, "stderr"))
			if err != nil {
				t.Fatal(err)
			}
			defer stderr.Close()
			top.Stderr = stderr
			if err := top.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{})
			go func() { top.Wait(); close(exited) }()
			t.Cleanup(func() { top.Process.Kill(); <-exited })

			// The chain grows: three levels below the top (sh, xacct each).
			waitFor(t, func() bool { return len(chainProcesses(marker)) >= 7 })
			if tt.kill {
				top.Process.Kill()
			}
			select {
			case <-exited:
			case <-time.After(20 * time.Second):
				t.Fatal("the top xacct did not end")
			}
			for end := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				left := chainProcesses(marker)
				if len(left) == 0 {
					break
				}
				if time.Now().After(end) {
					said, _ := os.ReadFile(stderr.Name())
					t.Fatalf("5s after the top xacct ended, %d processes of its chain are left, such as %s\nits stderr: %.500s",
						len(left), left[0], said)
				}
			}
		})
	}
}

func writeChainConfig(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
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

// endChain ends what a failed test left of a chain: the config no longer
// has the profile, so that a level that starts fails at once, and every
// process of the chain is killed until none is left.
func endChain(t *testing.T, config, marker string) {
	os.WriteFile(config, nil, 0o600)
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		left := chainProcesses(marker)
		if len(left) == 0 {
			return
		}
		for _, p := range left {
			var pid int
			fmt.Sscan(p, &pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	t.Errorf("processes of the chain of %s are still left", marker)
}
