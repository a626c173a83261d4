package xacct_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/xaccttest"
)

// Assume a role in another account, with the External ID its trust policy
// demands, and give every SDK client of cfg its credentials.
func ExampleAssumeRole() {
	srv, cfg := fakeAWS() // cfg: account 111111111111
	defer srv.Close()

	creds, err := xacct.AssumeRole(cfg, xacct.Role{
		ARN:         "arn:aws:iam::222222222222:role/CrossAccountRole",
		ExternalID:  "ext-123",
		SessionName: "example",
	})
	if err != nil {
		log.Fatal(err) // bad input: a malformed ARN, a Duration STS refuses, ...
	}
	cfg.Credentials = creds // every client built from cfg now acts in 222222222222
	fmt.Println(whoAmI(cfg))
	// Output: arn:aws:sts::222222222222:assumed-role/CrossAccountRole/example
}

// A chain A -> B -> C. Each hop has its own cache: the last hop refreshes
// with the previous hop's cached credentials, and earlier hops are assumed
// again only when their own sessions end.
func ExampleChain() {
	srv, cfg := fakeAWS()
	defer srv.Close()

	creds, err := xacct.Chain(cfg, []xacct.Role{
		{ARN: "arn:aws:iam::222222222222:role/CrossAccountRole", ExternalID: "ext-123", SessionName: "example"},
		{ARN: "arn:aws:iam::333333333333:role/ci/Deploy", SessionName: "example"}, // role chaining: at most 1h
	})
	if err != nil {
		log.Fatal(err)
	}
	cfg.Credentials = creds
	fmt.Println(whoAmI(cfg))
	// Output: arn:aws:sts::333333333333:assumed-role/Deploy/example
}

// The same chain built by hand: Chain is a fold of AssumeRole, so each hop
// can have options of its own.
func ExampleAssumeRole_chainByHand() {
	srv, cfg := fakeAWS()
	defer srv.Close()

	hub, err := xacct.AssumeRole(cfg, xacct.Role{
		ARN: "arn:aws:iam::222222222222:role/CrossAccountRole", ExternalID: "ext-123", SessionName: "example",
	}, func(o *xacct.Options) { o.RefreshWindow = 15 * time.Minute })
	if err != nil {
		log.Fatal(err)
	}
	cfg.Credentials = hub // hop 2 runs on hop 1's cache
	deploy, err := xacct.AssumeRole(cfg, xacct.Role{ARN: "arn:aws:iam::333333333333:role/ci/Deploy", SessionName: "example"})
	if err != nil {
		log.Fatal(err)
	}
	cfg.Credentials = deploy
	fmt.Println(whoAmI(cfg))
	fmt.Println(deploy) // no secrets in %v
	// Output:
	// arn:aws:sts::333333333333:assumed-role/Deploy/example
	// xacct.Cache{hop 2: arn:aws:iam::333333333333:role/ci/Deploy}
}

// Bad input fails before any network call, naming the hop, the field and
// the rule.
func ExampleChain_validation() {
	srv, cfg := fakeAWS()
	defer srv.Close()

	_, err := xacct.Chain(cfg, []xacct.Role{
		{ARN: "arn:aws:iam::222222222222:role/CrossAccountRole", ExternalID: "ext-123"},
		{ARN: "arn:aws:iam::333333333333:role/ci/Deploy", Duration: 2 * time.Hour},
	})
	fmt.Println(err)
	// Output: xacct: hop 2 (arn:aws:iam::333333333333:role/ci/Deploy): Duration 2h0m0s is above 1h, but this hop is role chaining (its base credentials are temporary: an assumed role or an MFA session), and STS caps role-chaining sessions at one hour
}

