package xacct

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/xacct/xacct/internal/codeprompt"
)

// TerminalToken returns a TokenFunc that asks a person for the code on the
// controlling terminal (/dev/tty), not on stdout, so it works while stdout
// is captured (as under the AWS CLI's credential_process). The prompt names
// the device and the role; it takes exactly six digits and asks again on a
// typo. Where the process has no terminal it returns an error saying so.
func TerminalToken() TokenFunc { return terminalToken("/dev/tty") }

func terminalToken(path string) TokenFunc {
	return func(ctx context.Context, req TokenRequest) (string, error) {
		what := req.SerialNumber
		switch {
		case req.RoleARN != "" && req.Hop > 0:
			what += fmt.Sprintf(" (to assume %s, hop %d)", req.RoleARN, req.Hop)
		case req.RoleARN != "":
			what += " (to assume " + req.RoleARN + ")"
		default:
			what += " (for an MFA session)"
		}
		var notice string
		if req.NeedNewCode {
			notice = "That code was just used, and STS takes each code once: wait for the device's next code."
		}
		code, err := codeprompt.Terminal(ctx, path, what, notice)
		switch {
		case errors.Is(err, codeprompt.ErrNoTerminal):
			return "", fmt.Errorf("TerminalToken: %w: run where a person can type, "+
				"or use ProcessToken or a TokenFunc of your own", err)
		case err != nil && ctx.Err() != nil:
			return "", err
		case err != nil:
			return "", fmt.Errorf("TerminalToken: %w", err)
		}
		return code, nil
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
		code, err := codeprompt.Command(ctx, []string{"XACCT_MFA_SERIAL=" + req.SerialNumber, "XACCT_ROLE_ARN=" + req.RoleARN},
			name, args...)
		if err != nil {
			return "", fmt.Errorf("ProcessToken: %w", err)
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
