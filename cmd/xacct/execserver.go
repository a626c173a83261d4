package main

// `xacct exec --server`: the child gets a credential endpoint for its
// lifetime instead of fixed keys, so that it keeps working past the
// session's end.

import (
	"context"
	"flag"
	"io"
	"os"
	"os/exec"
	"os/signal"
)

// serverFlagHelp is the help of exec's --server.
const serverFlagHelp = "serve the credentials to CMD from a local endpoint for as long as it runs, refreshed " +
	"(AWS_CONTAINER_CREDENTIALS_FULL_URI), instead of fixed keys in its environment (see 'Credential endpoint' in the README)"

// addServerFlag adds --server to exec's flags.
func addServerFlag(server *bool) func(*flag.FlagSet) {
	return func(fs *flag.FlagSet) { fs.BoolVar(server, "server", false, serverFlagHelp) }
}

// execServer runs command (found at path) with an endpoint serving the
// profile's credentials, and returns its exit status. The credentials
// are fetched first, so that an MFA prompt comes before the child holds
// the terminal; from then on xacct never reads the terminal: a refresh
// that needs a code gets the child a 503 that says to run xacct login.
func (r *credentialRun) execServer(ctx context.Context, environ []string, path string, command []string, stdout io.Writer) int {
	if _, err := r.get(ctx); err != nil {
		return r.fail(ctx, err)
	}
	ep, err := startEndpoint("127.0.0.1:0")
	if err != nil {
		return r.fail(ctx, err)
	}
	// Closed (and its directory removed) when the child has ended, by its
	// own exit or a signal passed on to it.
	defer ep.close()
	copies, err := ep.sharedCopies()
	if err != nil {
		return r.fail(ctx, err)
	}
	cl, err := ep.add(r.cache, r.plan.Profile)
	if err != nil {
		return r.fail(ctx, err)
	}
	cmd := exec.Command(path, command[1:]...)
	cmd.Args[0] = command[0]
	cmd.Env = endpointEnv(environ, cl, copies, r.cfg.Region)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, r.stderr
	return r.runForwarding(ctx, cmd, command[0])
}

// runForwarding starts cmd (name is its command as given) and waits for
// it: from here on, signals are the command's, which xacct passes on
// (waitForwarding), whatever ctx says. It returns cmd's exit status.
func (r *credentialRun) runForwarding(ctx context.Context, cmd *exec.Cmd, name string) int {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwardedSignals...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return r.fail(ctx, failf(exitCannotRun, "", "starting %s: %v", name, err))
	}
	return waitForwarding(cmd, sigs)
}
