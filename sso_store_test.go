package xacct_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/ssocache"
)

// TestSSORoleStoreKeyIsTheToken is the attacker's test: two users of one
// start URL, signed in one after the other into the same token cache
// file, use the same profile (same name, account and role) with the same
// store. Each gets its own identity, never the other's stored session;
// each one's session is kept apart and found again by its own token.
func TestSSORoleStoreKeyIsTheToken(t *testing.T) {
	// HOME decides ~/.aws/sso/cache, where the profile's provider reads,
	// as the SDKs do: the test runs alone.
	home := t.TempDir()
	t.Setenv("HOME", home)
	srv, _, opts := ssoWorld(t, "")
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte(`
[profile ro]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = ReadOnly

[sso-session corp]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1
`), 0o600); err != nil {
		t.Fatal(err)
	}
	store, err := xacct.NewFileStore(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	tokenFile := ssocache.Path(filepath.Join(home, ".aws", "sso", "cache"), "corp")
	signIn := func(user string) []byte {
		err := xacct.LoginSSO(context.Background(), "ro", opts, func(o *xacct.SSOLoginOptions) {
			o.ConfigFiles, o.TokenCacheDir, o.StoreDir = []string{config}, filepath.Dir(tokenFile), store.Dir()
			o.DeviceCode, o.Force = true, true
			o.OpenURL = func(_ context.Context, _, code string) error { return srv.ApproveSignIn(code, user) }
			o.Sleep = func(context.Context, time.Duration) error { return nil }
		})
		if err != nil {
			t.Fatalf("sign-in of %s: %v", user, err)
		}
		b, err := os.ReadFile(tokenFile)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// who is what a new process of profile ro gets, with the store.
	who := func() string {
		t.Helper()
		cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL)}
		creds, err := xacct.FromProfile(context.Background(), cfg, "ro", func(o *xacct.Options) {
			o.ConfigFiles, o.CredentialsFiles, o.Store, o.Now = []string{config}, []string{}, store, srv.Clock.Now
		})
		if err != nil {
			t.Fatal(err)
		}
		return whoAmI(with(cfg, creds))
	}
	const ro = "arn:aws:sts::222222222222:assumed-role/ReadOnly/"
	alice := signIn("alice")
	if got := who(); got != ro+"alice" {
		t.Fatalf("alice's token: %s", got)
	}
	signIn("bob")
	if got := who(); got != ro+"bob" {
		t.Errorf("bob's token, after alice's session was stored for the same profile, account and role: %s; want bob's own", got)
	}
	if n := srv.CallCount("GetRoleCredentials"); n != 2 {
		t.Errorf("%d GetRoleCredentials calls for two users, want 2", n)
	}
	// Alice's token again: her stored session, found by her token, with no
	// call to the portal.
	if err := os.WriteFile(tokenFile, alice, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := who(); got != ro+"alice" {
		t.Errorf("alice's token again: %s", got)
	}
	if n := srv.CallCount("GetRoleCredentials"); n != 2 {
		t.Errorf("%d GetRoleCredentials calls, want 2: alice's session is in the store", n)
	}
	entries, err := store.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Kind == "sso-role" {
			n++
			if !strings.Contains(e.Name, "ReadOnly") {
				t.Errorf("entry %v", e)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d sso-role entries in the store, want 2 (one per user's token)", n)
	}
}
