// Package ssoprofiles writes the profiles of every account and role that
// a signed-in IAM Identity Center user can reach: it lists them from the
// AWS access portal (ListAccounts, ListAccountRoles, every page), names
// them by a template, and renders [profile …] blocks of the session, or
// merges them into a config file, keeping a backup and every profile that
// is there already.
package ssoprofiles

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"

	"github.com/xacct/xacct/internal/validate"
)

// DefaultTemplate names a profile by its account's name and its role:
// "Prod-ReadOnly".
const DefaultTemplate = "{account_name}-{role_name}"

// Portal is what listing calls (*sso.Client).
type Portal interface {
	sso.ListAccountsAPIClient
	sso.ListAccountRolesAPIClient
}

// Role is one role of one account that the user may use.
type Role struct {
	AccountID, AccountName, RoleName string
}

// List returns every role of every account that the access token's user
// may use, reading every page of both listings, sorted by account name,
// account ID and role.
func List(ctx context.Context, portal Portal, accessToken string) ([]Role, error) {
	var roles []Role
	accounts := sso.NewListAccountsPaginator(portal, &sso.ListAccountsInput{AccessToken: aws.String(accessToken)})
	for accounts.HasMorePages() {
		page, err := accounts.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ListAccounts: %w", err)
		}
		for _, a := range page.AccountList {
			id := aws.ToString(a.AccountId)
			rp := sso.NewListAccountRolesPaginator(portal, &sso.ListAccountRolesInput{
				AccessToken: aws.String(accessToken), AccountId: aws.String(id)})
			for rp.HasMorePages() {
				rpage, err := rp.NextPage(ctx)
				if err != nil {
					return nil, fmt.Errorf("ListAccountRoles of account %s: %w", id, err)
				}
				for _, r := range rpage.RoleList {
					role := Role{AccountID: id, AccountName: aws.ToString(a.AccountName), RoleName: aws.ToString(r.RoleName)}
					if err := role.check(); err != nil {
						return nil, err
					}
					roles = append(roles, role)
				}
			}
		}
	}
	slices.SortFunc(roles, func(a, b Role) int {
		return cmp.Or(cmp.Compare(a.AccountName, b.AccountName), cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.RoleName, b.RoleName))
	})
	return roles, nil
}

// roleNameRule is IAM's rule for a role's name.
var roleNameRule = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// regionRule is the shape of an AWS region's name, such as us-gov-west-1.
var regionRule = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)

// check refuses an account ID or role name from the portal that does not
// keep AWS's rules: they are written into a config file as they are, and
// a line break there would add keys of its own (a credential_process).
func (r Role) check() error {
	switch {
	case !validate.IsAccountID(r.AccountID):
		return fmt.Errorf("the AWS access portal listed the account ID %q, which is not 12 digits: "+
			"no profile is written for an answer that breaks AWS's rules", r.AccountID)
	case !roleNameRule.MatchString(r.RoleName):
		return fmt.Errorf("the AWS access portal listed the role name %q in account %s, which is not 1 to 64 "+
			"letters, digits and +=,.@_-: no profile is written for an answer that breaks AWS's rules", r.RoleName, r.AccountID)
	}
	return nil
}

// CheckRegion refuses a region that is not a region's name, before it is
// written into a profile.
func CheckRegion(region string) error {
	if !regionRule.MatchString(region) {
		return fmt.Errorf("%q is not a region's name, such as us-east-1", region)
	}
	return nil
}

// Profile is a profile to write: its name and the role it uses.
type Profile struct {
	Name string
	Role
}

// placeholder is a {name} of a template.
var placeholder = regexp.MustCompile(`\{[^{}]*\}`)

// unsafeName is what a profile name does not keep of an account's or a
// role's name: anything but letters, digits and . _ + @ - (a space or a
// bracket would break the section header, and a shell's quoting).
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._+@-]+`)

// Name names roles by template, whose placeholders are {account_name},
// {account_id}, {role_name} and {session}; each value's characters other
// than letters, digits and . _ + @ - become "-". An unknown placeholder,
// or a template that gives two roles one name, is an error naming
// --template.
func Name(roles []Role, template, session string) ([]Profile, error) {
	for _, p := range placeholder.FindAllString(template, -1) {
		switch p {
		case "{account_name}", "{account_id}", "{role_name}", "{session}":
		default:
			return nil, fmt.Errorf("--template %q: %s is not a placeholder: use {account_name}, {account_id}, {role_name} "+
				"and {session}", template, p)
		}
	}
	seen := map[string]Role{}
	out := make([]Profile, 0, len(roles))
	for _, r := range roles {
		name := placeholder.ReplaceAllStringFunc(template, func(p string) string {
			v := map[string]string{"{account_name}": r.AccountName, "{account_id}": r.AccountID,
				"{role_name}": r.RoleName, "{session}": session}[p]
			return strings.Trim(unsafeName.ReplaceAllString(v, "-"), "-")
		})
		if name == "" || unsafeName.MatchString(name) {
			return nil, fmt.Errorf("--template %q gives the profile name %q for role %s of account %s: "+
				"a name is letters, digits and . _ + @ -", template, name, r.RoleName, r.AccountID)
		}
		if prev, dup := seen[name]; dup {
			return nil, fmt.Errorf("--template %q names two roles %s (%s of account %s, and %s of account %s): "+
				"add {account_id} to it", template, name, prev.RoleName, prev.AccountID, r.RoleName, r.AccountID)
		}
		seen[name] = r
		out = append(out, Profile{Name: name, Role: r})
	}
	return out, nil
}

// Block is the [profile …] section of p in session, with region (none
// when "").
func Block(p Profile, session, region string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[profile %s]\nsso_session = %s\nsso_account_id = %s\nsso_role_name = %s\n", p.Name, session, p.AccountID, p.RoleName)
	if region != "" {
		fmt.Fprintf(&b, "region = %s\n", region)
	}
	return b.String()
}
