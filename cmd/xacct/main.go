// Command xacct is the command-line side of the xacct library.
//
// Run 'xacct help' for the list of commands, and 'xacct <command> -h' for
// the flags of one.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/aws/smithy-go"

	"github.com/xacct/xacct/internal/proctree"
)

// command is one subcommand. Each lives in a file of its own and adds
// itself to commands from an init function, so that commands never share
// a file.
type command struct {
	name    string
	summary string // one line for 'xacct help'
	// run is the command without the process: it gets the arguments after
	// the command's name and returns the exit code.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) int
	// withCaller: the command only answers the process that started it,
	// so it stops (as on SIGTERM) when that process exits, on Linux.
	withCaller bool
}

// commands is filled by the init functions of the command files.
var commands = map[string]command{}

func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("xacct: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func usage() string {
	var b strings.Builder
	b.WriteString("usage: xacct <command> [flags]\n\ncommands:\n")
	for _, name := range slices.Sorted(maps.Keys(commands)) {
		fmt.Fprintf(&b, "  %-18s %s\n", name, commands[name].summary)
	}
	b.WriteString("\nRun 'xacct <command> -h' for a command's flags.\n")
	return b.String()
}

func main() {
	caller := os.Getppid()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if len(os.Args) > 1 && commands[os.Args[1]].withCaller {
		// A credential_process that calls xacct again (past the recursion
		// guard, with the environment scrubbed) makes a chain of processes:
		// each xacct ends its own children, and this ends each xacct whose
		// caller is gone, even where a shell in between was killed.
		proctree.EndWithParent(caller)
	}
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	// What is still running (a credential_process of a fetch that outlived
	// the command's deadline) ends with the process, with what it started.
	proctree.EndAll()
	os.Exit(code)
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage())
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "xacct: unknown command %q\n\n%s", args[0], usage())
		return 2
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

// errorCode returns the AWS error code inside err: "" for no error, "?"
// for an error that is not an answer of AWS.
func errorCode(err error) string {
	var apiErr smithy.APIError
	switch {
	case errors.As(err, &apiErr):
		return apiErr.ErrorCode()
	case err != nil:
		return "?"
	}
	return ""
}
