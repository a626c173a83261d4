//go:build linux

package xacct

import (
	"context"
	"errors"
	"io"
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
