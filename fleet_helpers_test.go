package xacct_test

// A fleet of accounts in the fake STS, and a throttling front for it.
//
// The front stands in for the throttling that the fake STS is gaining on
// the `fake` branch (Throttling above a rate per caller, with the time each
// call was received); once that lands, these tests use it instead.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

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

// throttle is an STS front that answers Throttling (HTTP 400) when a caller
// (an access key) has had limit calls let through in the last second, as a
// sliding window, and records when each call arrived, in real time.
type throttle struct {
	next  http.Handler
	limit int
	url   string

	mu       sync.Mutex             // guards the fields below
	passed   map[string][]time.Time // per access key, calls let through in the last second
	arrivals []time.Time            // every call
	refused  int
}

func newThrottle(t testing.TB, next http.Handler, limit int) *throttle {
	th := &throttle{next: next, limit: limit, passed: map[string][]time.Time{}}
	ts := httptest.NewServer(th)
	t.Cleanup(ts.Close)
	th.url = ts.URL
	return th
}

func (th *throttle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	key := r.Header.Get("Authorization")
	if _, rest, ok := strings.Cut(key, "Credential="); ok {
		key, _, _ = strings.Cut(rest, "/")
	}
	th.mu.Lock()
	th.arrivals = append(th.arrivals, now)
	recent := th.passed[key]
	for len(recent) > 0 && now.Sub(recent[0]) >= time.Second {
		recent = recent[1:]
	}
	refuse := len(recent) >= th.limit
	if refuse {
		th.refused++
	} else {
		recent = append(recent, now)
	}
	th.passed[key] = recent
	th.mu.Unlock()
	if refuse {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>`+
			`<Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>throttled</RequestId></ErrorResponse>`)
		return
	}
	th.next.ServeHTTP(w, r)
}

// stats returns how many calls arrived, how many were refused, and the
// most that arrived within any one second.
func (th *throttle) stats() (calls, refused, maxPerSecond int) {
	th.mu.Lock()
	defer th.mu.Unlock()
	a := slices.Clone(th.arrivals)
	slices.SortFunc(a, func(x, y time.Time) int { return x.Compare(y) })
	lo := 0
	for hi := range a {
		for a[hi].Sub(a[lo]) >= time.Second {
			lo++
		}
		maxPerSecond = max(maxPerSecond, hi-lo+1)
	}
	return len(a), th.refused, maxPerSecond
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
