package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/xacct/xacct/xaccttest"
)

func init() {
	register(command{
		name:    "fake-sts",
		summary: "serve a fake STS for a scenario file: --config FILE [--addr 127.0.0.1:0]",
		run:     runFakeSTS,
	})
}

const fakeSTSUsage = `usage: xacct fake-sts --config FILE [--addr 127.0.0.1:0] [--clock-offset DURATION]

Serves a fake STS on loopback. Prints its URL as the first line on stdout,
logs every call on stderr, and stops on SIGINT or SIGTERM.

Its clock follows the real time, as STS's does (TOTP codes, expiry, log
lines). --clock-offset starts it ahead (or behind, when negative); while it
runs, a test moves it with the admin API:

  curl -d advance=90s URL/_xaccttest/clock    # also set=RFC3339-TIME; GET reads it

Clients sign with their own real time; the fake does not check the
signing time, so an offset never makes signatures fail.

`

// runFakeSTS serves a scenario until ctx ends (SIGINT or SIGTERM). The
// endpoint URL is the first line on stdout, so a script can read it; each
// call is logged on stderr.
func runFakeSTS(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("xacct fake-sts", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "", "scenario file (JSON; see package xaccttest)")
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on; port 0 picks a free one")
	offset := fs.Duration("clock-offset", 0, "start the clock this far ahead of the real time (negative: behind)")
	fs.Usage = func() {
		fmt.Fprint(stderr, fakeSTSUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "xacct fake-sts: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *config == "" {
		fmt.Fprintln(stderr, "xacct fake-sts: --config FILE is required: a scenario of accounts, users and roles")
		return 2
	}
	sc, err := xaccttest.LoadScenarioFile(*config)
	if err != nil {
		fmt.Fprintf(stderr, "xacct fake-sts: %v\n", err)
		return 1
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "xacct fake-sts: --addr %q: want host:port, such as 127.0.0.1:0 (%v)\n", *addr, err)
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "xacct fake-sts: %v\n", err)
		return 1
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		// Named by the user, so served; but say what it means.
		fmt.Fprintf(stderr, "xacct fake-sts: warning: listening on %s, beyond loopback: "+
			"anyone who can reach it and knows a scenario key gets credentials from it\n", ln.Addr())
	}
	srv := xaccttest.NewUnstartedServer()
	srv.Clock = xaccttest.NewRealClock()
	srv.Clock.Advance(*offset)
	var logMu sync.Mutex // keeps log lines whole
	srv.OnCall(func(c xaccttest.Call) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintln(stderr, c)
	})
	srv.StartOn(ln)
	defer srv.Close() // waits for calls under way
	if err := srv.Load(sc); err != nil {
		fmt.Fprintf(stderr, "xacct fake-sts: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, srv.URL)
	if f, ok := stdout.(interface{ Sync() error }); ok {
		f.Sync()
	}
	fmt.Fprintf(stderr, "xacct fake-sts: serving %s on %s (clock %s); stop with Ctrl-C\n",
		*config, srv.URL, srv.Clock.Now().UTC().Format("2006-01-02T15:04:05Z"))
	<-ctx.Done()
	srv.Close()
	fmt.Fprintln(stderr, "xacct fake-sts: stopped")
	return 0
}
