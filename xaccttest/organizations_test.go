package xaccttest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// orgWorld is an organization of a management account and 45 members: 30
// in OU Prod (of which 5 in its child OU Legacy), 15 in the root.
func orgWorld(t testing.TB) *Server {
	t.Helper()
	sc := &Scenario{
		Organization: &Organization{ManagementAccount: "100000000000", RootID: "r-ab12", ID: "o-exampleorg1",
			Units: map[string]OrganizationalUnit{
				"ou-ab12-prod0001": {Name: "Prod"},
				"ou-ab12-legacy01": {Name: "Legacy", Parent: "ou-ab12-prod0001"},
			}},
		Accounts: map[string]Account{"100000000000": {Name: "Management", Users: map[string]User{
			"admin": {AccessKeyID: "AKIAEXAMPLEORGADMIN1", SecretAccessKey: "s", Policies: []json.RawMessage{
				doc(`{"Effect":"Allow","Action":["organizations:List*"],"Resource":"*"}`)}},
			"nobody": {AccessKeyID: "AKIAEXAMPLEORGNOBODY", SecretAccessKey: "s"},
		}}},
	}
	for i := 1; i <= 45; i++ {
		a := Account{Name: fmt.Sprintf("member %d", i)}
		switch {
		case i <= 5:
			a.Parent, a.Status = "ou-ab12-legacy01", "SUSPENDED"
		case i <= 30:
			a.Parent = "ou-ab12-prod0001"
		}
		sc.Accounts[fmt.Sprintf("2000000000%02d", i)] = a
	}
	sc.Accounts["200000000001"] = Account{Name: "member 1", Parent: "ou-ab12-legacy01", Status: "SUSPENDED",
		Users: map[string]User{"member": {AccessKeyID: "AKIAEXAMPLEMEMBER001", SecretAccessKey: "s", Policies: []json.RawMessage{
			doc(`{"Effect":"Allow","Action":"organizations:*","Resource":"*"}`)}}}}
	srv, err := NewServerWithScenario(sc)
	must(t, err)
	t.Cleanup(srv.Close)
	return srv
}

func orgClient(srv *Server, key string) *organizations.Client {
	return organizations.NewFromConfig(srv.Config(key, "s", ""), func(o *organizations.Options) { o.RetryMaxAttempts = 1 })
}

func TestOrganizationsWalk(t *testing.T) {
	t.Parallel()
	srv := orgWorld(t)
	ctx := context.Background()
	c := orgClient(srv, "AKIAEXAMPLEORGADMIN1")

	// ListAccounts pages of 20 (the default): 46 accounts in 3 pages.
	var all []types.Account
	pages := 0
	for p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{}); p.HasMorePages(); pages++ {
		out, err := p.NextPage(ctx)
		must(t, err)
		all = append(all, out.Accounts...)
	}
	if len(all) != 46 || pages != 3 {
		t.Fatalf("ListAccounts: %d accounts in %d pages, want 46 in 3", len(all), pages)
	}
	first := all[0]
	if aws.ToString(first.Id) != "100000000000" || aws.ToString(first.Name) != "Management" ||
		aws.ToString(first.Arn) != "arn:aws:organizations::100000000000:account/o-exampleorg1/100000000000" ||
		first.Status != types.AccountStatusActive || first.JoinedMethod != types.AccountJoinedMethodCreated ||
		aws.ToString(first.Email) != "aws+100000000000@example.com" || !first.JoinedTimestamp.Equal(srv.Clock.Now()) {
		t.Errorf("first account %+v", first)
	}

	// Walk the tree from the root: its OUs, theirs, and each one's accounts.
	roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	must(t, err)
	if len(roots.Roots) != 1 || aws.ToString(roots.Roots[0].Id) != "r-ab12" ||
		aws.ToString(roots.Roots[0].Arn) != "arn:aws:organizations::100000000000:root/o-exampleorg1/r-ab12" {
		t.Fatalf("roots %+v", roots.Roots)
	}
	count := map[string]int{}
	var walk func(parent string)
	walk = func(parent string) {
		p := organizations.NewListAccountsForParentPaginator(c, &organizations.ListAccountsForParentInput{
			ParentId: aws.String(parent), MaxResults: aws.Int32(7)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			must(t, err)
			for _, a := range out.Accounts {
				count[parent]++
				if parent == "ou-ab12-legacy01" && a.Status != types.AccountStatusSuspended {
					t.Errorf("account %s in Legacy: %s", aws.ToString(a.Id), a.Status)
				}
			}
		}
		units := organizations.NewListOrganizationalUnitsForParentPaginator(c,
			&organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent), MaxResults: aws.Int32(1)})
		for units.HasMorePages() {
			out, err := units.NextPage(ctx)
			must(t, err)
			for _, u := range out.OrganizationalUnits {
				walk(aws.ToString(u.Id))
			}
		}
	}
	walk("r-ab12")
	if count["r-ab12"] != 16 || count["ou-ab12-prod0001"] != 25 || count["ou-ab12-legacy01"] != 5 {
		t.Errorf("accounts by parent: %v, want root 16, Prod 25, Legacy 5", count)
	}
}

