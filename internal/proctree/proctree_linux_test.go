package proctree

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xacct/xacct/internal/testutil"
)

// A root that exits leaving a process in the background (which holds its
// stdout) is a success at once, and the process is killed.
func TestRunEndsWhatTheRootLeft(t *testing.T) {
	t.Parallel()
	tree := Command(context.Background(), Options{Grace: 10 * time.Second}, "sh", "-c", `sleep 300 & echo $!; echo ok`)
	var out bytes.Buffer
	tree.Cmd.Stdout, tree.Cmd.Stderr = &out, &out
	start := time.Now()
	if err := tree.Run(); err != nil {
		t.Fatalf("Run: %v; output %q", err, out.String())
	}
	if took := time.Since(start); took > pipeGrace {
		t.Errorf("Run took %v: it waited for the pipes, which the leftover held", took)
	}
	pid, rest, _ := strings.Cut(out.String(), "\n")
	if rest != "ok\n" {
		t.Errorf("output %q, want the PID then ok", out.String())
	}
	left := atoi(t, pid)
	t.Cleanup(func() { syscall.Kill(left, syscall.SIGKILL) })
	testutil.WaitGone(t, left)
}

// A Cmd that another package starts and waits for, with stdout copied to
// Watch as the SDK's processcreds does, ends its tree when the root exits:
// the leftover does not hold Wait until WaitDelay, which would make the
// success an error.
func TestWatchEndsWhatTheRootLeft(t *testing.T) {
	t.Parallel()
	tree := Command(context.Background(), Options{}, "sh", "-c", `sleep 300 & echo $!`)
	var out bytes.Buffer
	tree.Cmd.Stdout = io.MultiWriter(tree.Watch(), &out)
	err := tree.Cmd.Run()
	tree.End()
	if err != nil {
		t.Errorf("Run: %v", err)
	}
	left := atoi(t, out.String())
	t.Cleanup(func() { syscall.Kill(left, syscall.SIGKILL) })
	testutil.WaitGone(t, left)
}

// When the context ends, the root and what it started are killed, not
// only the root.
func TestContextEndsTheTree(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "pid")
	ctx, cancel := context.WithCancel(context.Background())
	tree := Command(ctx, Options{}, "sh", "-c", `sleep 300 & echo $! > "$1.tmp" && mv "$1.tmp" "$1"; wait`, "sh", pidFile)
	done := make(chan error, 1)
	go func() { done <- tree.Run() }()
	var pid int
	testutil.WaitFor(t, 5*time.Second, "the PID file", func() bool {
		b, err := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil && pid > 0
	})
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Run: nil error for a killed root")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	testutil.WaitGone(t, pid)
}

// A Tree that may prompt, in a process without a terminal, runs in a group
// of its own, and is lent nothing.
func TestTerminalWithoutOne(t *testing.T) {
	t.Parallel()
	if f, err := os.Open("/dev/tty"); err == nil {
		f.Close()
		t.Skip("this process has a controlling terminal")
	}
	tree := Command(context.Background(), Options{Terminal: true}, "sh", "-c", "ps -o pgid= -p $$")
	var out bytes.Buffer
	tree.Cmd.Stdout = &out
	if err := tree.Run(); err != nil {
		t.Skipf("ps: %v", err)
	}
	if pgid := atoi(t, out.String()); pgid != tree.Cmd.Process.Pid {
		t.Errorf("the child's group is %d, want its own (%d)", pgid, tree.Cmd.Process.Pid)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}
