package xacct

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/xacct/xacct/internal/proctree"
	"github.com/xacct/xacct/internal/totp"
)

// TerminalToken returns a TokenFunc that asks a person for the code on the
// controlling terminal (/dev/tty), not on stdout, so it works while stdout
// is captured (as under the AWS CLI's credential_process). The prompt names
// the device and the role; it takes exactly six digits and asks again on a
// typo. Where the process has no terminal it returns an error saying so.
func TerminalToken() TokenFunc { return terminalToken("/dev/tty") }

func terminalToken(path string) TokenFunc {
	return func(ctx context.Context, req TokenRequest) (string, error) {
		tty, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return "", fmt.Errorf("TerminalToken: no terminal to prompt on (%w): run where a person can type, "+
				"or use ProcessToken or a TokenFunc of your own", err)
		}
		defer tty.Close()
		// A read on a terminal blocks; a deadline in the past ends it when
		// the context does.
		stop := context.AfterFunc(ctx, func() { tty.SetReadDeadline(time.Now()) })
		defer stop()

		what := req.SerialNumber
		switch {
		case req.RoleARN != "" && req.Hop > 0:
			what += fmt.Sprintf(" (to assume %s, hop %d)", req.RoleARN, req.Hop)
		case req.RoleARN != "":
			what += " (to assume " + req.RoleARN + ")"
		default:
			what += " (for an MFA session)"
		}
		if req.NeedNewCode {
			fmt.Fprintln(tty, "That code was just used, and STS takes each code once: wait for the device's next code.")
		}
		in := bufio.NewReader(tty)
		for {
			fmt.Fprintf(tty, "MFA code for %s: ", what)
			line, err := in.ReadString('\n')
			if err != nil {
				fmt.Fprintln(tty)
				if ctx.Err() != nil {
					return "", ctx.Err()
				}
				return "", fmt.Errorf("TerminalToken: reading the terminal: %w", err)
			}
			code := strings.TrimSpace(line)
			if totp.IsCode(code) {
				return code, nil
			}
			fmt.Fprintln(tty, "An MFA code is six digits; try again.")
		}
	}
}

// processTokenTimeout bounds one run of a ProcessToken command: long enough
// to touch a hardware key, short enough not to hang a refresh.
const processTokenTimeout = time.Minute

// ProcessToken returns a TokenFunc that runs a command and reads the code
// from the last line of its stdout: a hardware-key tool such as
// `ykman oath accounts code -s <name>`, or a password manager. The command
// gets XACCT_MFA_SERIAL and XACCT_ROLE_ARN in its environment, and may
// prompt on the terminal (it is lent the foreground). It is killed, with
// every process it started, after one minute or when the context ends; what it leaves running when it exits is killed then. Its stderr is
// quoted in errors (its stdout never is: it may hold a code). When a new code is
// needed (TokenRequest.NeedNewCode), it waits for the next 30-second TOTP
// step before running the command again.
func ProcessToken(name string, args ...string) TokenFunc {
	return func(ctx context.Context, req TokenRequest) (string, error) {
		if req.NeedNewCode {
			// TOTP steps start at multiples of 30 s of Unix time.
			wait := 30*time.Second - time.Duration(time.Now().UnixNano()%int64(30*time.Second)) + 500*time.Millisecond
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return "", ctx.Err()
			}
		}
		ctx, cancel := context.WithTimeout(ctx, processTokenTimeout)
		defer cancel()
		// A tree (internal/proctree): what the command starts ends with it,
		// and a command that asks for a PIN on the terminal gets it.
		tree := proctree.Command(ctx, proctree.Options{Terminal: true}, name, args...)
		cmd := tree.Cmd
		cmd.Env = append(os.Environ(), "XACCT_MFA_SERIAL="+req.SerialNumber, "XACCT_ROLE_ARN="+req.RoleARN)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &limitedWriter{w: &stdout, n: 64 << 10}, &limitedWriter{w: &stderr, n: 4 << 10}
		err := tree.Run()
		errText := strings.TrimSpace(stderr.String())
		switch {
		case ctx.Err() != nil:
			return "", fmt.Errorf("ProcessToken: %s did not finish in time (%w); stderr: %q", name, context.Cause(ctx), errText)
		case err != nil:
			return "", fmt.Errorf("ProcessToken: %s: %w; stderr: %q", name, err, errText)
		}
		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		code := strings.TrimSpace(lines[len(lines)-1])
		if !totp.IsCode(code) {
			return "", fmt.Errorf("ProcessToken: %s printed %d characters on its last line of stdout, "+
				"not a six-digit code; stderr: %q", name, len(code), errText)
		}
		return code, nil
	}
}

// StaticToken returns a TokenFunc that returns code, for tests and one-shot
// scripts. A code works once: when xacct needs another, the function
// returns an error rather than the spent code.
func StaticToken(code string) TokenFunc {
	return func(ctx context.Context, req TokenRequest) (string, error) {
		if req.NeedNewCode {
			return "", errors.New("StaticToken has one code, and it was used: STS takes each code once")
		}
		return code, nil
	}
}

// limitedWriter keeps the first n bytes written to it and drops the rest.
type limitedWriter struct {
	w *bytes.Buffer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if room := l.n - l.w.Len(); room > 0 {
		l.w.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
