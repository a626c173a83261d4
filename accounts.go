package xacct

// The accounts of an organization, from AWS Organizations: what FanOut
// runs over. The listing itself is internal/orgaccounts.

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/xacct/xacct/internal/orgaccounts"
)

// Account is an AWS account of an organization, as Organizations
// describes it. Only ID is needed by FanOut; the rest is for filtering and
// for reports.
type Account struct {
	ID    string `json:"id"`              // 12 digits
	Name  string `json:"name,omitempty"`  // the account's friendly name
	Email string `json:"email,omitempty"` // of the account's root user
	ARN   string `json:"arn,omitempty"`   // arn:aws:organizations::<management>:account/o-.../<ID>

	// State is the account's state in the organization: ACTIVE,
	// SUSPENDED, PENDING_CLOSURE, ... (Organizations' State, or its older
	// Status where State is not given). Accounts lists ACTIVE accounts only.
	State string `json:"state,omitempty"`

	JoinedMethod string    `json:"joined_method,omitempty"` // INVITED or CREATED
	Joined       time.Time `json:"joined,omitzero"`         // when it joined the organization

	// Parent is the ID of the organizational unit (ou-...) or root (r-...)
	// the account sits in directly, when it was listed by AccountsOptions.OU;
	// empty otherwise (ListAccounts does not say).
	Parent string `json:"parent,omitempty"`
}

// OrganizationsClient is what Accounts calls of *organizations.Client.
type OrganizationsClient interface {
	organizations.ListAccountsAPIClient
	organizations.ListAccountsForParentAPIClient
	organizations.ListOrganizationalUnitsForParentAPIClient
}

// AccountsOptions configures Accounts.
type AccountsOptions struct {
	// OU lists the accounts of this organizational unit (ou-...) and of
	// every unit below it, instead of the whole organization; a root ID
	// (r-...) lists the whole tree. It takes one ListAccountsForParent and
	// one ListOrganizationalUnitsForParent sequence per unit.
	OU string

	// Include keeps only these account IDs. Each must be an ACTIVE account
	// of the listing: one that is not is an error that names it.
	Include []string

	// Exclude drops these account IDs.
	Exclude []string

	// NewClient builds the Organizations client from cfg. Nil:
	// organizations.NewFromConfig(cfg). Set it to add middleware, or to put
	// a test double in place of Organizations.
	NewClient func(cfg aws.Config) OrganizationsClient
}

// Accounts lists the ACTIVE accounts of the organization
// (organizations:ListAccounts, every page), or of an organizational unit
// and the units below it (AccountsOptions.OU), in the order Organizations
// gives them, each once. The listing is one sequence of paginated calls,
// never a call per account.
//
// Organizations answers only the management account and delegated
// administrators; cfg's credentials must be theirs, and cfg.Region any
// region of the partition (Organizations has one endpoint per partition).
// What it reads of each answer is bounded (1 MiB): a longer one fails the
// listing.
func Accounts(ctx context.Context, cfg aws.Config, optFns ...func(*AccountsOptions)) ([]Account, error) {
	var o AccountsOptions
	for _, f := range optFns {
		if f != nil {
			f(&o)
		}
	}
	// The bound goes through the config's API options, so that a client
	// that NewClient builds with organizations.NewFromConfig has it too.
	lo := orgaccounts.Options{OU: o.OU, Include: o.Include, Exclude: o.Exclude, APIOption: addOrganizationsAnswerLimit}
	if o.NewClient != nil {
		lo.NewClient = func(cfg aws.Config) orgaccounts.Client { return o.NewClient(cfg) }
	}
	listed, err := orgaccounts.List(ctx, cfg, lo)
	var out []Account
	for _, a := range listed {
		out = append(out, Account(a))
	}
	return out, err
}
