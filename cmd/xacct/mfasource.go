package main

// Where MFA codes come from, for the commands: the terminal when there is
// one; else --token-command; else nowhere, and a command that needs a
// code fails at once, saying what to do.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/xacct/xacct"
)

// errMFA marks every failure to get an MFA code: no way to ask, the
// prompt not answered, the token command failed. Exit code 4.
var errMFA = errors.New("no MFA code")

// mfaError is a failure to get a code; errors.Is(err, errMFA) holds.
type mfaError struct{ err error }

func (e *mfaError) Error() string        { return e.err.Error() }
func (e *mfaError) Unwrap() error        { return e.err }
func (e *mfaError) Is(target error) bool { return target == errMFA }

// mfaSource returns the TokenFunc of a command: TerminalToken when the process has a terminal, else
// ProcessToken of the token command, else one that fails at once.
func mfaSource(terminal bool, tokenCommand []string, profile string) xacct.TokenFunc {
	var ask xacct.TokenFunc
	switch {
	case terminal:
		ask = xacct.TerminalToken()
	case len(tokenCommand) > 0:
		ask = xacct.ProcessToken(tokenCommand[0], tokenCommand[1:]...)
	default:
		return noCodeToken(profile)
	}
	return func(ctx context.Context, req xacct.TokenRequest) (string, error) {
		code, err := ask(ctx, req)
		if err != nil {
			return "", &mfaError{err: err}
		}
		return code, nil
	}
}

// noCodeToken is the TokenFunc of a process that cannot get a code.
func noCodeToken(profile string) xacct.TokenFunc {
	return func(ctx context.Context, req xacct.TokenRequest) (string, error) {
		return "", &mfaError{err: errNoCode(profile, req.SerialNumber)}
	}
}

// errNoCode says why no code can be had, and what to do.
func errNoCode(profile, serial string) error {
	return fmt.Errorf("an MFA code of %s is needed, and this process has no terminal to ask on and no --token-command; "+
		"run `xacct login --profile %s` in a terminal (the processes started after it use the MFA session "+
		"it keeps), or give --token-command (a program that prints the code)", serial, profile)
}

// splitCommand splits the value of --token-command into a program and
// its arguments. The rule, the same on every system: words are separated
// by spaces or tabs; '...' or "..." keep spaces inside a word, and
// nothing inside them is special (use one kind of quote to hold the
// other). There is no escape character (backslashes are kept, for Windows
// paths), no variable, glob, pipe or redirection: for those, run a shell,
// as in --token-command "sh -c 'pass otp aws | tail -1'".
func splitCommand(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune // the open quote; 0 when none
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case r == '\n' || r == '\r':
			return nil, errors.New("holds a line break: give the command on one line")
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("has a %c that is not closed: quotes come in pairs", quote)
	}
	if inWord {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return nil, errors.New("is empty: give the program that prints the code, and its arguments")
	}
	return words, nil
}
