package xacct_test

// A fleet of accounts in the fake STS.

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/xaccttest"
)

const (
	callerAccount = "111111111111"
	scannerKey    = "AKIAEXAMPLESCANNER01"
	scannerSecret = "scanner/SECRET/wJalrXUtnFEMIK7MDENGbPxRfiCY"
	orgRole       = "OrganizationAccountAccessRole"
)

// fleetAccount returns the ID of the i-th account of a fleet.
func fleetAccount(i int) string { return fmt.Sprintf("%012d", 200000000000+i) }

// fleet describes the accounts of a test world: n accounts whose role
// trusts the caller, but for those listed.
type fleet struct {
	n         int
	untrusted []int // the role trusts another account
	noRole    []int // the account has no such role
}

// newFleet starts a fake STS serving the fleet and returns it with the
// accounts, in order.
func newFleet(t testing.TB, f fleet) (*xaccttest.Server, []xacct.Account) {
	t.Helper()
	sc := &xaccttest.Scenario{Accounts: map[string]xaccttest.Account{
		callerAccount: {Users: map[string]xaccttest.User{"scanner": {
			AccessKeyID: scannerKey, SecretAccessKey: scannerSecret,
			Policies: []json.RawMessage{json.RawMessage(`{"Version": "2012-10-17", "Statement": {
				"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/` + orgRole + `"}}`)},
		}}},
	}}
	trusts := func(account string) json.RawMessage {
		return json.RawMessage(`{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
			"Principal": {"AWS": "arn:aws:iam::` + account + `:root"}, "Action": "sts:AssumeRole"}}`)
	}
	var accounts []xacct.Account
	for i := range f.n {
		id := fleetAccount(i)
		accounts = append(accounts, xacct.Account{ID: id, Name: fmt.Sprintf("acct-%d", i), State: "ACTIVE"})
		switch {
		case slices.Contains(f.noRole, i):
			sc.Accounts[id] = xaccttest.Account{}
		case slices.Contains(f.untrusted, i):
			sc.Accounts[id] = xaccttest.Account{Roles: map[string]xaccttest.Role{orgRole: {Trust: trusts("999999999999")}}}
		default:
			sc.Accounts[id] = xaccttest.Account{Roles: map[string]xaccttest.Role{orgRole: {Trust: trusts(callerAccount)}}}
		}
	}
	srv, err := xaccttest.NewServerWithScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv, accounts
}

// scannerConfig is the caller's config for endpoint: the SDK's default
// retryer (cfg.Retryer nil), as a program would have.
func scannerConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(scannerKey, scannerSecret, ""),
	}
}

// stats returns how many calls the fake received, how many it throttled,
// and the most it received within any one second of real time.
func stats(srv *xaccttest.Server) (calls, throttled, maxPerSecond int) {
	for _, c := range srv.Calls() {
		calls++
		if c.ErrorCode == "Throttling" {
			throttled++
		}
	}
	return calls, throttled, srv.MaxCallsPerSecond()
}

// assumeCalls counts the AssumeRole calls the fake answered, per role
// ARN, allowed or not.
func assumeCalls(srv *xaccttest.Server) map[string]int {
	n := map[string]int{}
	for _, c := range srv.Calls() {
		if c.Action == "AssumeRole" {
			n[c.RoleARN]++
		}
	}
	return n
}

func roleOf(id string) string { return "arn:aws:iam::" + id + ":role/" + orgRole }
