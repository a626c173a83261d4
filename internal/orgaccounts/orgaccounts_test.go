package orgaccounts

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

// The filter's rules, one row each.
func TestFilter(t *testing.T) {
	t.Parallel()
	listed := []Account{
		{ID: "111111111111", State: "ACTIVE"}, {ID: "222222222222", State: "SUSPENDED"},
		{ID: "333333333333", State: "ACTIVE"}, {ID: "111111111111", State: "ACTIVE"}, // listed twice (two parents)
		{ID: "444444444444", State: "PENDING_CLOSURE"},
	}
	for _, tt := range []struct {
		name string
		o    Options
		want string
	}{
		{"ACTIVE accounts, each once", Options{}, "[111111111111 333333333333]"},
		{"exclude drops", Options{Exclude: []string{"111111111111"}}, "[333333333333]"},
		{"include keeps only those", Options{Include: []string{"333333333333"}}, "[333333333333]"},
		{"exclude wins over include", Options{Include: []string{"333333333333"}, Exclude: []string{"333333333333"}}, "[]"},
		{"one missing: is", Options{Include: []string{"222222222222"}},
			"xacct: Accounts: AccountsOptions.Include: 222222222222 is not an ACTIVE account of the organization"},
		{"several missing, each once, under an OU: are", Options{OU: "ou-ab12-cd34ef56", Include: []string{"9", "9", "444444444444"}},
			"xacct: Accounts: AccountsOptions.Include: 9, 444444444444 are not ACTIVE accounts of ou-ab12-cd34ef56 and the units below it"},
	} {
		got, err := tt.o.filter(listed)
		var ids []string
		for _, a := range got {
			ids = append(ids, a.ID)
		}
		if s := fmt.Sprint(ids); err != nil && err.Error() != tt.want || err == nil && s != tt.want {
			t.Errorf("%s: %v, %v; want %s", tt.name, s, err, tt.want)
		}
	}
}

// A listing error without a hint says none; the answer's code stays
// reachable.
func TestListErrorWithoutHint(t *testing.T) {
	t.Parallel()
	cause := &smithy.GenericAPIError{Code: "ServiceException", Message: "try later"}
	err := listError("ListAccounts", "", cause)
	var apiErr smithy.APIError
	if err.Error() != "xacct: Accounts: ListAccounts: api error ServiceException: try later" ||
		!errors.As(err, &apiErr) || apiErr.ErrorCode() != "ServiceException" {
		t.Errorf("%v", err)
	}
}
