package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/proctree"
	"github.com/xacct/xacct/internal/validate"
)

func init() {
	register(command{
		name:    "for-each-account",
		summary: "run a command in every account, with its credentials: --role-name R [--ou ID | --accounts IDs] -- CMD",
		run:     runForEach,
	})
}

const forEachUsage = `usage: xacct for-each-account --role-name R [--profile P] [--ou ID | --accounts ID,ID...]
                             [--exclude ID,ID...] [--external-id ID] [--concurrency N] [--rate R]
                             [--env-credentials] [--output-dir DIR] [--status-file FILE]
                             [--cache-dir D | --no-cache] [--token-command CMD] [--region R]
                             -- CMD [ARGS...]

Runs CMD once per account, with credentials of role R in that account, and
XACCT_ACCOUNT_ID, XACCT_ACCOUNT_NAME and AWS_REGION in its environment. The
credentials come from a local endpoint of that account, refreshed for as
long as CMD runs (AWS_CONTAINER_CREDENTIALS_FULL_URI, a token file, and
private copies of the shared files without [default]'s credential keys in
AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE: see 'xacct exec -h');
with --env-credentials, from fixed variables (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION),
valid for the session only. The accounts are those of --accounts, or the ACTIVE
accounts of the organization (or of --ou and the units below it), but those
of --exclude (the management account, say, which has no such role). Roles are
assumed (with --external-id, when their trust policy demands one) as each
account's turn comes, at --rate STS calls per second for the whole run.
They are assumed with the credentials of --profile, got as every command
gets them: through the credential store (after 'xacct login P', no MFA
code and no STS call for what it holds), asking a code on the terminal or
of --token-command.

Prints one JSON line per account on stdout as each ends (and in FILE, with
--status-file): account_id, account_name, status (ok, failed: CMD exited
non-zero or was killed, error: the role could not be assumed or CMD not
started, not-run: interrupted first), exit_code (when CMD ran: its exit
status, or 128 + the signal that killed it, as shells and 'xacct exec'
report it), duration_ms, sts_attempts, error, and stderr_tail (the last
lines of CMD's stderr). CMD's output goes to stderr, each line prefixed
with [account ID]; with --output-dir, to DIR/ID.stdout and DIR/ID.stderr
instead (files 0600, in a directory created 0700 when missing). The
credentials' secret key and session token are replaced by "` + redacted + `"
in it and in the tail.

Each CMD runs in a process group of its own, with no terminal input. On
SIGINT or SIGTERM, xacct starts no other (each account not started gets its
not-run line) and sends SIGTERM to each running CMD's group (what CMD
started, under sh -c say, holds the same credentials); what is still
running 10s later is killed.

Exit status: 0 when CMD succeeded in every account; 1 when an account
failed; 2 for bad usage (no CMD, or a CMD that cannot be found: found
before any account runs, unlike exec's 127) or configuration; 3 when AWS
refused or failed the listing of the accounts, or the caller's chain; 4
when the caller's chain needed an MFA code and none could be had; 5 when
another xacct process kept refreshing the caller's credentials too long;
130 when interrupted (SIGINT, SIGTERM), with the not-run lines written.

`

// stderrTailLines and stderrTailBytes bound the stderr tail of a JSON line:
// enough for the error a command ends with, not its whole log.
const (
	stderrTailLines = 20
	stderrTailBytes = 4096
)

// childStopGrace is how long a command has after SIGTERM (on Ctrl-C) to
// exit before it is killed.
const childStopGrace = 10 * time.Second

// forEachFlags are for-each-account's own flags.
type forEachFlags struct {
	roleName, ou, list, exclude, externalID string
	outputDir, statusFile                   string
	concurrency                             int
	rate                                    float64
	envCredentials                          bool
}

// add declares the flags on fs.
func (f *forEachFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&f.roleName, "role-name", "", "the role to assume in every account, such as OrganizationAccountAccessRole (required)")
	fs.StringVar(&f.ou, "ou", "", "run in the accounts of this organizational unit (ou-...) and the units below it")
	fs.StringVar(&f.list, "accounts", "", "run in these accounts, comma-separated IDs, instead of listing the organization's")
	fs.StringVar(&f.exclude, "exclude", "", "run in none of these accounts, comma-separated IDs (listed or given): "+
		"the management account, say")
	fs.IntVar(&f.concurrency, "concurrency", xacct.DefaultConcurrency, "commands running at once")
	fs.Float64Var(&f.rate, "rate", xacct.DefaultSTSRate, "STS calls per second for the whole run, refreshes and retries included")
	fs.StringVar(&f.externalID, "external-id", "", "External ID the role's trust policy demands, the same in every account")
	fs.BoolVar(&f.envCredentials, "env-credentials", false, envCredentialsHelp)
	fs.StringVar(&f.outputDir, "output-dir", "", "write each account's command output to DIR/ID.stdout and DIR/ID.stderr "+
		"(0600, in a 0700 directory created when missing), not to stderr")
	fs.StringVar(&f.statusFile, "status-file", "", "write the JSON lines to this file (0600) too, as stdout gets them")
}

