package ssoprofiles

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/sso/types"
)

// portal answers one account with the given ID and one role of the given
// name.
type portal struct{ accountID, roleName string }

func (p portal) ListAccounts(context.Context, *sso.ListAccountsInput, ...func(*sso.Options)) (*sso.ListAccountsOutput, error) {
	return &sso.ListAccountsOutput{AccountList: []types.AccountInfo{{AccountId: aws.String(p.accountID),
		AccountName: aws.String("prod")}}}, nil
}

func (p portal) ListAccountRoles(context.Context, *sso.ListAccountRolesInput, ...func(*sso.Options)) (*sso.ListAccountRolesOutput, error) {
	return &sso.ListAccountRolesOutput{RoleList: []types.RoleInfo{{AccountId: aws.String(p.accountID),
		RoleName: aws.String(p.roleName)}}}, nil
}

// TestListRefusesWhatWouldAddKeys: a portal's answer is written into a
// config file as it is, so an account ID or role name that breaks AWS's
// rules (a line break would add a credential_process) is refused.
func TestListRefusesWhatWouldAddKeys(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		p    portal
		want string
	}{
		{"a role name with a line break", portal{"111111111111", "Admin\ncredential_process = evil"},
			`the role name "Admin\ncredential_process = evil" in account 111111111111, which is not 1 to 64`},
		{"an account ID with a line break", portal{"111111111111\nregion = x", "Admin"},
			`the account ID "111111111111\nregion = x", which is not 12 digits`},
		{"a good answer", portal{"111111111111", "AWSAdministratorAccess"}, ""},
	} {
		roles, err := List(context.Background(), c.p, "token")
		switch {
		case c.want == "" && (err != nil || len(roles) != 1):
			t.Errorf("%s: %v, %v", c.name, roles, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
	}
	for region, ok := range map[string]bool{"us-east-1": true, "us-gov-west-1": true, "eu-central-2": true,
		"us-east-1\ncredential_process = x": false, "": false, "US-EAST-1": false} {
		if err := CheckRegion(region); (err == nil) != ok {
			t.Errorf("CheckRegion(%q) = %v", region, err)
		}
	}
}

// TestWriteTwiceInOneSecond: a second --write in the same second keeps a
// backup of its own instead of failing on the first one's name.
func TestWriteTwiceInOneSecond(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte("[profile mine]\nregion = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	var backups []string
	for i, name := range []string{"a", "b"} {
		w, err := Write(path, []Profile{{Name: name, Role: Role{AccountID: "111111111111", RoleName: "Admin"}}},
			"corp", "us-east-1", now)
		if err != nil || len(w.Added) != 1 {
			t.Fatalf("write %d: %+v, %v", i+1, w, err)
		}
		backups = append(backups, w.Backup)
	}
	if backups[0] != path+".bak-20261205T100000Z" || backups[1] != path+".bak-20261205T100000Z-2" {
		t.Errorf("backups %q", backups)
	}
}