func TestOrganizationsRefusals(t *testing.T) {
	t.Parallel()
	srv := orgWorld(t)
	ctx := context.Background()
	admin := orgClient(srv, "AKIAEXAMPLEORGADMIN1")
	for _, tt := range []struct {
		name string
		call func() error
		code string
	}{
		{"a member account", func() error {
			_, err := orgClient(srv, "AKIAEXAMPLEMEMBER001").ListAccounts(ctx, &organizations.ListAccountsInput{})
			return err
		}, "AccessDeniedException"},
		{"no identity policy", func() error {
			_, err := orgClient(srv, "AKIAEXAMPLEORGNOBODY").ListAccounts(ctx, &organizations.ListAccountsInput{})
			return err
		}, "AccessDeniedException"},
		{"unknown parent", func() error {
			_, err := admin.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String("ou-ab12-nothere1")})
			return err
		}, "ParentNotFoundException"},
		{"MaxResults above 20", func() error {
			_, err := admin.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(21)})
			return err
		}, "InvalidInputException"},
		{"MaxResults below 1", func() error {
			_, err := admin.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(0)})
			return err
		}, "InvalidInputException"},
		{"a token of another request", func() error {
			out, err := admin.ListAccounts(ctx, &organizations.ListAccountsInput{})
			must(t, err)
			_, err = admin.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{
				ParentId: aws.String("r-ab12"), NextToken: out.NextToken})
			return err
		}, "InvalidInputException"},
		{"wrong secret", func() error {
			c := organizations.NewFromConfig(srv.Config("AKIAEXAMPLEORGADMIN1", "wrong", ""))
			_, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
			return err
		}, "SignatureDoesNotMatch"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if c, status := code(tt.call()); c != tt.code || status != 400 && status != 403 {
				t.Fatalf("%s/%d, want %s", c, status, tt.code)
			}
		})
	}

	// No organization at all.
	plain := world(t)
	_, err := organizations.NewFromConfig(plain.Config(jenkinsKey, jenkinsSecret, "")).ListAccounts(ctx, &organizations.ListAccountsInput{})
	if c, status := code(err); c != "AWSOrganizationsNotInUseException" || status != 400 {
		t.Errorf("without an organization: %s/%d %v", c, status, err)
	}
}

