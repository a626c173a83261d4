package xacct

// The accounts of an organization, from AWS Organizations: what FanOut
// runs over.

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/xacct/xacct/internal/validate"
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

// OrganizationsClient is the part of *organizations.Client that Accounts
// calls.
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
	if err := o.validate(); err != nil {
		return nil, err
	}
	// Through the config's API options, so that a client from NewClient
	// built with organizations.NewFromConfig is bounded too.
	cfg = cfg.Copy()
	cfg.APIOptions = append(slices.Clip(cfg.APIOptions), addOrganizationsAnswerLimit)
	var client OrganizationsClient
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

var ouPattern = regexp.MustCompile(`^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$`)

func (o *AccountsOptions) validate() error {
	if o.OU != "" && !ouPattern.MatchString(o.OU) {
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
func (o *AccountsOptions) filter(all []Account) ([]Account, error) {
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
	if len(missing) > 0 {
		where := "the organization"
		if o.OU != "" {
			where = o.OU + " and the units below it"
		}
		return nil, fmt.Errorf("xacct: Accounts: AccountsOptions.Include: %s %s of %s",
			strings.Join(missing, ", "), plural(len(missing), "is not an ACTIVE account", "are not ACTIVE accounts"), where)
	}
	return out, nil
}

func listAccounts(ctx context.Context, c OrganizationsClient) ([]Account, error) {
	var out []Account
	p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, orgError("ListAccounts", "", err)
		}
		for _, a := range page.Accounts {
			out = append(out, fromOrganizations(a, ""))
		}
	}
	return out, nil
}

// listUnder lists the accounts of root, an OU or root ID, and of every
// unit below it, breadth first.
func listUnder(ctx context.Context, c OrganizationsClient, root string) ([]Account, error) {
	var out []Account
	queue := []string{root}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		ap := organizations.NewListAccountsForParentPaginator(c, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent)})
		for ap.HasMorePages() {
			page, err := ap.NextPage(ctx)
			if err != nil {
				return nil, orgError("ListAccountsForParent", parent, err)
			}
			for _, a := range page.Accounts {
				out = append(out, fromOrganizations(a, parent))
			}
		}
		up := organizations.NewListOrganizationalUnitsForParentPaginator(c,
			&organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})
		for up.HasMorePages() {
			page, err := up.NextPage(ctx)
			if err != nil {
				return nil, orgError("ListOrganizationalUnitsForParent", parent, err)
			}
			for _, u := range page.OrganizationalUnits {
				queue = append(queue, aws.ToString(u.Id))
			}
		}
	}
	return out, nil
}

func fromOrganizations(a types.Account, parent string) Account {
	state := string(a.State)
	if state == "" {
		state = string(a.Status) // older answers (and fakes) give only Status
	}
	return Account{
		ID: aws.ToString(a.Id), Name: aws.ToString(a.Name), Email: aws.ToString(a.Email), ARN: aws.ToString(a.Arn),
		State: state, JoinedMethod: string(a.JoinedMethod), Joined: aws.ToTime(a.JoinedTimestamp), Parent: parent,
	}
}

// orgError makes the error of a listing call, with a hint for the usual
// mistakes.
func orgError(op, parent string, err error) error {
	subject := "Accounts: " + op
	if parent != "" {
		subject += " of " + parent
	}
	hint := ""
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "AccessDeniedException":
			hint = "Organizations answers only the management account and delegated administrators: use their " +
				"credentials, allowed organizations:" + op
		case "AWSOrganizationsNotInUseException":
			hint = "the account of these credentials is in no organization: give FanOut the accounts yourself"
		case "ParentNotFoundException", "TargetNotFoundException", "InvalidInputException":
			if parent != "" {
				hint = "check the OU ID " + parent + " (aws organizations list-roots; list-organizational-units-for-parent)"
			}
		case "TooManyRequestsException":
			hint = "Organizations throttled the listing beyond the SDK's retries: try again, or raise cfg.RetryMaxAttempts"
		}
	}
	return &accountsError{subject: subject, err: err, hint: hint}
}

// accountsError is the error of a listing call. The Organizations error
// stays inside: errors.As with a smithy.APIError gives its code.
type accountsError struct {
	subject string
	err     error
	hint    string
}

func (e *accountsError) Error() string { return formatError(e.subject, e.err, e.hint) }

func (e *accountsError) Unwrap() error { return e.err }
