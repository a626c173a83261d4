package xacct

// A profile's credential_process, run by the SDK's processcreds, which
// keeps its timeout (a minute) and its reading of the output, but started
// as a process tree (internal/proctree): when the fetch ends or this
// process exits, the command and everything it started end too, and a
// command that prompts on the terminal is lent its foreground.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"

	"github.com/xacct/xacct/internal/proctree"
)

// processProvider runs a credential_process command line.
type processProvider struct {
	command string
}

// Retrieve runs the command once, through a processcreds provider whose
// command is a tree, and ends the tree when the provider is done with it.
func (pp processProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	var tree *proctree.Tree // made by the builder, on this goroutine
	p := processcreds.NewProviderCommand(processcreds.NewCommandBuilderFunc(func(ctx context.Context) (*exec.Cmd, error) {
		tree = proctree.Command(ctx, proctree.Options{Terminal: true}, shell[0], shell[1], pp.command)
		// As the SDK's own command: the environment, and stdin and stderr
		// for a command that asks for an MFA code.
		tree.Cmd.Env = os.Environ()
		tree.Cmd.Stdin, tree.Cmd.Stderr = os.Stdin, os.Stderr
		// The SDK copies stdout to this too: the tree then ends when the
		// command exits, and what it left in the background does not hold
		// the SDK's Wait (tree.Watch).
		tree.Cmd.Stdout = tree.Watch()
		return tree.Cmd, nil
	}))
	creds, err := p.Retrieve(ctx)
	if tree != nil {
		// The SDK has waited for the command: what it left is killed.
		tree.End()
	}
	return creds, err
}

// shell runs a command line, as the SDK does.
var shell = func() [2]string {
	if runtime.GOOS == "windows" {
		return [2]string{"cmd.exe", "/C"}
	}
	return [2]string{"sh", "-c"}
}()

// withoutOutput drops what processcreds quotes of a command's output when
// it is not JSON: the output may hold a secret.
func withoutOutput(err error) error {
	var pe *processcreds.ProviderError
	if !errors.As(err, &pe) || !strings.Contains(pe.Error(), "parse failed of process output") {
		return err
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("credential_process printed something that is not JSON (at byte %d), "+
			"not quoted here as it may hold a secret", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("credential_process printed JSON whose %q is a %s, not the %s the format wants",
			typ.Field, typ.Value, typ.Type)
	}
	return errors.New("credential_process printed something that is not its JSON format, " +
		"not quoted here as it may hold a secret")
}
