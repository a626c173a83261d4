package main

import (
	"context"
	"flag"
	"io"
	"slices"
)

func init() {
	register(command{
		name:    "env",
		summary: "print a profile's credentials as variables to export: PROFILE [--format sh|fish|pwsh|json|dotenv]",
		run:     runEnv,
	})
}

const envUsage = `usage: xacct env [PROFILE | --profile P] [--format sh|fish|pwsh|json|dotenv]
                 [--cache-dir D | --no-cache] [--token-command CMD] [--min-remaining DUR] [--region R]
                 [--duration DUR]

Prints the credentials of profile PROFILE as the variables that every AWS
SDK and the AWS CLI read first: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION (when they expire),
AWS_ACCOUNT_ID (when known), AWS_REGION and AWS_DEFAULT_REGION (the
profile's region, when it has one). The shell formats also unset the
variables through which an SDK would pick other credentials (AWS_PROFILE,
a web identity, a container endpoint), as exec removes them:

  eval "$(xacct env prod)"              # bash, zsh
  xacct env prod --format fish | source
  xacct env prod --format pwsh | Invoke-Expression

The credentials are those of one moment, valid for at least
--min-remaining: run it again when AWS_CREDENTIAL_EXPIRATION passes. MFA
codes, the credential store and notices work as in 'xacct
credential-process'; stdout carries only the variables.

Exit status: 0 success; 1 stdout could not be written; 2 bad usage or
configuration; 3 STS refused or failed; 4 no MFA code could be had; 5
another xacct process kept refreshing the credentials too long; 130
interrupted.

`

func runEnv(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	r := &credentialRun{name: "xacct env", stderr: stderr, seeThrough: true}
	format := "sh"
	if _, code, done := r.parse(ctx, args, flagSpec{usage: envUsage, shared: allSharedFlags,
		own: func(fs *flag.FlagSet) { fs.StringVar(&format, "format", "sh", formatHelp) }}); done {
		return code
	}
	if err := checkExportFormat(format); err != nil {
		return r.fail(ctx, err)
	}
	creds, err := r.get(ctx)
	if err != nil {
		return r.fail(ctx, err)
	}
	vars := credentialVarList(creds, r.cfg.Region)
	unset := slices.DeleteFunc(slices.Clone(credentialVars), func(name string) bool {
		return slices.ContainsFunc(vars, func(v envVar) bool { return v.name == name })
	})
	out := &stdoutWriter{w: stdout}
	writeExport(out, format, vars, unset)
	return stdoutFailed(stderr, r.name, out)
}
