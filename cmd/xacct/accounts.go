package main

import (
	"context"
	"encoding/json"
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

const accountsUsage = "usage: xacct accounts [PROFILE | --profile P] [--ou ID] [--output table|json]\n\n" +
	"Lists the ACTIVE accounts of the organization (or of an OU and the units below it),\n" +
	"from AWS Organizations, with the credentials of the management account or a\n" +
	"delegated administrator. Exit status: 0; 1 when the list could not be written to stdout;\n" +
	"2 for bad usage or configuration; 3 when AWS refused or failed the listing; 4 when an MFA\n" +
	"code was needed and none could be had; 130 when interrupted.\n\n"

func runAccounts(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const name = "xacct accounts"
	fail := func(err error) int {
		report(stderr, name, interrupted(ctx, err))
		return exitCodeOf(ctx, err, nil)
	}
	var f profileFlags
	fs := newFlagSet(name, stderr, accountsUsage)
	f.addProfile(fs)
	ou := fs.String("ou", "", "list the accounts of this organizational unit (ou-...) and the units below it")
	output := addOutput(fs, true, "one JSON object per account and line, for scripts")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if err := unexpectedArgs(fs); err != nil {
		return fail(err)
	}
	asJSON, err := output.asJSON()
	if err != nil {
		return fail(err)
	}
	cfg, err := callerConfig(ctx, f.profile)
	if err != nil {
		return fail(err)
	}
	accounts, err := xacct.Accounts(ctx, cfg, func(o *xacct.AccountsOptions) { o.OU = *ou })
	if err != nil {
		return fail(err)
	}
	out := &stdoutWriter{w: stdout}
	if asJSON {
		enc := json.NewEncoder(out)
		for _, a := range accounts {
			enc.Encode(a) // an Account always encodes: only writing can fail
		}
		return stdoutFailed(stderr, name, out)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tEMAIL")
	for _, a := range accounts {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", a.ID, a.Name, a.Email)
	}
	tw.Flush()
	return stdoutFailed(stderr, name, out)
}

// callerConfig loads the config of the caller of accounts and
// for-each-account, the management account or the hub: xacct.LoadConfig of
// profile, asking MFA codes on the terminal as the library does by
// default, with a failure to get one marked as such (exit 4) and a
// failure to load as a configuration error (exit 2).
func callerConfig(ctx context.Context, profile string) (aws.Config, error) {
	cfg, err := xacct.LoadConfig(ctx, profile, func(o *xacct.Options) { o.MFA = mfaSource(true, nil, profile) })
	if err != nil {
		return aws.Config{}, &exitError{code: exitConfig, err: err}
	}
	return cfg, nil
}
