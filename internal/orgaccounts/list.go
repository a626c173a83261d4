package orgaccounts

// The paginated calls of a listing, and the one converter of their
// answers.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// listAccounts lists every account of the organization: ListAccounts,
// every page.
func listAccounts(ctx context.Context, c Client) ([]Account, error) {
	var out []Account
	p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, listError("ListAccounts", "", err)
		}
		for _, a := range page.Accounts {
			out = append(out, fromOrganizations(a, ""))
		}
	}
	return out, nil
}

// listUnder lists the accounts of root, an OU or root ID, and of every
// unit below it, breadth first.
func listUnder(ctx context.Context, c Client, root string) ([]Account, error) {
	var out []Account
	queue := []string{root}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		ap := organizations.NewListAccountsForParentPaginator(c, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent)})
		for ap.HasMorePages() {
			page, err := ap.NextPage(ctx)
			if err != nil {
				return nil, listError("ListAccountsForParent", parent, err)
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
				return nil, listError("ListOrganizationalUnitsForParent", parent, err)
			}
			for _, u := range page.OrganizationalUnits {
				queue = append(queue, aws.ToString(u.Id))
			}
		}
	}
	return out, nil
}

// fromOrganizations converts an account of an answer; parent is the unit
// it was listed under, if any.
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
