package main

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/xacct/xacct"
)

func TestSplitCommand(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in string
		want     []string
		err      string
	}{
		{"words at spaces and tabs", "ykman  oath\taccounts code", []string{"ykman", "oath", "accounts", "code"}, ""},
		{"single quotes keep a word", "ykman oath code -s 'AWS alice'", []string{"ykman", "oath", "code", "-s", "AWS alice"}, ""},
		{"double quotes keep a word", `op item get "AWS root" --otp`, []string{"op", "item", "get", "AWS root", "--otp"}, ""},
		{"one quote holds the other", `sh -c 'echo "$CODE"'`, []string{"sh", "-c", `echo "$CODE"`}, ""},
		{"quotes join a word", `a"b c"d`, []string{"ab cd"}, ""},
		{"an empty quoted word counts", `prog ''`, []string{"prog", ""}, ""},
		{"backslashes are kept (Windows paths)", `C:\Tools\ykman.exe oath`, []string{`C:\Tools\ykman.exe`, "oath"}, ""},
		{"no variables or globs", "echo $HOME *", []string{"echo", "$HOME", "*"}, ""},
		{"unclosed quote", "ykman 'oath", nil, "has a ' that is not closed"},
		{"empty", "   ", nil, "is empty"},
		{"line break", "a\nb", nil, "holds a line break"},
	} {
		got, err := splitCommand(tt.in)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: splitCommand(%q) = %q, %v; want error %q", tt.name, tt.in, got, err, tt.err)
		case tt.err == "" && (err != nil || !slices.Equal(got, tt.want)):
			t.Errorf("%s: splitCommand(%q) = %q, %v; want %q", tt.name, tt.in, got, err, tt.want)
		}
	}
}

// Every failure to get a code is errMFA (exit code 4), and says what to do.
func TestMFASourceFailures(t *testing.T) {
	t.Parallel()
	req := xacct.TokenRequest{SerialNumber: "arn:aws:iam::111111111111:mfa/dev"}
	_, err := mfaSource(false, nil, "chain")(context.Background(), req)
	if !errors.Is(err, errMFA) || !strings.Contains(err.Error(), "xacct login --profile chain") ||
		!strings.Contains(err.Error(), req.SerialNumber) {
		t.Errorf("no terminal, no token command: %v", err)
	}
	_, err = mfaSource(false, []string{"sh", "-c", "echo oops >&2; exit 3"}, "chain")(context.Background(), req)
	if !errors.Is(err, errMFA) || !strings.Contains(err.Error(), "oops") {
		t.Errorf("a failing token command: %v", err)
	}
	code, err := mfaSource(false, []string{"sh", "-c", "echo 123456"}, "chain")(context.Background(), req)
	if err != nil || code != "123456" {
		t.Errorf("a token command: %q, %v", code, err)
	}
}
