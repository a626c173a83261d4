package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func init() {
	register(command{
		name:    "exec",
		summary: "run a command, or your shell, with a profile's credentials: PROFILE [-- CMD [ARGS...]]",
		run:     runExec,
	})
}

const execUsage = `usage: xacct exec [PROFILE | --profile P] [--cache-dir D | --no-cache] [--token-command CMD]
                  [--min-remaining DUR] [--region R] [--duration DUR] [--force] [--server] [--] [CMD [ARGS...]]

Runs CMD with the credentials of profile PROFILE in its environment:
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
AWS_CREDENTIAL_EXPIRATION (when they expire), AWS_ACCOUNT_ID (when known),
and AWS_REGION and AWS_DEFAULT_REGION (the region as the SDKs resolve it for
the profile: AWS_REGION when set, else the profile's). AWS_PROFILE,
AWS_DEFAULT_PROFILE and every other variable through which an SDK could
pick other credentials are removed. XACCT_PROFILE and AWS_VAULT (the marker
that shell prompts read) name the profile. The credentials do not change
while CMD runs: they last at least --min-remaining.

Without CMD, it opens your shell ($SHELL, else /bin/sh) with them, and says
which profile and until when: exit the shell to drop them. CMD starts at
the first word after PROFILE (or after --profile P), or after --.

An exec inside the shell or command of another (XACCT_PROFILE or
AWS_VAULT set) is refused: its credentials would come from the outer
profile's keys. --force runs it anyway.

With --server, CMD gets a local credential endpoint instead, for as long as
it runs: AWS_CONTAINER_CREDENTIALS_FULL_URI (http://127.0.0.1:PORT/...),
AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (0600, in a private directory) and
AWS_CONTAINER_AUTHORIZATION_TOKEN, and AWS_CONFIG_FILE and
AWS_SHARED_CREDENTIALS_FILE naming private copies of your shared files
without [default]'s credential keys (which every SDK would use before the
endpoint; your files are not changed). Every SDK refreshes from it, so CMD
outlives the session. xacct never reads the terminal while CMD runs: when a
refresh needs an MFA code, CMD's requests get a 503 saying to run
'xacct login PROFILE'. The endpoint and the directory go when CMD ends.

MFA codes, the credential store and notices work as in
'xacct credential-process'.

Signals: SIGTERM and SIGHUP are passed on to CMD; so are SIGINT and
SIGQUIT, unless they came from the terminal (Ctrl-C, Ctrl-\), which sends
them to CMD itself. xacct waits for CMD and exits with its status: its exit
code, or 128 + the signal that killed it, as shells report it. Before CMD
runs, the exit status is xacct's: 2 bad usage or configuration, 3 STS
refused or failed, 4 no MFA code could be had, 5 another xacct process kept
refreshing the credentials too long, 126 CMD cannot be run, 127 CMD is not
found, 130 interrupted.

`

// profileVar names, in a child of exec, the profile whose credentials it
// has; awsVaultVar is aws-vault's name for the same, which shell prompts
// (starship, oh-my-zsh, powerlevel10k) show.
const (
	profileVar  = "XACCT_PROFILE"
	awsVaultVar = "AWS_VAULT"
)

func runExec(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// The environment as xacct got it, before enterProfile marks the
	// profile in it: the command is not part of resolving the profile, and
	// may itself run xacct for it.
	environ := os.Environ()
	r := &credentialRun{name: "xacct exec", stderr: stderr, seeThrough: true}
	var force, server bool
	fs, code, done := r.parse(ctx, args, flagSpec{usage: execUsage, shared: allSharedFlags, positional: true,
		own: func(fs *flag.FlagSet) {
			fs.BoolVar(&force, "force", false, "run inside the shell or command of another exec (XACCT_PROFILE or AWS_VAULT set)")
			addServerFlag(&server)(fs)
		}})
	if done {
		return code
	}
	if err := checkNested(force); err != nil {
		return r.fail(ctx, err)
	}
	command, shell := fs.Args(), false
	if len(command) == 0 {
		command, shell = []string{userShell()}, true
	}
	path, err := exec.LookPath(command[0])
	if err != nil {
		code := exitCannotRun
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			code = exitNotFound
		}
		return r.fail(ctx, failf(code, "", "command %q: %v", command[0], err))
	}
	if server {
		return r.execServer(ctx, environ, path, command, stdout)
	}
	creds, err := r.get(ctx)
	if err != nil {
		return r.fail(ctx, err)
	}
	if shell {
		fmt.Fprintf(stderr, "xacct exec: %s with the credentials of profile %s%s; exit it to drop them\n",
			command[0], r.plan.Profile, untilText(creds))
	}

	cmd := exec.Command(path, command[1:]...)
	cmd.Args[0] = command[0]
	// environ holds recursionVar as xacct got it: the profiles of the
	// processes up the tree, without this one's.
	cmd.Env = append(credentialEnv(environ, creds, r.cfg.Region),
		profileVar+"="+r.plan.Profile, awsVaultVar+"="+r.plan.Profile)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	// From here on, signals are the command's: xacct passes them on and
	// waits for it, whatever ctx says.
	return r.runForwarding(ctx, cmd, command[0])
}

// checkNested refuses an exec inside another's child, unless force.
func checkNested(force bool) error {
	if force {
		return nil
	}
	for _, v := range []string{profileVar, awsVaultVar} {
		if p := os.Getenv(v); p != "" {
			return failf(exitConfig, "exit that shell first, or give --force to run inside it",
				"this shell already has the credentials of profile %s (%s is set, by xacct exec or aws-vault exec): "+
					"an exec inside it would get its credentials from them, not from your profiles", p, v)
		}
	}
	return nil
}

// userShell is the shell of exec without a command: $SHELL, else /bin/sh.
func userShell() string {
	if s := os.Getenv("SHELL"); s != "" {
		return s
	}
	return "/bin/sh"
}

// untilText says until when credentials last: " until 15:04 MST (in 58m)".
func untilText(c aws.Credentials) string {
	if !c.CanExpire {
		return " (long-term keys: they do not expire)"
	}
	return fmt.Sprintf(" until %s (in %s)", c.Expires.Local().Format("15:04 MST"), humanDuration(time.Until(c.Expires)))
}

// waitForwarding waits for cmd, passing on the signals that come on sigs
// (signals that cannot have reached cmd already), and returns its exit
// status as a shell reports it.
func waitForwarding(cmd *exec.Cmd, sigs <-chan os.Signal) int {
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	for {
		select {
		case s := <-sigs:
			if !fromTerminal(s) {
				cmd.Process.Signal(s)
			}
		case <-done:
			return exitStatus(cmd.ProcessState)
		}
	}
}
