// Package orgaccounts lists the accounts of an organization from AWS
// Organizations, what xacct.Accounts returns: the whole organization
// (ListAccounts) or an organizational unit and the units below it
// (ListAccountsForParent, ListOrganizationalUnitsForParent), every page,
// then the ACTIVE accounts, each once, filtered by Include and Exclude.
//
// Files: orgaccounts.go holds List, its options and the filter; list.go
// the paginated calls; errors.go their errors and hints.
package orgaccounts

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/xacct/xacct/internal/validate"
)

// Account is an account as Organizations describes it. Its fields are
// those of xacct.Account, in the same order, so that one converts to the
// other; their docs are there.
type Account struct {
	ID           string
	Name         string
	Email        string
	ARN          string
	State        string
	JoinedMethod string
	Joined       time.Time
	Parent       string
}

// Client is the part of *organizations.Client that List calls (the method
// set of xacct.OrganizationsClient).
type Client interface {
	organizations.ListAccountsAPIClient
	organizations.ListAccountsForParentAPIClient
	organizations.ListOrganizationalUnitsForParentAPIClient
}

// Options are those of xacct.AccountsOptions, and what the caller adds to
// every client.
type Options struct {
	OU               string   // an OU or root ID; empty: the whole organization
	Include, Exclude []string // account IDs
	// NewClient builds the client. Nil: organizations.NewFromConfig.
	NewClient func(cfg aws.Config) Client
	// APIOption is added to cfg's API options before the client is built,
	// so that a client that NewClient builds from cfg has it too (xacct
	// bounds the answers with it). Nil: none.
	APIOption func(*middleware.Stack) error
}

// List lists the ACTIVE accounts of the organization, or of o.OU and the
// units below it, in the order Organizations gives them, each once, and
// applies o.Include and o.Exclude. It checks o first: a bad field is an
// error that names it, before any call.
func List(ctx context.Context, cfg aws.Config, o Options) ([]Account, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if o.APIOption != nil {
		cfg = cfg.Copy()
		cfg.APIOptions = append(slices.Clip(cfg.APIOptions), o.APIOption)
	}
	var client Client
	if o.NewClient != nil {
		client = o.NewClient(cfg)
	} else {
		client = organizations.NewFromConfig(cfg)
	}
	var all []Account
	var err error
	if o.OU == "" {
		all, err = listAccounts(ctx, client)
	} else {
		all, err = listUnder(ctx, client, o.OU)
	}
	if err != nil {
		return nil, err
	}
	return o.filter(all)
}

// ouPattern is an OU or root ID, compiled on first use: the xacct command
// links this package, and starts on every call.
var ouPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$`)
})

// validate checks OU, Include and Exclude.
func (o *Options) validate() error {
	if o.OU != "" && !ouPattern().MatchString(o.OU) {
		return fmt.Errorf("xacct: Accounts: AccountsOptions.OU %q is not an organizational unit or root ID: "+
			"want ou-<4 to 32 of [0-9a-z]>-<8 to 32 of [a-z0-9]>, such as ou-ab12-cd34ef56, or r-<4 to 32 of [0-9a-z]>", o.OU)
	}
	for _, f := range []struct {
		name string
		ids  []string
	}{{"Include", o.Include}, {"Exclude", o.Exclude}} {
		for _, id := range f.ids {
			if !validate.IsAccountID(id) {
				return fmt.Errorf("xacct: Accounts: AccountsOptions.%s: %q is not an account ID: want 12 digits", f.name, id)
			}
		}
	}
	return nil
}

// filter keeps ACTIVE accounts, each once, and applies Include and Exclude.
func (o *Options) filter(all []Account) ([]Account, error) {
	seen := map[string]bool{}
	var out []Account
	for _, a := range all {
		if seen[a.ID] || a.State != string(types.AccountStateActive) {
			continue
		}
		seen[a.ID] = true
		if slices.Contains(o.Exclude, a.ID) || (len(o.Include) > 0 && !slices.Contains(o.Include, a.ID)) {
			continue
		}
		out = append(out, a)
	}
	var missing []string
	for _, id := range o.Include {
		if !seen[id] && !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	where, verb := "the organization", "is not an ACTIVE account"
	if o.OU != "" {
		where = o.OU + " and the units below it"
	}
	if len(missing) > 1 {
		verb = "are not ACTIVE accounts"
	}
	return nil, fmt.Errorf("xacct: Accounts: AccountsOptions.Include: %s %s of %s", strings.Join(missing, ", "), verb, where)
}
