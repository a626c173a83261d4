package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/testutil"
)

// TestAccountsAndForEachWithMoto runs `xacct accounts` and
// `xacct for-each-account --ou` as processes against an organization served
// by moto (Organizations) and the fake STS; skipped without moto.
func TestAccountsAndForEachWithMoto(t *testing.T) {
	t.Parallel()
	orgURL := testutil.StartMoto(t)
	ctx := context.Background()
	c := organizations.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(orgURL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}, nil
		})})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll})
	must(err)
	roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	must(err)
	root := roots.Roots[0].Id
	ou, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("prod")})
	must(err)
	var inOU []string
	for i := range 4 {
		out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{
			AccountName: aws.String(fmt.Sprintf("acct-%d", i)), Email: aws.String(fmt.Sprintf("acct-%d@example.com", i))})
		must(err)
		id := aws.ToString(out.CreateAccountStatus.AccountId)
		if i < 3 {
			_, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &id, SourceParentId: root, DestinationParentId: ou.OrganizationalUnit.Id})
			must(err)
			inOU = append(inOU, id)
		}
	}

	// xacct accounts --json: every ACTIVE account, the management one too.
	srv := fleetServer(t, inOU)
	env := callerEnv(t, srv.URL, orgURL)
	cmd := exec.Command(xacctBinary(t), "accounts", "--json")
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("xacct accounts: %v\n%s", err, stderr.String())
	}
	var listed []xacct.Account
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var a xacct.Account
		must(json.Unmarshal([]byte(l), &a))
		listed = append(listed, a)
	}
	if len(listed) != 5 || !slices.ContainsFunc(listed, func(a xacct.Account) bool {
		return a.ID == inOU[0] && a.Name == "acct-0" && a.Email == "acct-0@example.com" && a.State == "ACTIVE"
	}) {
		t.Errorf("listed %+v", listed)
	}

	// The table, of the OU only.
	cmd = exec.Command(xacctBinary(t), "accounts", "--ou", aws.ToString(ou.OrganizationalUnit.Id))
	cmd.Env = env
	out, err = cmd.Output()
	if err != nil {
		t.Fatalf("xacct accounts --ou: %v", err)
	}
	rows := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(rows) != 4 || !strings.HasPrefix(rows[0], "ID") || !strings.Contains(string(out), inOU[1]+"  acct-1  acct-1@example.com") {
		t.Errorf("table:\n%s", out)
	}

	// for-each-account --ou: the OU's accounts, listed by Organizations,
	// entered through the fake STS.
	code, lines, errText, _ := forEachRun(t, env, "--env-credentials", "--role-name", orgRole, "--ou", aws.ToString(ou.OrganizationalUnit.Id), "--rate", "100")
	if code != 0 || len(lines) != 3 {
		t.Fatalf("exit %d, %d lines:\n%s", code, len(lines), errText)
	}
	for i, id := range inOU {
		if l := lines[id]; l.Status != "ok" || l.AccountName != fmt.Sprintf("acct-%d", i) ||
			!strings.HasPrefix(l.StderrTail, fmt.Sprintf("account=%s name=acct-%d ", id, i)) {
			t.Errorf("%s: %+v", id, l)
		}
	}

	// Organizations refusing: exit 3, with the hint.
	cmd = exec.Command(xacctBinary(t), "accounts", "--ou", "ou-zzzz-zzzzzzzz")
	cmd.Env = env
	stderr.Reset()
	cmd.Stderr = &stderr
	if err := cmd.Run(); cmd.ProcessState.ExitCode() != exitCredentials || !strings.Contains(stderr.String(), "ListAccountsForParent of ou-zzzz-zzzzzzzz") {
		t.Errorf("unknown OU: %v, %s", err, stderr.String())
	}
}

// accounts and for-each-account fail as credential-process does: one line
// on stderr, the command's name once, and the exit code of the failure.
func TestAccountsExitCodes(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"accounts", "--profile", "nope"}, exitConfig, "xacct accounts: profile nope"},
		{[]string{"accounts", "dev", "extra"}, exitConfig, `xacct accounts: unexpected argument "extra"`},
		{[]string{"for-each-account", "--role-name", orgRole, "--profile", "nope", "--", "true"}, exitConfig,
			"xacct for-each-account: profile nope"},
		// The chain needs a code, and the process has no terminal.
		{[]string{"accounts", "--profile", "chain"}, exitMFAImpossible, "xacct accounts: "},
		{[]string{"for-each-account", "--role-name", orgRole, "--profile", "chain", "--", "true"}, exitMFAImpossible,
			"xacct for-each-account: "},
	} {
		r := w.run(t, tt.args...)
		if r.code != tt.code || !strings.HasPrefix(r.stderr, tt.want) || strings.Count(r.stderr, "\n") != 1 ||
			strings.HasPrefix(r.stderr, "xacct "+tt.args[0]+": xacct: ") || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d and one line %q...", tt.args, r.code, r.stdout, r.stderr, tt.code, tt.want)
		}
		if tt.code == exitMFAImpossible && (!strings.Contains(r.stderr, "no terminal") || w.stsCalls() != 0) {
			t.Errorf("%v: %d STS calls, stderr %q; want none, and why", tt.args, w.stsCalls(), r.stderr)
		}
	}
}
