// Command xacct is the command-line side of the xacct library.
//
// Run 'xacct help' for the list of commands, and 'xacct <command> -h' for
// the flags of one.
//
// # Writing a command
//
// A command lives in a file of its own and registers itself from init:
//
//	func init() {
//		register(command{name: "explain", summary: "...", run: runExplain})
//	}
//
//	func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
//		fs := newFlagSet("xacct explain", stderr, explainUsage)
//		var f profileFlags
//		f.addProfile(fs)                          // --profile, -p, and PROFILE as first argument
//		asJSON := fs.Bool("json", false, "...")   // a Go flag, as in any Go command
//		if code, done := parseFlags(fs, args); done {
//			return code
//		}
//		...
//	}
//
// That is all: the command line (cli.go, on cobra) learns the flags by
// running the command once in describe mode, in which parseFlags hands it
// the flag set and the run ends (so nothing before parseFlags may act), and
// from that one declaration it gives -h and 'xacct help CMD' (the usage
// text, then the flags, on stdout, exit 0), shell completion of the flags
// and of profile names, and errors for flags the command does not take.
// parseFlags parses with pflag: --name value, --name=value, Go's -name
// value (every earlier release's spelling, which stays), -p for --profile,
// flags after arguments. A command that runs a command after its flags
// (exec) calls takeCommand(fs, profileFirst) before parseFlags; fs.Args()
// is then that command. A command with subcommands of its own (cache list,
// cache clear) names them in children, and its run dispatches on args[0].
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
	// children are subcommands that run dispatches on its first argument
	// (cache: list, clear), each with flags of its own.
	children []string
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
	b.WriteString("\nRun 'xacct <command> -h' (or 'xacct help <command>') for a command's flags,\n" +
		"'xacct --version' for the version, and 'xacct completion bash|zsh|fish' for shell completion.\n")
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
	return (&cli{ctx: ctx, stdout: stdout, stderr: stderr}).execute(args)
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