// TestOrganizationIndexFollowsLoads: the index of members by parent is
// kept when a Load only adds roles or users to known accounts, and made
// again when one adds an account or moves one.
func TestOrganizationIndexFollowsLoads(t *testing.T) {
	t.Parallel()
	srv := orgWorld(t)
	c := orgClient(srv, "AKIAEXAMPLEORGADMIN1")
	members := func(parent string) int {
		t.Helper()
		n := 0
		p := organizations.NewListAccountsForParentPaginator(c, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent)})
		for p.HasMorePages() {
			out, err := p.NextPage(context.Background())
			must(t, err)
			n += len(out.Accounts)
		}
		return n
	}
	indexed := func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return srv.orgIndex != nil
	}
	if n := members("r-ab12"); n != 16 || !indexed() {
		t.Fatalf("%d members in the root, indexed %v; want 16, true", n, indexed())
	}
	must(t, srv.AddRole("200000000045", "R", Role{Trust: trustAccount111}))
	if !indexed() {
		t.Error("a role added to a known account dropped the index")
	}
	must(t, srv.AddRole("200000000046", "R", Role{Trust: trustAccount111}))
	if n := members("r-ab12"); n != 17 {
		t.Errorf("after a new account: %d members in the root, want 17", n)
	}
	must(t, srv.Load(&Scenario{Accounts: map[string]Account{"200000000046": {Parent: "ou-ab12-prod0001"}}}))
	if root, prod := members("r-ab12"), members("ou-ab12-prod0001"); root != 16 || prod != 26 {
		t.Errorf("after moving the new account to Prod: root %d, Prod %d; want 16, 26", root, prod)
	}
}

// TestAccountJoinedMerges: a later scenario may set when an account
// joined, as it may set its other fields, and may not change it.
func TestAccountJoinedMerges(t *testing.T) {
	t.Parallel()
	srv := orgWorld(t)
	c := orgClient(srv, "AKIAEXAMPLEORGADMIN1")
	joined := func() time.Time {
		t.Helper()
		out, err := c.ListAccountsForParent(context.Background(), &organizations.ListAccountsForParentInput{
			ParentId: aws.String("ou-ab12-legacy01"), MaxResults: aws.Int32(1)})
		must(t, err)
		if len(out.Accounts) != 1 || aws.ToString(out.Accounts[0].Id) != "200000000001" {
			t.Fatalf("accounts %+v", out.Accounts)
		}
		return aws.ToTime(out.Accounts[0].JoinedTimestamp)
	}
	if got := joined(); !got.Equal(srv.Clock.Now()) {
		t.Fatalf("joined %v, want when it was loaded, %v", got, srv.Clock.Now())
	}
	at := time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC)
	srv.Clock.Advance(time.Hour) // a later Load does not move the default either
	must(t, srv.Load(&Scenario{Accounts: map[string]Account{"200000000001": {Joined: at}}}))
	if got := joined(); !got.Equal(at) {
		t.Fatalf("joined %v after a scenario said %v", got, at)
	}
	must(t, srv.Load(&Scenario{Accounts: map[string]Account{"200000000001": {Joined: at}}}))
	err := srv.Load(&Scenario{Accounts: map[string]Account{"200000000001": {Joined: at.Add(time.Second)}}})
	if err == nil || !strings.Contains(err.Error(), "account 200000000001: joined 2020-05-06T07:08:10Z, "+
		"but an earlier scenario said 2020-05-06T07:08:09Z") {
		t.Fatalf("a different joined: %v", err)
	}
	if got := joined(); !got.Equal(at) {
		t.Errorf("joined %v after a refused scenario, want %v", got, at)
	}
}

// TestOrganizationsSessionPolicy: a role session's session policy limits
// its Organizations calls, as it limits its AssumeRole calls.
func TestOrganizationsSessionPolicy(t *testing.T) {
	t.Parallel()
	srv := orgWorld(t)
	ctx := context.Background()
	must(t, srv.AddRole("100000000000", "Auditor", Role{
		Trust:    doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::100000000000:user/admin"},"Action":"sts:AssumeRole"}`),
		Policies: []json.RawMessage{doc(`{"Effect":"Allow","Action":"organizations:*","Resource":"*"}`)},
	}))
	out, err := sts.NewFromConfig(srv.Config("AKIAEXAMPLEORGADMIN1", "s", "")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::100000000000:role/Auditor"), RoleSessionName: aws.String("audit"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"organizations:ListRoots","Resource":"*"}}`),
	})
	must(t, err)
	c := out.Credentials
	session := organizations.NewFromConfig(srv.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken),
		func(o *organizations.Options) { o.RetryMaxAttempts = 1 })
	if _, err := session.ListRoots(ctx, &organizations.ListRootsInput{}); err != nil {
		t.Fatalf("ListRoots, which the session policy allows: %v", err)
	}
	_, err = session.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if cd, _ := code(err); cd != "AccessDeniedException" {
		t.Fatalf("ListAccounts, which the session policy does not allow: %v", err)
	}
	const want = "organizations:ListAccounts on *: session policy of the caller: "
	if last := lastCall(t, srv); !strings.HasPrefix(last.Reason, want) {
		t.Errorf("recorded reason %q, want it to start with %q", last.Reason, want)
	}
}

