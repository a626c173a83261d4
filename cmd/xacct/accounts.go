package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct"
)

func init() {
	register(command{
		name:    "accounts",
		summary: "list the ACTIVE accounts of the organization: [PROFILE | --profile P] [--ou ID] [--output table|json]",
		run:     runAccounts,
	})
}

const accountsUsage = "usage: xacct accounts [PROFILE | --profile P] [--ou ID] [--output table|json]\n" +
	"                      [--cache-dir D | --no-cache] [--token-command CMD] [--region R]\n\n" +
	"Lists the ACTIVE accounts of the organization (or of an OU and the units below it),\n" +
	"from AWS Organizations, with the credentials of the management account or a\n" +
	"delegated administrator: profile PROFILE's, got as 'xacct credential-process' gets\n" +
	"them, through the credential store (after 'xacct login PROFILE', no MFA code) and\n" +
	"asking a code on the terminal or of --token-command. Exit status: 0; 1 when the list\n" +
	"could not be written to stdout; 2 for bad usage or configuration; 3 when AWS refused or\n" +
	"failed the listing; 4 when an MFA code was needed and none could be had; 5 when another\n" +
	"xacct process kept refreshing the credentials too long; 130 when interrupted.\n\n"

func runAccounts(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	r := &credentialRun{name: "xacct accounts", stderr: stderr, seeThrough: true}
	var ou string
	var output *outputFlag
	if _, code, done := r.parse(ctx, args, flagSpec{usage: accountsUsage, shared: callerSharedFlags,
		own: func(fs *flag.FlagSet) {
			fs.StringVar(&ou, "ou", "", "list the accounts of this organizational unit (ou-...) and the units below it")
			output = addOutput(fs, true, "one JSON object per account and line, for scripts")
		}}); done {
		return code
	}
	asJSON, err := output.asJSON()
	if err != nil {
		return r.fail(ctx, err)
	}
	cfg, err := r.caller(ctx)
	if err != nil {
		return r.fail(ctx, err)
	}
	accounts, err := xacct.Accounts(ctx, cfg, func(o *xacct.AccountsOptions) { o.OU = ou })
	if err != nil {
		return r.fail(ctx, err)
	}
	out := &stdoutWriter{w: stdout}
	if asJSON {
		enc := json.NewEncoder(out)
		for _, a := range accounts {
			enc.Encode(a) // an Account always encodes: only writing can fail
		}
		return stdoutFailed(stderr, r.name, out)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tEMAIL")
	for _, a := range accounts {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", a.ID, a.Name, a.Email)
	}
	tw.Flush()
	return stdoutFailed(stderr, r.name, out)
}

// caller returns the config of the caller of accounts and
// for-each-account (the management account, or the hub) by the one path
// of every command: the profile's chain on the credential store, codes
// asked on the terminal or of --token-command, and the credentials got
// once, before any other call, so that a missing code fails before the
// listing (exit 4).
func (r *credentialRun) caller(ctx context.Context) (aws.Config, error) {
	if _, err := r.get(ctx); err != nil {
		return aws.Config{}, err
	}
	return r.cfg, nil
}
