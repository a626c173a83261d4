package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
)

func init() {
	register(command{
		name:    "exec",
		summary: "run a command with a profile's credentials in its environment: --profile P -- CMD [ARGS...]",
		run:     runExec,
	})
}

const execUsage = `usage: xacct exec --profile P [--cache-dir D | --no-cache] [--token-command CMD]
                  [--min-remaining DUR] [--server] -- CMD [ARGS...]
       xacct exec --server [flags] PROFILE -- CMD [ARGS...]

Runs CMD with the credentials of profile P in its environment:
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
AWS_CREDENTIAL_EXPIRATION (when they expire), AWS_ACCOUNT_ID (when known),
and AWS_REGION and AWS_DEFAULT_REGION (the region as the SDKs resolve it for
the profile: AWS_REGION when set, else the profile's region). AWS_PROFILE,
AWS_DEFAULT_PROFILE and every other variable through which an SDK could
pick other credentials are removed. The credentials do not change while
CMD runs: they last at least --min-remaining.

With --server, CMD gets a local credential endpoint instead, for as long as
it runs: AWS_CONTAINER_CREDENTIALS_FULL_URI (http://127.0.0.1:PORT/...),
AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (0600, in a private directory) and
AWS_CONTAINER_AUTHORIZATION_TOKEN, and AWS_CONFIG_FILE and
AWS_SHARED_CREDENTIALS_FILE naming private copies of your shared files
without [default]'s credential keys (which every SDK would use before the
endpoint; your files are not changed). Every SDK refreshes from it, so CMD
outlives the session. xacct never reads the terminal while CMD runs: when a
refresh needs an MFA code, CMD's requests get a 503 saying to run
'xacct login --profile P'. The endpoint and the directory go when CMD ends.

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

func runExec(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// The environment as xacct got it, before enterProfile marks the
	// profile in it: the command is not part of resolving the profile, and
	// may itself run xacct for it.
	environ := os.Environ()
	r := &credentialRun{name: "xacct exec", stderr: stderr}
	var server bool
	fs, code, done := r.parse(ctx, args, flagSpec{usage: execUsage, shared: allSharedFlags, positional: true,
		own: addServerFlag(&server)})
	if done {
		return code
	}
	command, err := profileBeforeCommand(&r.flags, args, fs.Args())
	if err != nil {
		return r.fail(ctx, err)
	}
	if len(command) == 0 {
		return r.fail(ctx, failf(exitConfig, "", "no command: put it after --, as in: xacct exec --profile P -- aws s3 ls"))
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

	cmd := exec.Command(path, command[1:]...)
	cmd.Args[0] = command[0]
	// environ holds recursionVar as xacct got it: the profiles of the
	// processes up the tree, without this one's.
	cmd.Env = credentialEnv(environ, creds, r.cfg.Region)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	// From here on, signals are the command's: xacct passes them on and
	// waits for it, whatever ctx says.
	return r.runForwarding(ctx, cmd, command[0])
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