// TestOrganizationsFaultRecordsTheKey: a call that an injected fault
// refuses records the key that signed it, as an STS call does.
func TestOrganizationsFaultRecordsTheKey(t *testing.T) {
	t.Parallel()
	srv := orgWorld(t)
	srv.InjectFault(Fault{Action: "ListRoots", Code: "ServiceUnavailable", Count: 1})
	_, err := orgClient(srv, "AKIAEXAMPLEORGADMIN1").ListRoots(context.Background(), &organizations.ListRootsInput{})
	if c, status := code(err); c != "ServiceUnavailable" || status != 503 {
		t.Fatalf("%s/%d %v, want the injected ServiceUnavailable/503", c, status, err)
	}
	if last := lastCall(t, srv); last.Action != "ListRoots" || last.AccessKeyID != "AKIAEXAMPLEORGADMIN1" ||
		last.ErrorCode != "ServiceUnavailable" {
		t.Errorf("recorded %+v", last)
	}
}

// TestOrganizationsThrottle: Organizations answers an account over its
// rate with its own error, not STS's Throttling.
func TestOrganizationsThrottle(t *testing.T) {
	t.Parallel()
	srv := orgWorld(t)
	srv.SetThrottle(0.001, 1)
	c := orgClient(srv, "AKIAEXAMPLEORGADMIN1")
	_, err := c.ListRoots(context.Background(), &organizations.ListRootsInput{})
	must(t, err)
	_, err = c.ListRoots(context.Background(), &organizations.ListRootsInput{})
	if cd, status := code(err); cd != "TooManyRequestsException" || status != 400 {
		t.Fatalf("%s/%d %v, want TooManyRequestsException/400", cd, status, err)
	}
	if last := lastCall(t, srv); last.Reason != "account 100000000000 is over its rate (SetThrottle)" {
		t.Errorf("recorded %+v", last)
	}
}

func TestOrganizationScenarioErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		sc   Scenario
		want string
	}{
		{"management account", Scenario{Organization: &Organization{ManagementAccount: "1"}}, "management_account \"1\""},
		{"root ID", Scenario{Organization: &Organization{ManagementAccount: "100000000000", RootID: "root"}}, "root_id \"root\""},
		{"OU ID of another root", Scenario{Organization: &Organization{ManagementAccount: "100000000000", RootID: "r-ab12",
			Units: map[string]OrganizationalUnit{"ou-zz99-aaaaaaaa": {Name: "X"}}}}, "an OU ID is ou-ab12-"},
		{"OU cycle", Scenario{Organization: &Organization{ManagementAccount: "100000000000", RootID: "r-ab12",
			Units: map[string]OrganizationalUnit{"ou-ab12-aaaaaaaa": {Name: "A", Parent: "ou-ab12-bbbbbbbb"},
				"ou-ab12-bbbbbbbb": {Name: "B", Parent: "ou-ab12-aaaaaaaa"}}}}, "no OU may be its own ancestor"},
		{"parent without organization", Scenario{Accounts: map[string]Account{"100000000000": {Parent: "r-ab12"}}},
			"the scenario has no organization"},
		{"unknown parent", Scenario{Organization: &Organization{ManagementAccount: "100000000000", RootID: "r-ab12"},
			Accounts: map[string]Account{"100000000000": {Parent: "ou-ab12-aaaaaaaa"}}}, "want the root (r-ab12) or an OU"},
		{"status", Scenario{Accounts: map[string]Account{"100000000000": {Status: "GONE"}}}, "status \"GONE\""},
		{"throttle", Scenario{Throttle: &Throttle{Rate: -1}}, "throttle: rate -1"},
	} {
		srv := NewServer()
		if err := srv.Load(&tt.sc); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
		srv.Close()
	}
}
