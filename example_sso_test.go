package xacct_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/xaccttest"
)

// Sign in to an IAM Identity Center session with the default flow
// (authorization code with PKCE, redirected to a loopback port). Here the
// "browser" is an HTTP GET that follows the fake's redirect, which
// approves the sign-in at once (auto_approve_user); a person's browser
// does the same once they sign in. The token is cached where every SDK
// and the AWS CLI read it, so a second LoginSSO needs no sign-in.
func ExampleLoginSSO() {
	sc, err := xaccttest.LoadScenarioFile("xaccttest/testdata/identitycenter.json")
	if err != nil {
		log.Fatal(err)
	}
	sc.IdentityCenter.AutoApproveUser = "alice"
	srv, err := xaccttest.NewServerWithScenario(sc)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	dir, _ := os.MkdirTemp("", "xacct-sso")
	defer os.RemoveAll(dir)
	config := filepath.Join(dir, "config")
	os.WriteFile(config, []byte(`
[profile admin]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin

[sso-session corp]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1
`), 0o600)

	login := func(o *xacct.SSOLoginOptions) {
		o.ConfigFiles, o.CredentialsFiles = []string{config}, []string{}
		o.TokenCacheDir, o.StoreDir = filepath.Join(dir, "sso", "cache"), filepath.Join(dir, "store")
		o.Endpoint = srv.URL
		o.OpenURL = func(ctx context.Context, url, _ string) error {
			fmt.Println("opening the sign-in page")
			resp, err := http.Get(url) // follows the redirect to xacct's loopback port
			if err != nil {
				return err
			}
			return resp.Body.Close()
		}
	}
	if err := xacct.LoginSSO(context.Background(), "admin", login); err != nil {
		log.Fatal(err)
	}
	// The cache file of AWS CLI v2: the SHA-1 of the session's name.
	_, err = os.Stat(filepath.Join(dir, "sso", "cache", "ee0bfd2552fbd840c02cc48b6e823320543c450f.json"))
	fmt.Println("token cached:", err == nil)
	if err := xacct.LoginSSO(context.Background(), "admin", login); err != nil {
		log.Fatal(err)
	}
	fmt.Println("second login: no sign-in needed")
	// Output:
	// opening the sign-in page
	// token cached: true
	// second login: no sign-in needed
}
