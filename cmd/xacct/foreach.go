package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
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
                             [--external-id ID] [--concurrency N] [--rate R] [--env-credentials]
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
accounts of the organization (or of --ou and the units below it). Roles are
assumed (with --external-id, when their trust policy demands one) as each
account's turn comes, at --rate STS calls per second for the whole run.

Prints one JSON line per account on stdout as each ends: account_id,
account_name, status (ok, failed: CMD exited non-zero or was killed, error:
the role could not be assumed or CMD not started, not-run: interrupted
first), exit_code (when CMD ran: its exit status, or 128 + the signal that
killed it, as shells and 'xacct exec' report it), duration_ms,
sts_attempts, error, and stderr_tail (the last lines of CMD's stderr). CMD's output goes to stderr, each line prefixed
with [account ID]; the credentials' secret key and session token are
replaced by "` + redacted + `" in it and in the tail.

Each CMD runs in a process group of its own, with no terminal input. On
SIGINT or SIGTERM, xacct starts no other and sends SIGTERM to each running
CMD's group (what CMD started, under sh -c say, holds the same
credentials); what is still running 10s later is killed.

Exit status: 0 when CMD succeeded in every account; 1 when an account
failed or was not run (interrupted included); 2 for bad usage (no CMD, or a
CMD that cannot be found: found before any account runs, unlike exec's 127)
or a config that could not be loaded; 3 when AWS refused or failed the
listing of the accounts; 4 when the caller's chain needed an MFA code and
none could be had; 130 when interrupted while listing the accounts.

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

// forEachFlags are for-each-account's flags.
type forEachFlags struct {
	profileFlags
	roleName, ou, list, externalID string
	concurrency                    int
	rate                           float64
	envCredentials                 bool
}

func runForEach(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const name = "xacct for-each-account"
	fail := func(err error) int {
		report(stderr, name, interrupted(ctx, err))
		return exitCodeOf(ctx, err, nil)
	}
	var f forEachFlags
	fs := newFlagSet(name, stderr, forEachUsage)
	fs.StringVar(&f.roleName, "role-name", "", "the role to assume in every account, such as OrganizationAccountAccessRole (required)")
	f.addProfile(fs)
	fs.StringVar(&f.ou, "ou", "", "run in the accounts of this organizational unit (ou-...) and the units below it")
	fs.StringVar(&f.list, "accounts", "", "run in these accounts, comma-separated IDs, instead of listing the organization's")
	fs.IntVar(&f.concurrency, "concurrency", xacct.DefaultConcurrency, "commands running at once")
	fs.Float64Var(&f.rate, "rate", xacct.DefaultSTSRate, "STS calls per second for the whole run, refreshes and retries included")
	fs.StringVar(&f.externalID, "external-id", "", "External ID the role's trust policy demands, the same in every account")
	fs.BoolVar(&f.envCredentials, "env-credentials", false, envCredentialsHelp)
	takeCommand(fs, false)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	command := fs.Args()
	accounts, err := f.check(command)
	if err != nil {
		return fail(err)
	}
	cfg, err := callerConfig(ctx, f.profile)
	if err != nil {
		return fail(err)
	}
	if accounts == nil {
		if accounts, err = xacct.Accounts(ctx, cfg, func(o *xacct.AccountsOptions) { o.OU = f.ou }); err != nil {
			return fail(err)
		}
	}
	ep, copies, err := startForEachEndpoint(f.envCredentials)
	if err != nil {
		return fail(err)
	}
	if ep != nil {
		defer ep.close()
	}
	r := &forEach{command: command, region: cfg.Region, stderr: stderr, runs: map[string]*childRun{},
		ep: ep, copies: copies, profile: cmp.Or(f.profile, os.Getenv("AWS_PROFILE"), "default")}
	enc := json.NewEncoder(stdout)
	rep := xacct.FanOut(ctx, cfg, accounts, r.run, func(o *xacct.FanOutOptions) {
		o.RoleName, o.ExternalID, o.Concurrency, o.STSRate = f.roleName, f.externalID, f.concurrency, f.rate
		o.OnResult = func(res xacct.Result) { enc.Encode(r.line(res)) }
	})
	if rep.Succeeded != len(accounts) {
		fmt.Fprintf(stderr, "%s: %d of %d accounts succeeded, %d failed, %d not run\n", name,
			rep.Succeeded, len(accounts), rep.Failed, rep.NotRun)
		return exitAccountFailed
	}
	return 0
}

// check refuses flags that cannot work together, and a command that cannot
// be found, before any account runs; it returns --accounts' accounts (nil:
// list the organization's).
func (f *forEachFlags) check(command []string) ([]xacct.Account, error) {
	usage := func(format string, a ...any) error { return failf(exitConfig, "", format, a...) }
	switch {
	case f.roleName == "":
		return nil, usage("--role-name is required: the role to assume in every account, such as OrganizationAccountAccessRole")
	case len(command) == 0:
		return nil, usage("no command: put it after --, as in: xacct for-each-account --role-name R -- aws s3 ls")
	case f.ou != "" && f.list != "":
		return nil, usage("--ou and --accounts exclude each other: give the accounts, or the unit to list them from")
	case f.concurrency < 1:
		return nil, usage("--concurrency %d: want at least 1 command at once", f.concurrency)
	case !(f.rate > 0) || f.rate > 1e6:
		return nil, usage("--rate %g: want STS calls per second above 0 (STS throttles a few dozen a second)", f.rate)
	}
	// A command that cannot be found is a usage error here (2), not exec's
	// 127: it is found before any account runs, and would fail in all.
	if _, err := exec.LookPath(command[0]); err != nil {
		return nil, usage("command %q: %v", command[0], err)
	}
	if f.list == "" {
		return nil, nil
	}
	accounts, err := parseAccounts(f.list)
	if err != nil {
		return nil, usage("--accounts: %v", err)
	}
	return accounts, nil
}

// parseAccounts reads --accounts: 12-digit IDs, comma-separated, each once.
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
	command []string
	region  string
	stderr  io.Writer
	outMu   sync.Mutex // guards stderr, shared by every command's output

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
	prefix := "[" + a.ID + "] "
	out := &lineWriter{mu: &r.outMu, out: r.stderr, prefix: prefix, redact: red}
	errOut := &lineWriter{mu: &r.outMu, out: r.stderr, prefix: prefix, redact: red, keep: stderrTailLines}

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
