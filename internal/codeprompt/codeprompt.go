// Package codeprompt gets an MFA code from a person or a program: from a
// terminal, asking again on a typo, or from the last line of a command's
// stdout. It knows nothing of STS; callers say what the code is for and
// wrap the errors in their own words. A code never appears in an error.
package codeprompt

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

// ErrNoTerminal is in the error of Terminal when path cannot be opened.
var ErrNoTerminal = errors.New("no terminal to prompt on")

// Terminal asks for a six-digit code on the terminal at path, naming what
// it is for, until one is typed or ctx ends. A read on a terminal blocks:
// the end of ctx ends it. With notice, that line is shown first.
func Terminal(ctx context.Context, path, what, notice string) (string, error) {
	tty, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return "", fmt.Errorf("%w (%w)", ErrNoTerminal, err)
	}
	defer tty.Close()
	stop := context.AfterFunc(ctx, func() { tty.SetReadDeadline(time.Now()) })
	defer stop()
	if notice != "" {
		fmt.Fprintln(tty, notice)
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
			return "", fmt.Errorf("reading the terminal: %w", err)
		}
		if code := strings.TrimSpace(line); totp.IsCode(code) {
			return code, nil
		}
		fmt.Fprintln(tty, "An MFA code is six digits; try again.")
	}
}

// Command runs name with args and env added to the process's environment,
// as a process tree that ends with it (internal/proctree), lent the
// terminal so that it may ask for a PIN, and returns the last line of its
// stdout when that is a six-digit code. Its stdout never appears in an
// error (it may hold a code); its stderr, bounded, does.
func Command(ctx context.Context, env []string, name string, args ...string) (string, error) {
	tree := proctree.Command(ctx, proctree.Options{Terminal: true}, name, args...)
	cmd := tree.Cmd
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = proctree.Capped(&stdout, 64<<10), proctree.Capped(&stderr, 4<<10)
	err := tree.Run()
	errText := strings.TrimSpace(stderr.String())
	switch {
	case ctx.Err() != nil:
		return "", fmt.Errorf("%s did not finish in time (%w); stderr: %q", name, context.Cause(ctx), errText)
	case err != nil:
		return "", fmt.Errorf("%s: %w; stderr: %q", name, err, errText)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	code := strings.TrimSpace(lines[len(lines)-1])
	if !totp.IsCode(code) {
		return "", fmt.Errorf("%s printed %d characters on its last line of stdout, "+
			"not a six-digit code; stderr: %q", name, len(code), errText)
	}
	return code, nil
}
