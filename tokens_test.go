package xacct

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestProcessToken(t *testing.T) {
	t.Parallel()
	req := TokenRequest{SerialNumber: "arn:aws:iam::111111111111:mfa/alice", RoleARN: roleB, Hop: 1}
	tests := []struct {
		name, script string
		want         string // the code, or a substring of the error
		wantErr      bool
	}{
		{"code on stdout", `echo 123456`, "123456", false},
		{"last line counts, spaces trimmed", `echo "touch your key"; echo "  654321  "`, "654321", false},
		{"gets serial and role", `test "$XACCT_MFA_SERIAL" = arn:aws:iam::111111111111:mfa/alice && test "$XACCT_ROLE_ARN" = ` + roleB + ` && echo 111222`, "111222", false},
		{"not a code", `echo 98765x`, "printed 6 characters on its last line of stdout, not a six-digit code", true},
		{"failure with stderr", `echo "no YubiKey detected" >&2; exit 3`, `exit status 3; stderr: "no YubiKey detected"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, err := ProcessToken("sh", "-c", tt.script)(context.Background(), req)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want %q", err, tt.want)
				}
				if strings.Contains(err.Error(), "98765x") {
					t.Fatalf("stdout quoted in %v", err)
				}
				return
			}
			if err != nil || code != tt.want {
				t.Fatalf("ProcessToken = %q, %v; want %q", code, err, tt.want)
			}
		})
	}
	if _, err := ProcessToken("/nonexistent/ykman")(context.Background(), req); err == nil || !strings.Contains(err.Error(), "/nonexistent/ykman") {
		t.Errorf("missing command: %v", err)
	}
}

func TestProcessTokenTimeout(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := ProcessToken("sh", "-c", "echo waiting for touch >&2; sleep 30")(ctx, TokenRequest{})
	if err == nil || !strings.Contains(err.Error(), "did not finish in time") || !strings.Contains(err.Error(), "waiting for touch") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v: the command was not killed", d)
	}
}

func TestProcessTokenWaitsForNextCodeUntilCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := ProcessToken("sh", "-c", "echo 123456")(ctx, TokenRequest{NeedNewCode: true})
	// Waiting for the next 30-second step outlasts the context.
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
}

func TestStaticToken(t *testing.T) {
	t.Parallel()
	if code, err := StaticToken("123456")(context.Background(), TokenRequest{}); code != "123456" || err != nil {
		t.Fatalf("StaticToken = %q, %v", code, err)
	}
	if _, err := StaticToken("123456")(context.Background(), TokenRequest{NeedNewCode: true}); err == nil {
		t.Fatal("StaticToken gave its spent code again")
	}
}

func TestTerminalTokenWithoutTerminal(t *testing.T) {
	t.Parallel()
	_, err := terminalToken("/nonexistent/tty")(context.Background(), TokenRequest{SerialNumber: "x"})
	if err == nil || !strings.Contains(err.Error(), "no terminal to prompt on") {
		t.Fatalf("err = %v", err)
	}
}
