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
		summary: "list the ACTIVE accounts of the organization: [--profile P] [--ou ID] [--json]",
		run:     runAccounts,
	})
}

// exitAccountFailed is for-each-account's exit code when an account failed
// or was not run; the others are in exitcodes.go.
const exitAccountFailed = 1

const accountsUsage = "usage: xacct accounts [--profile P] [--ou ID] [--json]\n\n" +
	"Lists the ACTIVE accounts of the organization (or of an OU and the units below it),\n" +
	"from AWS Organizations, with the credentials of the management account or a\n" +
	"delegated administrator. Exit status: 0; 2 for bad usage or configuration; 3 when AWS refused\n" +
	"or failed the listing.\n\n"

func runAccounts(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("xacct accounts", stderr, accountsUsage)
	profile := fs.String("profile", "", "shared config profile of the management (or delegated administrator) account")
	ou := fs.String("ou", "", "list the accounts of this organizational unit (ou-...) and the units below it")
	asJSON := fs.Bool("json", false, "print one JSON object per account and line, for scripts")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "xacct accounts: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	cfg, err := loadConfig(ctx, *profile)
	if err != nil {
		fmt.Fprintf(stderr, "xacct accounts: %v\n", err)
		return exitConfig
	}
	accounts, err := xacct.Accounts(ctx, cfg, func(o *xacct.AccountsOptions) { o.OU = *ou })
	if err != nil {
		fmt.Fprintf(stderr, "xacct accounts: %v\n", err)
		return exitCredentials
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, a := range accounts {
			enc.Encode(a)
		}
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tEMAIL")
	for _, a := range accounts {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", a.ID, a.Name, a.Email)
	}
	tw.Flush()
	return 0
}

// loadConfig loads the caller's AWS config as xacct.LoadConfig does: the
// profile of --profile, else AWS_PROFILE, else the default chain.
func loadConfig(ctx context.Context, profile string) (aws.Config, error) {
	return xacct.LoadConfig(ctx, profile)
}
