// Command xacct is the command-line side of the xacct library.
//
//	xacct demo                         walk through cross-account access against an in-process fake STS
//	xacct fake-sts --config FILE       serve a fake STS for a scenario file (see package xaccttest)
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: xacct <command> [flags]

commands:
  demo       walk through cross-account access step by step, against an
             in-process fake STS: no AWS account needed
  fake-sts   serve a fake STS for a scenario file:
             xacct fake-sts --config FILE [--addr 127.0.0.1:0]

Run 'xacct <command> -h' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "fake-sts":
		return runFakeSTS(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "xacct: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
