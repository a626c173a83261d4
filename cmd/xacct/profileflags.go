package main

// The flags of the commands that read a profile's credentials
// (credential-process, exec, login, cache). Each flag has one meaning and
// one help text in every command that takes it.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xacct/xacct"
)

// defaultMinRemaining is the default of --min-remaining. botocore (the
// AWS CLI, boto3) refreshes credentials that have less than 15 minutes
// left before each use: credentials handed to it with less would make it
// run the credential process again at once, on every call.
const defaultMinRemaining = 15 * time.Minute

// profileFlags holds the values of the shared flags.
type profileFlags struct {
	profile      string
	cacheDir     string
	noCache      bool
	tokenCommand string
	minRemaining time.Duration
	region       string
	duration     time.Duration // --duration: the last hop's session; 0 for the profile's
}

func (f *profileFlags) addProfile(fs *flag.FlagSet) {
	fs.StringVar(&f.profile, "profile", "", "the AWS profile, read from "+
		"AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE as the SDKs read them (default: AWS_PROFILE, else default)")
}

func (f *profileFlags) addCacheDir(fs *flag.FlagSet) {
	fs.StringVar(&f.cacheDir, "cache-dir", "", "the credential store's directory, shared by every xacct process "+
		"(default: xacct in the user's cache directory)")
}

func (f *profileFlags) addNoCache(fs *flag.FlagSet) {
	fs.BoolVar(&f.noCache, "no-cache", false, "keep no credentials across processes: "+
		"every run calls STS, and asks for an MFA code when the chain needs one")
}

func (f *profileFlags) addTokenCommand(fs *flag.FlagSet) {
	fs.StringVar(&f.tokenCommand, "token-command", "", "where there is no terminal, the program that prints an MFA "+
		"code as the last line of its stdout, with its arguments, split at spaces ('...' or \"...\" keep a word "+
		"together; no escapes, variables or pipes)")
}

func (f *profileFlags) addMinRemaining(fs *flag.FlagSet) {
	fs.DurationVar(&f.minRemaining, "min-remaining", defaultMinRemaining, "never give out credentials that expire "+
		"sooner than this: fetch new ones instead")
}

func (f *profileFlags) addRegion(fs *flag.FlagSet) {
	fs.StringVar(&f.region, "region", "", "the region of the STS calls and of what the command hands on "+
		"(default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else its source profile's)")
}

// check validates the flags together, naming the flag and the rule.
func (f *profileFlags) check() error {
	switch {
	case f.noCache && f.cacheDir != "":
		return failf(exitConfig, "", "--no-cache and --cache-dir exclude each other: keep credentials in a directory, or nowhere")
	case f.minRemaining < 0:
		return failf(exitConfig, "", "--min-remaining %v is negative: give how long credentials must still be valid, "+
			"such as 15m, or 0 for any that have not expired", f.minRemaining)
	}
	if f.tokenCommand != "" {
		if _, err := splitCommand(f.tokenCommand); err != nil {
			return failf(exitConfig, "", "--token-command %q %v", f.tokenCommand, err)
		}
	}
	return f.checkDuration()
}

// tokenArgs returns --token-command split into words; nil when unset.
// check has validated it.
func (f *profileFlags) tokenArgs() []string {
	if f.tokenCommand == "" {
		return nil
	}
	words, _ := splitCommand(f.tokenCommand)
	return words
}

// openStore returns the store of --cache-dir; nil with --no-cache. Its
// error says which directory cannot serve and why: it cannot be created
// or written (no home, a read-only one), or it is not the user's alone.
// Either way the store is not used; whether the command goes on without
// it is the command's to say (storeUnavailable, noStoreNotice).
func (f *profileFlags) openStore() (*xacct.FileStore, error) {
	if f.noCache {
		return nil, nil
	}
	return xacct.NewFileStore(f.cacheDir)
}

// storeUnavailable is the failure of a command whose purpose is the store
// (login, cache) when it has none: err, from openStore.
func storeUnavailable(err error) error {
	return &exitError{code: exitConfig, err: err,
		hint: "--cache-dir names a directory of your own, that no one else may write and this process can"}
}

// noStoreNotice tells the person, in one line, that the command goes on
// without a store, and why (err, from openStore): the credentials matter
// more than sharing them with other processes.
func noStoreNotice(w io.Writer, err error) {
	fmt.Fprintf(w, "xacct: no credential store, so this process shares no credentials with others: %s "+
		"(hint: --cache-dir names a directory of your own that this process can write; --no-cache goes without, "+
		"and without this notice)\n", strings.Join(strings.Fields(strings.TrimPrefix(err.Error(), "xacct: ")), " "))
}

