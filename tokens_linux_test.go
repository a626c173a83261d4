//go:build linux

package xacct

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xacct/xacct/internal/testutil"
)

func TestTerminalTokenPrompts(t *testing.T) {
	t.Parallel()
	ptmx, tty := testutil.OpenPTY(t)
	type result struct {
		code string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		code, err := terminalToken(tty)(context.Background(), TokenRequest{
			SerialNumber: "arn:aws:iam::111111111111:mfa/alice", RoleARN: roleB, Hop: 2, NeedNewCode: true,
		})
		done <- result{code, err}
	}()
	term := &testutil.Screen{PTMX: ptmx}
	shown := term.Expect(t, "MFA code for arn:aws:iam::111111111111:mfa/alice (to assume "+roleB+", hop 2): ")
	if !strings.Contains(shown, "That code was just used") {
		t.Errorf("the prompt does not say a new code is needed: %q", shown)
	}
	io.WriteString(ptmx, "12345\n") // a typo
	term.Expect(t, "An MFA code is six digits; try again.")
	term.Expect(t, "MFA code for")
	io.WriteString(ptmx, " 123456 \n")
	select {
	case r := <-done:
		if r.err != nil || r.code != "123456" {
			t.Fatalf("TerminalToken = %q, %v", r.code, r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("TerminalToken did not return")
	}
}

func TestTerminalTokenCanceled(t *testing.T) {
	t.Parallel()
	ptmx, tty := testutil.OpenPTY(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := terminalToken(tty)(ctx, TokenRequest{SerialNumber: "arn:aws:iam::111111111111:mfa/alice"})
		done <- err
	}()
	(&testutil.Screen{PTMX: ptmx}).Expect(t, "(for an MFA session): ")
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a canceled prompt kept waiting for input")
	}
}

// A token command's tree ends with it: what it leaves in the background
// when it exits (holding stdout), and what it started when its context
// ends. Before, the background process made a code an error after a
// second, and outlived both.
func TestProcessTokenEndsItsTree(t *testing.T) {
	t.Parallel()
	t.Run("left in the background", func(t *testing.T) {
		t.Parallel()
		pidFile := filepath.Join(t.TempDir(), "pid")
		code, err := ProcessToken("sh", "-c", `sleep 300 & echo $! > "$1"; echo 123456`, "sh", pidFile)(context.Background(), TokenRequest{})
		if err != nil || code != "123456" {
			t.Errorf("ProcessToken = %q, %v; want 123456", code, err)
		}
		testutil.WaitGone(t, readPID(t, pidFile))
	})
	t.Run("context ends", func(t *testing.T) {
		t.Parallel()
		pidFile := filepath.Join(t.TempDir(), "pid")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			for !fileExists(pidFile) {
				time.Sleep(10 * time.Millisecond)
			}
			cancel()
		}()
		script := `sleep 300 & echo $! > "$1.tmp" && mv "$1.tmp" "$1"; wait`
		if _, err := ProcessToken("sh", "-c", script, "sh", pidFile)(ctx, TokenRequest{}); err == nil {
			t.Error("ProcessToken: no error, its context ended")
		}
		testutil.WaitGone(t, readPID(t, pidFile))
	})
}
