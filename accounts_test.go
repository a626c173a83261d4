package xacct_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/testutil"
)

// org is an in-memory Organizations: units by parent, accounts by parent,
// answered in pages of pageSize, counting the calls of each operation.
type org struct {
	pageSize int
	accounts map[string][]types.Account // by parent ID
	units    map[string][]string        // child OU IDs by parent ID
	order    []string                   // parents in creation order, for ListAccounts
	err      error                      // when set, every call fails with it

	mu    sync.Mutex // guards calls
	calls map[string]int
}

func newOrg(pageSize int) *org {
	return &org{pageSize: pageSize, accounts: map[string][]types.Account{}, units: map[string][]string{}, calls: map[string]int{}}
}

func (o *org) add(parent, id, name string, state types.AccountState) {
	if _, ok := o.accounts[parent]; !ok {
		o.order = append(o.order, parent)
	}
	o.accounts[parent] = append(o.accounts[parent], types.Account{
		Id: aws.String(id), Name: aws.String(name), Email: aws.String(name + "@example.com"), State: state,
		Arn:             aws.String("arn:aws:organizations::111111111111:account/o-example/" + id),
		JoinedTimestamp: aws.Time(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)), JoinedMethod: types.AccountJoinedMethodCreated,
	})
}

// page returns the page of items after token, and the next token.
func page[T any](items []T, token *string, size int) ([]T, *string) {
	from, _ := strconv.Atoi(aws.ToString(token))
	to := min(from+size, len(items))
	if to < len(items) {
		return items[from:to], aws.String(strconv.Itoa(to))
	}
	return items[from:to], nil
}

func (o *org) count(op string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls[op]++
	return o.err
}

func (o *org) ListAccounts(_ context.Context, in *organizations.ListAccountsInput, _ ...func(*organizations.Options)) (
	*organizations.ListAccountsOutput, error) {
	if err := o.count("ListAccounts"); err != nil {
		return nil, err
	}
	var all []types.Account
	for _, p := range o.order {
		all = append(all, o.accounts[p]...)
	}
	items, next := page(all, in.NextToken, o.pageSize)
	return &organizations.ListAccountsOutput{Accounts: items, NextToken: next}, nil
}

func (o *org) ListAccountsForParent(_ context.Context, in *organizations.ListAccountsForParentInput, _ ...func(*organizations.Options)) (
	*organizations.ListAccountsForParentOutput, error) {
	if err := o.count("ListAccountsForParent"); err != nil {
		return nil, err
	}
	items, next := page(o.accounts[aws.ToString(in.ParentId)], in.NextToken, o.pageSize)
	return &organizations.ListAccountsForParentOutput{Accounts: items, NextToken: next}, nil
}

func (o *org) ListOrganizationalUnitsForParent(_ context.Context, in *organizations.ListOrganizationalUnitsForParentInput,
	_ ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
	if err := o.count("ListOrganizationalUnitsForParent"); err != nil {
		return nil, err
	}
	ids, next := page(o.units[aws.ToString(in.ParentId)], in.NextToken, o.pageSize)
	var out []types.OrganizationalUnit
	for _, id := range ids {
		out = append(out, types.OrganizationalUnit{Id: aws.String(id)})
	}
	return &organizations.ListOrganizationalUnitsForParentOutput{OrganizationalUnits: out, NextToken: next}, nil
}

// exampleOrg: a root with 2 accounts and two OUs; prod has 5 accounts
// (one suspended) and a unit web below it with 3; dev has 1.
//
//	r-ab12                 111111111111 222222222222
//	  ou-ab12-prod0001     300000000000..300000000004 (...02 SUSPENDED)
//	    ou-ab12-web00001   400000000000..400000000002
//	  ou-ab12-dev00001     500000000000
func exampleOrg() *org {
	o := newOrg(2)
	o.add("r-ab12", "111111111111", "management", types.AccountStateActive)
	o.add("r-ab12", "222222222222", "audit", types.AccountStateActive)
	o.units["r-ab12"] = []string{"ou-ab12-prod0001", "ou-ab12-dev00001"}
	o.units["ou-ab12-prod0001"] = []string{"ou-ab12-web00001"}
	for i := range 5 {
		state := types.AccountStateActive
		if i == 2 {
			state = types.AccountStateSuspended
		}
		o.add("ou-ab12-prod0001", fmt.Sprintf("30000000000%d", i), fmt.Sprintf("prod-%d", i), state)
	}
	for i := range 3 {
		o.add("ou-ab12-web00001", fmt.Sprintf("40000000000%d", i), fmt.Sprintf("web-%d", i), types.AccountStateActive)
	}
	o.add("ou-ab12-dev00001", "500000000000", "dev", types.AccountStatePendingClosure)
	return o
}