func runForEach(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	r := &credentialRun{name: "xacct for-each-account", stderr: stderr, seeThrough: true}
	var f forEachFlags
	fs, code, done := r.parse(ctx, args, flagSpec{usage: forEachUsage, shared: callerSharedFlags, own: f.add, command: true})
	if done {
		return code
	}
	command := fs.Args()
	accounts, exclude, err := f.check(command)
	if err != nil {
		return r.fail(ctx, err)
	}
	status, err := openStatus(stdout, f.statusFile, f.outputDir)
	if err != nil {
		return r.fail(ctx, err)
	}
	defer status.close()
	cfg, err := r.caller(ctx)
	if err != nil {
		return r.fail(ctx, err)
	}
	if accounts == nil {
		if accounts, err = xacct.Accounts(ctx, cfg, func(o *xacct.AccountsOptions) { o.OU = f.ou }); err != nil {
			return r.fail(ctx, err)
		}
	}
	accounts = slices.DeleteFunc(accounts, func(a xacct.Account) bool { return exclude[a.ID] })
	ep, copies, err := startForEachEndpoint(f.envCredentials)
	if err != nil {
		return r.fail(ctx, err)
	}
	if ep != nil {
		defer ep.close()
	}
	fe := &forEach{command: command, region: cfg.Region, stderr: stderr, runs: map[string]*childRun{},
		outputDir: f.outputDir, ep: ep, copies: copies, profile: cmp.Or(r.flags.profile, os.Getenv("AWS_PROFILE"), "default")}
	rep := xacct.FanOut(ctx, cfg, accounts, fe.run, func(o *xacct.FanOutOptions) {
		o.RoleName, o.ExternalID, o.Concurrency, o.STSRate = f.roleName, f.externalID, f.concurrency, f.rate
		o.OnResult = func(res xacct.Result) { status.write(fe.line(res)) }
	})
	return forEachEnd(ctx, stderr, r.name, rep, len(accounts), status)
}

// forEachEnd says how the run ended, on stderr when not every account
// succeeded, and returns the exit code: 130 when interrupted, whatever
// ran before.
func forEachEnd(ctx context.Context, stderr io.Writer, name string, rep *xacct.Report, n int, status *statusOut) int {
	code := 0
	if rep.Succeeded != n {
		how := ""
		if errors.Is(ctx.Err(), context.Canceled) {
			how = " (interrupted)"
		}
		fmt.Fprintf(stderr, "%s: %d of %d accounts succeeded, %d failed, %d not run%s\n", name,
			rep.Succeeded, n, rep.Failed, rep.NotRun, how)
		code = exitAccountFailed
	}
	if err := status.err(); err != nil {
		report(stderr, name, err)
		code = exitFailure
	}
	if errors.Is(ctx.Err(), context.Canceled) && code != 0 {
		return exitInterrupted
	}
	return code
}

// check refuses flags that cannot work together, and a command that cannot
// be found, before any account runs; it returns --accounts' accounts (nil:
// list the organization's) and the IDs of --exclude.
func (f *forEachFlags) check(command []string) ([]xacct.Account, map[string]bool, error) {
	usage := func(format string, a ...any) error { return failf(exitConfig, "", format, a...) }
	switch {
	case f.roleName == "":
		return nil, nil, usage("--role-name is required: the role to assume in every account, such as OrganizationAccountAccessRole")
	case len(command) == 0:
		return nil, nil, usage("no command: put it after --, as in: xacct for-each-account --role-name R -- aws s3 ls")
	case f.ou != "" && f.list != "":
		return nil, nil, usage("--ou and --accounts exclude each other: give the accounts, or the unit to list them from")
	case f.concurrency < 1:
		return nil, nil, usage("--concurrency %d: want at least 1 command at once", f.concurrency)
	case !(f.rate > 0) || f.rate > 1e6:
		return nil, nil, usage("--rate %g: want STS calls per second above 0 (STS throttles a few dozen a second)", f.rate)
	}
	// A command that cannot be found is a usage error here (2), not exec's
	// 127: it is found before any account runs, and would fail in all.
	if _, err := exec.LookPath(command[0]); err != nil {
		return nil, nil, usage("command %q: %v", command[0], err)
	}
	exclude := map[string]bool{}
	if f.exclude != "" {
		ids, err := parseAccounts(f.exclude)
		if err != nil {
			return nil, nil, usage("--exclude: %v", err)
		}
		for _, a := range ids {
			exclude[a.ID] = true
		}
	}
	if f.list == "" {
		return nil, exclude, nil
	}
	accounts, err := parseAccounts(f.list)
	if err != nil {
		return nil, nil, usage("--accounts: %v", err)
	}
	return accounts, exclude, nil
}

