package main

// `xacct serve`: the credential endpoint of a profile until interrupted,
// for IDEs and long-lived local processes.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/xacct/xacct/internal/sharedini"
)

func init() {
	register(command{
		name:    "serve",
		summary: "serve a profile's credentials from a local endpoint until interrupted: PROFILE [--addr A] [--format F]",
		run:     runServe,
	})
}

const serveUsage = `usage: xacct serve [flags] PROFILE [--addr 127.0.0.1:PORT] [--format sh|fish|pwsh|json|dotenv]

Serves the credentials of profile PROFILE (or --profile) from a local
endpoint until interrupted (Ctrl-C, SIGTERM), refreshed ahead of expiry, for
IDEs and long-lived processes: every AWS SDK and the AWS CLI fetch them from
AWS_CONTAINER_CREDENTIALS_FULL_URI with the token of
AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE. Prints on stdout, in --format, the
variables to give those programs (and the ones to remove, which would beat
the endpoint), and writes the token file (0600, in a private directory
removed on exit). Warns on stderr when a [default] profile in your shared
files yields credentials: programs that read those files use it before the
endpoint ('xacct exec --server' protects its child from that by itself).

MFA: the first code is asked for before the endpoint starts; when a refresh
needs another, xacct asks on its terminal (if it has one) while requests
get a 503 at once; 'xacct login --profile P' from any shell does as well.

`

// serveKeepAhead is how much validity serve keeps ahead of the endpoint's
// 15 minutes, checking every serveKeepEvery: its own refresh (and an MFA
// prompt, on its terminal) comes before a request would need it.
const (
	serveKeepAhead = 20 * time.Minute
	serveKeepEvery = 30 * time.Second
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	r := &credentialRun{name: "xacct serve", stderr: stderr}
	addr, format := "127.0.0.1:0", "sh"
	own := func(fs *flag.FlagSet) {
		fs.StringVar(&addr, "addr", addr, "where to listen: a loopback address and port (0 picks a free port)")
		fs.StringVar(&format, "format", format, formatHelp)
	}
	fs, code, done := r.parse(ctx, args, flagSpec{usage: serveUsage, shared: allSharedFlags, own: own, positional: true})
	if done {
		return code
	}
	if err := unexpectedArgs(fs); err != nil {
		return r.fail(ctx, err)
	}
	if err := checkExportFormat(format); err != nil {
		return r.fail(ctx, err)
	}
	if err := checkLoopbackAddr(addr); err != nil {
		return r.fail(ctx, err)
	}
	if _, err := r.get(ctx); err != nil {
		return r.fail(ctx, err)
	}
	ep, err := startEndpoint(addr)
	if err != nil {
		return r.fail(ctx, err)
	}
	defer ep.close()
	cl, err := ep.add(r.cache, r.plan.Profile)
	if err != nil {
		return r.fail(ctx, err)
	}
	set := endpointVars(cl, nil)
	if r.cfg.Region != "" {
		set = append(set, envVar{"AWS_REGION", r.cfg.Region}, envVar{"AWS_DEFAULT_REGION", r.cfg.Region})
	}
	unset := slices.DeleteFunc(slices.Clone(credentialVars), func(k string) bool {
		return slices.ContainsFunc(set, func(v envVar) bool { return v.name == k })
	})
	if err := writeExport(stdout, format, set, unset); err != nil {
		return r.fail(ctx, err)
	}
	warnShadowingDefault(stderr)
	fmt.Fprintf(stderr, "xacct serve: serving profile %s at %s until interrupted\n", r.plan.Profile, cl.url)
	r.keepAhead(ctx)
	return 0
}

// keepAhead refreshes the credentials ahead of the endpoint's need until
// ctx ends, asking for an MFA code on xacct's own terminal when one is
// needed (never for a request); a failure is said once until it changes.
func (r *credentialRun) keepAhead(ctx context.Context) {
	tick := time.NewTicker(serveKeepEvery)
	defer tick.Stop()
	said := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		_, err := r.cache.RetrieveValidFor(ctx, serveKeepAhead)
		switch {
		case err == nil:
			said = ""
		case ctx.Err() == nil && err.Error() != said:
			said = err.Error()
			report(r.stderr, r.name, fmt.Errorf("refreshing ahead of the endpoint (requests get a 503 until it "+
				"works; `xacct login --profile %s` starts a new MFA session): %w", r.plan.Profile, err))
		}
	}
}

// warnShadowingDefault warns when the user's shared files give [default]
// credentials, which the SDKs use before the endpoint.
func warnShadowingDefault(stderr io.Writer) {
	env, err := config.NewEnvConfig()
	if err != nil {
		return
	}
	files := sharedini.Find(nil, nil, env)
	for _, f := range []struct {
		paths    []string
		isConfig bool
	}{{files.Config, true}, {files.Credentials, false}} {
		for _, p := range f.paths {
			b, _ := sharedini.ReadFile(p)
			if keys := sharedini.ShadowingKeys(b, f.isConfig, "default"); keys != "" {
				fmt.Fprintf(stderr, "xacct serve: warning: [default] in %s sets %s: programs that read this file "+
					"use those credentials before the endpoint, unless they name a profile; give them copies "+
					"without those keys in AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, or run them with "+
					"'xacct exec --server', which does that\n", p, keys)
			}
		}
	}
}