// allSharedFlags are the shared flags of the commands that hand on a
// profile's credentials (credential-process, exec, env, serve, eks-token),
// in the order of their usage lines.
var allSharedFlags = []func(*profileFlags, *flag.FlagSet){
	(*profileFlags).addProfile, (*profileFlags).addCacheDir, (*profileFlags).addNoCache,
	(*profileFlags).addTokenCommand, (*profileFlags).addMinRemaining, (*profileFlags).addRegion,
	(*profileFlags).addDuration,
}

// callerSharedFlags are the shared flags of accounts and for-each-account,
// which get the caller's credentials (the management account's, or the
// hub's) as the other commands get a profile's, and hand none on: no
// --min-remaining.
var callerSharedFlags = []func(*profileFlags, *flag.FlagSet){
	(*profileFlags).addProfile, (*profileFlags).addCacheDir, (*profileFlags).addNoCache,
	(*profileFlags).addTokenCommand, (*profileFlags).addRegion,
}

// flagSpec is what a command that gets credentials (credentialRun) parses.
type flagSpec struct {
	usage      string
	shared     []func(*profileFlags, *flag.FlagSet) // the shared flags it takes
	own        func(*flag.FlagSet)                  // its own flags; nil when none
	positional bool                                 // it takes PROFILE, then a command (exec)
	command    bool                                 // it takes a command, and no PROFILE (for-each-account)
}

// parse parses args into r.flags and the command's own flags. done is true
// when the command must end with code: -h, a flag it does not know, or
// arguments it does not take (said on stderr, as every error, by r.fail).
func (r *credentialRun) parse(ctx context.Context, args []string, spec flagSpec) (fs *flag.FlagSet, code int, done bool) {
	fs = newFlagSet(r.name, r.stderr, spec.usage)
	for _, add := range spec.shared {
		add(&r.flags, fs)
	}
	if spec.own != nil {
		spec.own(fs)
	}
	if spec.positional || spec.command {
		takeCommand(fs, spec.positional)
	}
	if code, done := parseFlags(fs, args); done {
		return fs, code, true
	}
	if !spec.positional && !spec.command {
		if err := unexpectedArgs(fs); err != nil {
			return fs, r.fail(ctx, err), true
		}
	}
	return fs, 0, false
}

// fail reports err on stderr, as the command's one line, and returns its
// exit code. ctx is the command's.
func (r *credentialRun) fail(ctx context.Context, err error) int {
	report(r.stderr, r.name, interrupted(ctx, err))
	return exitCodeOf(ctx, err, &r.w)
}

// errInterrupted is what a command says when Ctrl-C (SIGINT) or SIGTERM
// stopped it: whatever failed then failed because the work was stopped.
var errInterrupted = errors.New("interrupted")

// interrupted returns errInterrupted when ctx was canceled (by a signal),
// else err.
func interrupted(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return errInterrupted
	}
	return err
}

// unexpectedArgs refuses arguments left after the flags.
func unexpectedArgs(fs *flag.FlagSet) error {
	if fs.NArg() == 0 {
		return nil
	}
	return failf(exitConfig, "", "unexpected argument %q: the command takes its values in flags, "+
		"and the profile as its first argument when it reads one (see -h)", fs.Arg(0))
}

// outputFlag is --output, with --json as its alias, of a command that
// prints for people (text, or table where the text is one) or for scripts
// (json).
type outputFlag struct {
	output string
	json   bool
	table  bool // the text is a table: --output table is its name too
}

// addOutput declares --output and --json on fs; jsonHelp says what JSON
// the command prints.
func addOutput(fs *flag.FlagSet, table bool, jsonHelp string) *outputFlag {
	o := &outputFlag{table: table}
	what := "text"
	if table {
		what = "table (also: text)"
	}
	fs.StringVar(&o.output, "output", "text", "how to print: "+what+" for people, or json: "+jsonHelp)
	fs.BoolVar(&o.json, "json", false, "the same as --output json")
	return o
}

// asJSON reports whether the command prints JSON; an error names a value
// of --output that it does not take.
func (o *outputFlag) asJSON() (bool, error) {
	switch o.output {
	case "json":
		return true, nil
	case "text":
		return o.json, nil
	case "table":
		if o.table {
			return o.json, nil
		}
		return false, failf(exitConfig, "", "--output %q: want text or json", o.output)
	}
	want := "text or json"
	if o.table {
		want = "table, text or json"
	}
	return false, failf(exitConfig, "", "--output %q: want %s", o.output, want)
}
