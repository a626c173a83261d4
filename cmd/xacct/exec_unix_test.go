//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// The command gets the signals passed on, once each, and xacct returns
// its status as a shell does.
func TestWaitForwarding(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	got := filepath.Join(dir, "signals")
	ready := filepath.Join(dir, "ready")
	// Records each signal; exits 3 on the second.
	script := `n=0; trap 'echo TERM >> "$1"; n=$((n+1)); [ $n -ge 2 ] && exit 3' TERM
trap 'echo HUP >> "$1"; n=$((n+1)); [ $n -ge 2 ] && exit 3' HUP
touch "$2"; while :; do sleep 0.02; done`
	cmd := exec.Command("sh", "-c", script, "sh", got, ready)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	sigs := make(chan os.Signal, 2)
	status := make(chan int, 1)
	go func() { status <- waitForwarding(cmd, sigs) }()
	waitFor(t, func() bool { _, err := os.Stat(ready); return err == nil })
	sigs <- syscall.SIGTERM
	waitFor(t, func() bool { b, _ := os.ReadFile(got); return string(b) == "TERM\n" })
	sigs <- syscall.SIGHUP
	select {
	case code := <-status:
		if b, _ := os.ReadFile(got); code != 3 || string(b) != "TERM\nHUP\n" {
			t.Errorf("exit %d, signals %q; want 3 and TERM, HUP once each", code, b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not end after its second signal")
	}
}

func TestExitStatus(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		script string
		want   int
	}{
		{"exit 0", 0},
		{"exit 7", 7},
		{"kill -TERM $$", 128 + int(syscall.SIGTERM)},
		{"kill -KILL $$", 128 + int(syscall.SIGKILL)},
	} {
		cmd := exec.Command("sh", "-c", tt.script)
		cmd.Run()
		if got := exitStatus(cmd.ProcessState); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.script, got, tt.want)
		}
	}
}