// An STS refusal keeps the STS error inside, and adds the hop and a hint.
func ExampleHopError() {
	srv, cfg := fakeAWS()
	defer srv.Close()

	creds, _ := xacct.AssumeRole(cfg, xacct.Role{ARN: "arn:aws:iam::222222222222:role/CrossAccountRole"}) // no External ID
	_, err := creds.Retrieve(context.Background())

	var apiErr smithy.APIError
	var hopErr *xacct.HopError
	if errors.As(err, &apiErr) && errors.As(err, &hopErr) {
		fmt.Println("STS said:", apiErr.ErrorCode())
		fmt.Println("hop:", hopErr.Hop, hopErr.RoleARN)
		fmt.Println("hint:", hopErr.Hint)
	}
	// Output:
	// STS said: AccessDenied
	// hop: 1 arn:aws:iam::222222222222:role/CrossAccountRole
	// hint: the trust policy of arn:aws:iam::222222222222:role/CrossAccountRole must allow the caller (the static credentials of the aws.Config); a condition on sts:ExternalId needs Role.ExternalID (none was passed); one on aws:MultiFactorAuthPresent needs MFA (Role.MFASerial, or an MFA session as the base); and the caller's own IAM policy must allow sts:AssumeRole on arn:aws:iam::222222222222:role/CrossAccountRole
}

// A role whose trust policy demands MFA, assumed with a code from a
// TokenFunc. In a command-line tool, use xacct.TerminalToken().
func ExampleRole_mfa() {
	srv, cfg := fakeAWS()
	defer srv.Close()

	creds, err := xacct.AssumeRole(cfg, xacct.Role{
		ARN:         "arn:aws:iam::222222222222:role/BreakGlass",
		MFASerial:   "arn:aws:iam::111111111111:mfa/jenkins",
		SessionName: "example",
	}, func(o *xacct.Options) {
		o.MFA = srv.TokenFunc() // the fake's virtual device; xacct.TerminalToken() for a person
	})
	if err != nil {
		log.Fatal(err)
	}
	cfg.Credentials = creds
	fmt.Println(whoAmI(cfg))
	// Output: arn:aws:sts::222222222222:assumed-role/BreakGlass/example
}

// An MFA session as the base of a chain: one prompt for its whole lifetime
// (12h by default), however often the hops on it refresh. Hops on it are
// role chaining, so they last at most an hour.
func ExampleMFASession() {
	srv, _ := fakeAWS()
	defer srv.Close()
	cfg, _ := srv.UserConfig("111111111111", "bob") // bob's long-term keys

	prompts := 0
	device := srv.TokenFunc()
	token := func(ctx context.Context, req xacct.TokenRequest) (string, error) {
		prompts++ // xacct prompts for one device at a time
		return device(ctx, req)
	}
	clock := func(o *xacct.Options) { o.Now = srv.Clock.Now } // simulated time, to show a day in a moment
	session, err := xacct.MFASession(cfg, "arn:aws:iam::111111111111:mfa/bob", token, clock)
	if err != nil {
		log.Fatal(err)
	}
	base := cfg
	base.Credentials = session
	glass, err := xacct.AssumeRole(base, xacct.Role{ARN: "arn:aws:iam::222222222222:role/BreakGlass", SessionName: "example"}, clock)
	if err != nil {
		log.Fatal(err)
	}
	for range 10 { // ten hours: BreakGlass is assumed ten times on one session
		if _, err := glass.Retrieve(context.Background()); err != nil {
			log.Fatal(err)
		}
		srv.Clock.Advance(time.Hour)
	}
	fmt.Println("prompts:", prompts, "AssumeRole calls:", srv.CallCount("AssumeRole"))
	// Output: prompts: 1 AssumeRole calls: 10
}

// NewCache puts any credentials provider behind xacct's cache: refresh ahead
// of expiry in the background, one fetch for any number of callers, and
// backoff after failures.
func ExampleNewCache() {
	calls := 0
	slow := aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		calls++
		return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret",
			CanExpire: true, Expires: time.Now().Add(time.Hour)}, nil
	})
	cache := xacct.NewCache(slow)
	for range 1000 {
		if _, err := cache.Retrieve(context.Background()); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("provider calls:", calls)
	// Output: provider calls: 1
}