func ids(accounts []xacct.Account) string {
	var s []string
	for _, a := range accounts {
		s = append(s, a.ID)
	}
	return strings.Join(s, " ")
}

func withOrg(o *org, more ...func(*xacct.AccountsOptions)) []func(*xacct.AccountsOptions) {
	return append([]func(*xacct.AccountsOptions){func(ao *xacct.AccountsOptions) {
		ao.NewClient = func(aws.Config) xacct.OrganizationsClient { return o }
	}}, more...)
}

func TestAccounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		opts  func(*xacct.AccountsOptions)
		want  string
		calls map[string]int
	}{
		{"the organization: every page, ACTIVE only", func(*xacct.AccountsOptions) {},
			"111111111111 222222222222 300000000000 300000000001 300000000003 300000000004 400000000000 400000000001 400000000002",
			map[string]int{"ListAccounts": 6}}, // 11 accounts in pages of 2
		{"an OU and the units below it", func(o *xacct.AccountsOptions) { o.OU = "ou-ab12-prod0001" },
			"300000000000 300000000001 300000000003 300000000004 400000000000 400000000001 400000000002",
			// prod: 3 pages of accounts, 1 of units; web: 2 of accounts, 1 (empty) of units
			map[string]int{"ListAccountsForParent": 5, "ListOrganizationalUnitsForParent": 2}},
		{"the root by its ID", func(o *xacct.AccountsOptions) { o.OU = "r-ab12" },
			"111111111111 222222222222 300000000000 300000000001 300000000003 300000000004 400000000000 400000000001 400000000002",
			map[string]int{"ListAccountsForParent": 7, "ListOrganizationalUnitsForParent": 4}},
		{"include keeps only those", func(o *xacct.AccountsOptions) { o.Include = []string{"400000000001", "222222222222"} },
			"222222222222 400000000001", map[string]int{"ListAccounts": 6}},
		{"exclude drops those", func(o *xacct.AccountsOptions) { o.OU, o.Exclude = "ou-ab12-web00001", []string{"400000000001"} },
			"400000000000 400000000002", map[string]int{"ListAccountsForParent": 2, "ListOrganizationalUnitsForParent": 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := exampleOrg()
			got, err := xacct.Accounts(ctx, aws.Config{}, withOrg(o, tt.opts)...)
			if err != nil || ids(got) != tt.want {
				t.Fatalf("got %s, %v\nwant %s", ids(got), err, tt.want)
			}
			if fmt.Sprint(o.calls) != fmt.Sprint(tt.calls) {
				t.Errorf("calls %v, want %v", o.calls, tt.calls)
			}
		})
	}

	got, err := xacct.Accounts(ctx, aws.Config{}, withOrg(exampleOrg(), func(o *xacct.AccountsOptions) { o.OU = "ou-ab12-web00001" })...)
	want := xacct.Account{ID: "400000000000", Name: "web-0", Email: "web-0@example.com",
		ARN: "arn:aws:organizations::111111111111:account/o-example/400000000000", State: "ACTIVE", JoinedMethod: "CREATED",
		Joined: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Parent: "ou-ab12-web00001"}
	if err != nil || len(got) != 3 || got[0] != want {
		t.Errorf("got %+v, %v\nwant %+v", got, err, want)
	}
}

func TestAccountsErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		opts func(*xacct.AccountsOptions)
		want string
	}{
		{"an OU ID has its shape", func(o *xacct.AccountsOptions) { o.OU = "prod" },
			`AccountsOptions.OU "prod" is not an organizational unit or root ID: want ou-`},
		{"include takes account IDs", func(o *xacct.AccountsOptions) { o.Include = []string{"12345"} },
			`AccountsOptions.Include: "12345" is not an account ID: want 12 digits`},
		{"exclude takes account IDs", func(o *xacct.AccountsOptions) { o.Exclude = []string{"abcdefghijkl"} },
			`AccountsOptions.Exclude: "abcdefghijkl" is not an account ID`},
		{"included accounts must be listed and ACTIVE", func(o *xacct.AccountsOptions) {
			o.Include = []string{"300000000002", "999999999999", "111111111111"}
		}, "AccountsOptions.Include: 300000000002, 999999999999 are not ACTIVE accounts of the organization"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := xacct.Accounts(ctx, aws.Config{}, withOrg(exampleOrg(), tt.opts)...)
			if err == nil || !strings.HasPrefix(err.Error(), "xacct: Accounts: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%v; want %q", err, tt.want)
			}
		})
	}

	o := exampleOrg()
	o.err = &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "You don't have permissions to access this resource."}
	_, err := xacct.Accounts(ctx, aws.Config{}, withOrg(o)...)
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDeniedException" || err.Error() != "xacct: Accounts: ListAccounts: "+
		"api error AccessDeniedException: You don't have permissions to access this resource. (hint: Organizations answers only "+
		"the management account and delegated administrators: use their credentials, allowed organizations:ListAccounts)" {
		t.Errorf("%v", err)
	}
	o.err = &smithy.GenericAPIError{Code: "ParentNotFoundException", Message: "We can't find a root or OU with the ParentId that you specified."}
	_, err = xacct.Accounts(ctx, aws.Config{}, withOrg(o, func(ao *xacct.AccountsOptions) { ao.OU = "ou-ab12-gone0001" })...)
	if err == nil || !strings.Contains(err.Error(), "ListAccountsForParent of ou-ab12-gone0001: ") ||
		!strings.Contains(err.Error(), "(hint: check the OU ID ou-ab12-gone0001") {
		t.Errorf("%v", err)
	}
}

// TestAccountsMoto lists an organization served by moto, an independent
// implementation of Organizations, over the wire; skipped without moto.
func TestAccountsMoto(t *testing.T) {
	t.Parallel()
	url := testutil.StartMoto(t)
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}, nil
		})}
	c := organizations.NewFromConfig(cfg)
	if _, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	root := aws.ToString(roots.Roots[0].Id)
	ou, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: &root, Name: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: ou.OrganizationalUnit.Id, Name: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	var created []string
	for i := range 25 { // more than a page of ListAccounts (20)
		out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{
			AccountName: aws.String(fmt.Sprintf("acct-%02d", i)), Email: aws.String(fmt.Sprintf("acct-%02d@example.com", i))})
		if err != nil {
			t.Fatal(err)
		}
		id := aws.ToString(out.CreateAccountStatus.AccountId)
		created = append(created, id)
		dest := ou.OrganizationalUnit.Id
		if i%2 == 1 {
			dest = sub.OrganizationalUnit.Id
		}
		if i < 10 {
			if _, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &id, SourceParentId: &root, DestinationParentId: dest}); err != nil {
				t.Fatal(err)
			}
		}
	}
	all, err := xacct.Accounts(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 26 { // the management account too
		t.Errorf("%d accounts, want 26: %s", len(all), ids(all))
	}
	for _, id := range created {
		if !slices.ContainsFunc(all, func(a xacct.Account) bool { return a.ID == id && a.State == "ACTIVE" }) {
			t.Errorf("%s not listed as ACTIVE", id)
		}
	}
	under, err := xacct.Accounts(ctx, cfg, func(o *xacct.AccountsOptions) { o.OU = aws.ToString(ou.OrganizationalUnit.Id) })
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(under, func(a, b xacct.Account) int { return strings.Compare(a.Name, b.Name) })
	if len(under) != 10 || under[0].Name != "acct-00" || under[0].Parent != aws.ToString(ou.OrganizationalUnit.Id) ||
		under[1].Parent != aws.ToString(sub.OrganizationalUnit.Id) {
		t.Errorf("under the OU: %+v", under)
	}
}
