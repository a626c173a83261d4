package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/xacct/xacct/xaccttest"
)

func init() {
	register(command{
		name:     "fake-sts",
		summary:  "serve a fake STS for a scenario file: --config FILE [--addr 127.0.0.1:0]",
		run:      runFakeSTS,
		children: []string{"code"},
	})
}

const fakeSTSUsage = `usage: xacct fake-sts --config FILE [--addr 127.0.0.1:0] [--clock-offset DURATION]
         [--web-identity-token ISSUER,SUBJECT,AUDIENCE=PATH ...] [--web-identity-token-ttl DURATION]
       xacct fake-sts code --config FILE --user NAME [--url URL]

Serves a fake STS on loopback. Prints its URL as the first line on stdout,
logs every call on stderr, and stops on SIGINT or SIGTERM.

Its clock follows the real time, as STS's does (TOTP codes, expiry, log
lines). --clock-offset starts it ahead (or behind, when negative); while it
runs, a test moves it with the admin API:

  curl -d advance=90s URL/_xaccttest/clock    # also set=RFC3339-TIME; GET reads it

Clients sign with their own real time; the fake does not check the
signing time, so an offset never makes signatures fail.

--web-identity-token writes, once serving, a token file that an AWS profile
names in web_identity_token_file (or AWS_WEB_IDENTITY_TOKEN_FILE): an OIDC ID
token of ISSUER for SUBJECT and AUDIENCE, signed by the fake, which
AssumeRoleWithWebIdentity accepts for roles of accounts that declare ISSUER
in oidc_providers. Repeat it for more tokens. The file is written with mode
0600 before the URL is printed; the token is never logged.

`

// runFakeSTS serves a scenario until ctx ends (SIGINT or SIGTERM). The
// endpoint URL is the first line on stdout, so a script can read it; each
// call is logged on stderr.
func runFakeSTS(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "code" {
		return runFakeCode(ctx, args[1:], stdout, stderr)
	}
	fs := newFlagSet("xacct fake-sts", stderr, fakeSTSUsage)
	config := fs.String("config", "", "scenario file (JSON; see package xaccttest)")
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on; port 0 picks a free one")
	offset := fs.Duration("clock-offset", 0, "start the clock this far ahead of the real time (negative: behind)")
	var tokens tokenFlags
	fs.Var(&tokens, "web-identity-token", "write a web identity token file: ISSUER,SUBJECT,AUDIENCE=PATH (repeatable)")
	tokenTTL := fs.Duration("web-identity-token-ttl", time.Hour, "lifetime of the --web-identity-token tokens, on the fake's clock")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if err := checkFakeFlags(fs, *config, *tokenTTL); err != nil {
		report(stderr, "xacct fake-sts", err)
		return 2
	}
	sc, err := xaccttest.LoadScenarioFile(*config)
	if err != nil {
		fmt.Fprintf(stderr, "xacct fake-sts: %v\n", err)
		return 1
	}
	ln, code := listenFake(*addr, stderr)
	if ln == nil {
		return code
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
	if err := tokens.writeAll(srv, *tokenTTL, stderr); err != nil {
		fmt.Fprintf(stderr, "xacct fake-sts: --web-identity-token: %v\n", err)
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

// checkFakeFlags refuses arguments and flag values fake-sts cannot serve.
func checkFakeFlags(fs *flag.FlagSet, config string, tokenTTL time.Duration) error {
	if err := unexpectedArgs(fs); err != nil {
		return err
	}
	if tokenTTL <= 0 {
		return fmt.Errorf("--web-identity-token-ttl %v: a token must live for a while, such as 1h", tokenTTL)
	}
	if config == "" {
		return errors.New("--config FILE is required: a scenario of accounts, users and roles")
	}
	return nil
}

// listenFake listens on addr, warning when it is beyond loopback; nil and
// the exit code when it cannot.
func listenFake(addr string, stderr io.Writer) (net.Listener, int) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		fmt.Fprintf(stderr, "xacct fake-sts: --addr %q: want host:port, such as 127.0.0.1:0 (%v)\n", addr, err)
		return nil, 2
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "xacct fake-sts: %v\n", err)
		return nil, 1
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		// Named by the user, so served; but say what it means.
		fmt.Fprintf(stderr, "xacct fake-sts: warning: listening on %s, beyond loopback: "+
			"anyone who can reach it and knows a scenario key gets credentials from it\n", ln.Addr())
	}
	return ln, 0
}

// writeAll writes every token file, saying so on stderr.
func (tokens tokenFlags) writeAll(srv *xaccttest.Server, ttl time.Duration, stderr io.Writer) error {
	for _, tf := range tokens {
		if err := tf.write(srv, ttl); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "xacct fake-sts: wrote a web identity token of %s for %s (aud %s) to %s, valid for %v\n",
			tf.issuer, tf.subject, tf.audience, tf.path, ttl)
	}
	return nil
}

// tokenFile is one --web-identity-token: what to mint, and where.
type tokenFile struct{ issuer, subject, audience, path string }

// tokenFlags collects --web-identity-token flags.
type tokenFlags []tokenFile

func (f *tokenFlags) String() string { return fmt.Sprint(len(*f), " token files") }

// Set parses ISSUER,SUBJECT,AUDIENCE=PATH: the issuer and subject end at
// the first commas, the audience at the first "=" after them, so that a
// path may hold any character.
func (f *tokenFlags) Set(v string) error {
	parts := strings.SplitN(v, ",", 3)
	if len(parts) != 3 {
		return fmt.Errorf("%q: want ISSUER,SUBJECT,AUDIENCE=PATH, such as "+
			"https://oidc.example.com,system:serviceaccount:ci:builder,sts.amazonaws.com=/tmp/token", v)
	}
	audience, path, ok := strings.Cut(parts[2], "=")
	if !ok || path == "" || parts[0] == "" || parts[1] == "" || audience == "" {
		return fmt.Errorf("%q: want ISSUER,SUBJECT,AUDIENCE=PATH, each part non-empty", v)
	}
	*f = append(*f, tokenFile{issuer: parts[0], subject: parts[1], audience: audience, path: path})
	return nil
}

// write mints the token and writes it to its file, readable by its owner
// only: to a temporary file of mode 0600 beside it, renamed into place, so
// that a file already there (of another mode) is replaced, not rewritten
// with its mode.
func (tf tokenFile) write(srv *xaccttest.Server, ttl time.Duration) error {
	tok, err := srv.WebIdentityToken(tf.issuer, tf.subject, tf.audience, ttl)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(tf.path), ".xacct-token-*") // mode 0600
	if err != nil {
		return err
	}
	_, err = f.WriteString(tok)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), tf.path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