// Token sources for people and tools. (Not run: they need a terminal or a
// hardware key.)
func ExampleTerminalToken() {
	cfg := aws.Config{} // from config.LoadDefaultConfig
	_, _ = xacct.AssumeRole(cfg, xacct.Role{
		ARN:       "arn:aws:iam::222222222222:role/Admin",
		MFASerial: "arn:aws:iam::111111111111:mfa/alice",
	}, func(o *xacct.Options) {
		o.MFA = xacct.TerminalToken() // prompts on /dev/tty, even with stdout captured
		// or: o.MFA = xacct.ProcessToken("ykman", "oath", "accounts", "code", "-s", "aws-alice")
	})
}

// fleetAWS starts a fake STS with three accounts for FanOut: the roles of
// 222222222222 and 333333333333 trust the caller (account 111111111111);
// the one of 444444444444 trusts another account. It returns the caller's
// config.
func fleetAWS() (*xaccttest.Server, aws.Config) {
	trust := func(who string) json.RawMessage {
		return json.RawMessage(`{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
			"Principal": {"AWS": "arn:aws:iam::` + who + `:root"}, "Action": "sts:AssumeRole"}}`)
	}
	role := func(who string) xaccttest.Account {
		return xaccttest.Account{Roles: map[string]xaccttest.Role{"OrganizationAccountAccessRole": {Trust: trust(who)}}}
	}
	srv, err := xaccttest.NewServerWithScenario(&xaccttest.Scenario{Accounts: map[string]xaccttest.Account{
		"111111111111": {Users: map[string]xaccttest.User{"inventory": {
			AccessKeyID: "AKIAEXAMPLEINVENTORY", SecretAccessKey: "example-secret",
			Policies: []json.RawMessage{json.RawMessage(`{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
				"Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}}`)},
		}}},
		"222222222222": role("111111111111"),
		"333333333333": role("111111111111"),
		"444444444444": role("999999999999"),
	}})
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := srv.UserConfig("111111111111", "inventory")
	if err != nil {
		log.Fatal(err)
	}
	return srv, cfg
}

// Run a function in every account of a fleet, each with credentials of its
// own, at one STS rate for the whole fleet. One account that cannot be
// entered does not stop the others.
func ExampleFanOut() {
	srv, cfg := fleetAWS() // in production: config.LoadDefaultConfig, and xacct.Accounts for the list
	defer srv.Close()
	accounts := []xacct.Account{{ID: "222222222222", Name: "prod"}, {ID: "333333333333", Name: "dev"}, {ID: "444444444444", Name: "legacy"}}

	var mu sync.Mutex
	seen := map[string]string{} // account ID -> the identity fn acted as
	rep := xacct.FanOut(context.Background(), cfg, accounts, func(ctx context.Context, a xacct.Account, cfg aws.Config) error {
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		seen[a.ID] = aws.ToString(out.Arn)
		return nil
	}, func(o *xacct.FanOutOptions) {
		o.RoleName = "OrganizationAccountAccessRole"
		o.SessionName = "inventory"
		o.STSRate = 10 // STS calls per second for the whole fleet, refreshes included
	})

	for _, r := range rep.Results { // in the order given
		var apiErr smithy.APIError
		switch {
		case errors.As(r.Err, &apiErr):
			fmt.Printf("%s: %s (%d STS call)\n", r.Account.Name, apiErr.ErrorCode(), r.Attempts)
		case r.Err != nil:
			fmt.Printf("%s: %v\n", r.Account.Name, r.Err)
		default:
			fmt.Printf("%s: %s\n", r.Account.Name, seen[r.Account.ID])
		}
	}
	fmt.Printf("%d succeeded, %d failed\n", rep.Succeeded, rep.Failed)
	// Output:
	// prod: arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/inventory
	// dev: arn:aws:sts::333333333333:assumed-role/OrganizationAccountAccessRole/inventory
	// legacy: AccessDenied (1 STS call)
	// 2 succeeded, 1 failed
}