// parseAccounts reads --accounts (and --exclude): 12-digit IDs,
// comma-separated, each once.
func parseAccounts(s string) ([]xacct.Account, error) {
	var out []xacct.Account
	seen := map[string]bool{}
	for _, id := range strings.Split(s, ",") {
		id = strings.TrimSpace(id)
		switch {
		case !validate.IsAccountID(id):
			return nil, fmt.Errorf("%q is not an account ID: want 12 digits, comma-separated", id)
		case seen[id]:
			return nil, fmt.Errorf("%s is given twice: each account runs once", id)
		}
		seen[id] = true
		out = append(out, xacct.Account{ID: id})
	}
	return out, nil
}

// forEach runs the command of one for-each-account invocation.
type forEach struct {
	command   []string
	region    string
	stderr    io.Writer
	outMu     sync.Mutex // guards stderr, shared by every command's output
	outputDir string     // --output-dir: each command's output in files of its own; "" for stderr

	ep      *endpoint     // the credential endpoint; nil with --env-credentials
	copies  *sharedCopies // the shared files of every command, with ep
	profile string        // the caller's profile, for the endpoint's hint

	mu   sync.Mutex           // guards runs
	runs map[string]*childRun // by account ID, for the JSON line
}

// childRun is what a JSON line says of a command beyond the Result.
type childRun struct {
	exitCode int // as a shell reports it: 128 + the signal when killed by one (exitStatus)
	tail     string
}

// run is FanOut's fn: the command, in the account.
func (r *forEach) run(ctx context.Context, a xacct.Account, cfg aws.Config) error {
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	env, red, ended, err := r.childEnv(a, cfg, creds)
	if err != nil {
		return err
	}
	defer ended()
	out, errOut, closeOutput, err := r.output(a, red)
	if err != nil {
		return err
	}
	defer closeOutput()

	// The command runs as a process tree (its group): on Ctrl-C it gets
	// SIGTERM with what it started (which holds the same credentials), as
	// from a shell, and time to end; then what is left is killed. What it
	// leaves in the background is killed when it exits: it would hold the
	// output, and the credentials, past the command's end.
	tree := proctree.Command(ctx, proctree.Options{Grace: childStopGrace}, r.command[0], r.command[1:]...)
	cmd := tree.Cmd
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = out, errOut
	err = tree.Run()
	out.Close()
	errOut.Close()

	if cmd.ProcessState != nil { // it ran
		r.mu.Lock()
		r.runs[a.ID] = &childRun{exitCode: exitStatus(cmd.ProcessState), tail: errOut.Tail(stderrTailBytes)}
		r.mu.Unlock()
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return &commandFailed{exitErr: exitErr}
	}
	return err
}

// commandFailed is an account's error when the command exited non-zero or
// was killed.
type commandFailed struct{ exitErr *exec.ExitError }

func (e *commandFailed) Error() string { return "the command " + e.exitErr.Error() }

// forEachLine is the JSON line of one account.
type forEachLine struct {
	AccountID   string `json:"account_id"`
	AccountName string `json:"account_name,omitempty"`
	Status      string `json:"status"`              // ok, failed, error, not-run
	ExitCode    *int   `json:"exit_code,omitempty"` // when the command ran: its status, 128 + the signal when killed by one
	DurationMS  int64  `json:"duration_ms"`
	STSAttempts int    `json:"sts_attempts"`
	Error       string `json:"error,omitempty"`
	StderrTail  string `json:"stderr_tail,omitempty"`
}

// line makes the JSON line of a Result. It carries no credentials: xacct's
// errors hold none, and the tail is redacted.
func (r *forEach) line(res xacct.Result) forEachLine {
	l := forEachLine{AccountID: res.Account.ID, AccountName: res.Account.Name, Status: "ok",
		DurationMS: res.Took.Milliseconds(), STSAttempts: res.Attempts}
	r.mu.Lock()
	run := r.runs[res.Account.ID]
	r.mu.Unlock()
	if run != nil {
		l.ExitCode, l.StderrTail = &run.exitCode, run.tail
	}
	var failed *commandFailed
	switch {
	case res.Err == nil:
	case errors.Is(res.Err, xacct.ErrNotRun):
		l.Status = "not-run"
	case errors.As(res.Err, &failed):
		l.Status = "failed"
	default:
		l.Status = "error"
	}
	if res.Err != nil {
		l.Error = res.Err.Error()
	}
	return l
}
