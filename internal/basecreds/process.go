package basecreds

// A credential_process, run by the SDK's processcreds, which keeps its
// timeout (a minute) and its reading of the output, but started as a
// process tree (internal/proctree): when the fetch ends or this process
// exits, the command and everything it started end too, and a command
// that prompts on the terminal is lent its foreground.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"

	"github.com/xacct/xacct/internal/proctree"
)

// Process runs a credential_process command line. It is safe for
// concurrent use: each Retrieve runs the command once.
type Process struct {
	// Command is the command line, run by the shell as the SDK runs it.
	Command string

	// NoPerson reports whether no person may be asked during a fetch (a
	// background refresh, a credential endpoint's request): the terminal
	// is lent only to a fetch with someone to answer. Nil: every fetch has.
	NoPerson func(context.Context) bool
}

// Retrieve runs the command once, through a processcreds provider whose
// command is a tree, and ends the tree when the provider is done with it.
// What the command prints is kept (bounded) beside the SDK's copy, so
// that a failure can be told from the output itself (withoutOutput).
func (pp Process) Retrieve(ctx context.Context) (aws.Credentials, error) {
	var tree *proctree.Tree // made by the builder, on this goroutine
	var out bytes.Buffer    // a copy of stdout, bounded: the SDK's is not shared
	p := processcreds.NewProviderCommand(processcreds.NewCommandBuilderFunc(func(ctx context.Context) (*exec.Cmd, error) {
		// The terminal is lent only to a fetch a caller waits for who may
		// be asked: a background refresh must not take the foreground from
		// the host program, whose own read of the terminal would then stop
		// it, nor a credential endpoint's request.
		terminal := pp.NoPerson == nil || !pp.NoPerson(ctx)
		tree = proctree.Command(ctx, proctree.Options{Terminal: terminal}, shell[0], shell[1], pp.Command)
		// As the SDK's own command: the environment, and stdin and stderr
		// for a command that asks for an MFA code.
		tree.Cmd.Env = os.Environ()
		tree.Cmd.Stdin, tree.Cmd.Stderr = os.Stdin, os.Stderr
		// The SDK copies stdout to this too: the tree then ends when the
		// command exits, and what it left in the background does not hold
		// the SDK's Wait (tree.Watch).
		tree.Cmd.Stdout = io.MultiWriter(tree.Watch(), proctree.Capped(&out, maxOutput+1))
		return tree.Cmd, nil
	}))
	creds, err := p.Retrieve(ctx)
	if tree != nil {
		// The SDK has waited for the command: what it left is killed.
		tree.End()
	}
	if err != nil {
		// The SDK has waited for the command's output too: out is whole.
		return creds, withoutOutput(err, tree, out.Bytes())
	}
	return creds, nil
}

// shell runs a command line, as the SDK does.
var shell = func() [2]string {
	if runtime.GOOS == "windows" {
		return [2]string{"cmd.exe", "/C"}
	}
	return [2]string{"sh", "-c"}
}()

// withoutOutput drops what processcreds quotes of a command's output when
// it is not the credential JSON: the output may hold a secret. The SDK
// parses the output only of a command that ran to a clean end, and then
// refuses it either as unparsable (quoting it) or for a field it names
// (not quoting it): so a failure after a clean run whose output does not
// parse as the SDK parses it is the one that quotes, whatever its wording.
func withoutOutput(err error, tree *proctree.Tree, out []byte) error {
	var pe *processcreds.ProviderError
	if !errors.As(err, &pe) || tree == nil || errors.Is(err, exec.ErrWaitDelay) ||
		tree.Cmd.ProcessState == nil || !tree.Cmd.ProcessState.Success() {
		return err
	}
	perr := parseOutput(out)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case perr == nil:
		return err // parsed: refused for a field, and says which without quoting
	case errors.As(perr, &syn):
		return fmt.Errorf("credential_process printed something that is not JSON (at byte %d), "+
			"not quoted here as it may hold a secret", syn.Offset)
	case errors.As(perr, &typ):
		return fmt.Errorf("credential_process printed JSON whose %q is a %s, not the %s the format wants",
			typ.Field, typ.Value, typ.Type)
	}
	return errors.New("credential_process printed something that is not its JSON format, " +
		"not quoted here as it may hold a secret")
}

// maxOutput bounds the copy of a command's output: its JSON is a few
// hundred bytes; more than a MiB is not the format, whatever it is.
const maxOutput = 1 << 20

// parseOutput reads a command's output as processcreds does, and
// returns its error.
func parseOutput(out []byte) error {
	if len(out) > maxOutput {
		return errors.New("the output is longer than any credential JSON")
	}
	if runtime.GOOS == "windows" {
		out = bytes.ReplaceAll(out, []byte(`\"`), []byte(`"`)) // as processcreds: Windows escapes quotes
	}
	return json.Unmarshal(out, &processcreds.CredentialProcessResponse{})
}
