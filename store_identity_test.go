package xacct_test

// The attacker's tests of the store: two identities, one shared input (a
// command line, a token file's path, an access key ID), and they must
// never share a session.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/testutil"
	"github.com/xacct/xacct/xaccttest"
)

// retrieveAs builds profile anew, as a new program would, on store, and
// retrieves its credentials.
func retrieveAs(t *testing.T, srv *xaccttest.Server, cfg aws.Config, profile string, store xacct.Store,
	files func(*xacct.Options)) (aws.Credentials, error) {
	t.Helper()
	c, err := xacct.FromProfile(context.Background(), cfg, profile, files,
		func(o *xacct.Options) { o.Now, o.Store = srv.Clock.Now, store })
	if err != nil {
		t.Fatal(err)
	}
	return c.Retrieve(context.Background())
}

func newFileStore(t *testing.T) *xacct.FileStore {
	t.Helper()
	store, err := xacct.NewFileStore(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// One credential_process command line prints alice's keys, then bob's
// (whose policy does not allow Hub): bob must be refused by STS, not
// handed alice's Hub session from the store.
func TestStoreKeysAProcessBaseByWhatItPrints(t *testing.T) {
	t.Parallel()
	srv, cfg := world(t)
	who := filepath.Join(t.TempDir(), "who")
	proc := script(t, `cat `+who)
	files := worldFiles(t, "\n[profile proc]\ncredential_process = "+proc+"\n"+
		"[profile hub]\nrole_arn = "+hubRole+"\nsource_profile = proc\nexternal_id = ext-123\nrole_session_name = e2e\n")
	store := newFileStore(t)
	as := func(key, secret string) error {
		os.WriteFile(who, []byte(`{"Version": 1, "AccessKeyId": "`+key+`", "SecretAccessKey": "`+secret+`"}`), 0o600)
		_, err := retrieveAs(t, srv, cfg, "hub", store, files)
		return err
	}
	if err := as("AKIAEXAMPLEALICE0001", "alice-secret"); err != nil {
		t.Fatalf("alice: %v", err)
	}
	err := as("AKIAEXAMPLEBOB000001", "bob-secret")
	if err == nil || testutil.ErrorCode(err) != "AccessDenied" {
		t.Errorf("bob through alice's command line: %v; want STS's AccessDenied", err)
	}
	if err := as("AKIAEXAMPLEALICE0001", "alice-secret"); err != nil {
		t.Fatalf("alice again: %v", err)
	}
	if n := srv.CallCount("AssumeRole"); n != 2 {
		t.Errorf("%d AssumeRole calls; want 2: alice's, then bob's refused one, and alice's again from the store", n)
	}
}

// An access key ID is no secret: a caller who knows alice's, with another
// secret, must not get the sessions made with alice's keys.
func TestStoreKeysLongTermKeysByTheirSecret(t *testing.T) {
	t.Parallel()
	srv, cfg := world(t)
	dir := t.TempDir()
	store := newFileStore(t)
	as := func(secret string) error {
		creds := filepath.Join(dir, "credentials")
		os.WriteFile(creds, []byte("[alice]\naws_access_key_id = AKIAEXAMPLEALICE0001\naws_secret_access_key = "+
			secret+"\n"), 0o600)
		config := filepath.Join(dir, "config")
		os.WriteFile(config, []byte("[profile hub]\nrole_arn = "+hubRole+"\nsource_profile = alice\n"+
			"external_id = ext-123\nrole_session_name = e2e\n"), 0o600)
		_, err := retrieveAs(t, srv, cfg, "hub", store, func(o *xacct.Options) {
			o.ConfigFiles, o.CredentialsFiles = []string{config}, []string{creds}
		})
		return err
	}
	if err := as("alice-secret"); err != nil {
		t.Fatalf("alice: %v", err)
	}
	if err := as("not-alice-secret"); err == nil {
		t.Error("alice's key ID with another secret got a session; want STS's refusal")
	}
	if n := srv.CallCount("AssumeRole"); n != 2 {
		t.Errorf("%d AssumeRole calls; want 2", n)
	}
}

// webIdentityWorld serves xaccttest/testdata/webidentity.json, whose role
// Deployer trusts the subjects system:serviceaccount:ci:*.
func webIdentityWorld(t *testing.T) (*xaccttest.Server, aws.Config) {
	t.Helper()
	sc, err := xaccttest.LoadScenarioFile("xaccttest/testdata/webidentity.json")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := xaccttest.NewServerWithScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv, srv.Config("AKIAUNUSEDBYPROFILES", "unused", "")
}

// writeToken writes a token of subject to path.
func writeToken(t *testing.T, srv *xaccttest.Server, path, subject string) {
	t.Helper()
	tok, err := srv.WebIdentityToken("https://oidc.example.com/cluster1", subject, "sts.amazonaws.com", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
}

// webIdentityFiles writes a config whose profile ci assumes Deployer with
// the token in tokenFile, followed by extra, in which {token} stands for
// tokenFile.
func webIdentityFiles(t *testing.T, extra string) (tokenFile string, files func(*xacct.Options)) {
	t.Helper()
	dir := t.TempDir()
	tokenFile, config := filepath.Join(dir, "token"), filepath.Join(dir, "config")
	os.WriteFile(config, []byte(strings.ReplaceAll("[profile ci]\nrole_arn = arn:aws:iam::444444444444:role/Deployer\n"+
		"web_identity_token_file = {token}\nrole_session_name = wi\n"+extra, "{token}", tokenFile)), 0o600)
	return tokenFile, func(o *xacct.Options) { o.ConfigFiles, o.CredentialsFiles = []string{config}, []string{} }
}

// One token path (a CI runner's) holds the builder's token, then one
// whose subject the trust policy refuses: the second must be refused.
func TestStoreKeysAWebIdentityByItsToken(t *testing.T) {
	t.Parallel()
	srv, cfg := webIdentityWorld(t)
	tokenFile, files := webIdentityFiles(t, "")
	store := newFileStore(t)
	writeToken(t, srv, tokenFile, "system:serviceaccount:ci:builder")
	if _, err := retrieveAs(t, srv, cfg, "ci", store, files); err != nil {
		t.Fatalf("builder: %v", err)
	}
	writeToken(t, srv, tokenFile, "repo:someone-else/app:ref:refs/heads/main")
	if _, err := retrieveAs(t, srv, cfg, "ci", store, files); err == nil || testutil.ErrorCode(err) != "AccessDenied" {
		t.Errorf("another subject's token at the same path: %v; want STS's AccessDenied", err)
	}
	if n := srv.CallCount("AssumeRoleWithWebIdentity"); n != 2 {
		t.Errorf("%d AssumeRoleWithWebIdentity calls; want 2", n)
	}
}

// duration_seconds decides a web identity session as it does a hop's.
func TestStoreKeysAWebIdentityByItsDuration(t *testing.T) {
	t.Parallel()
	srv, cfg := webIdentityWorld(t)
	tokenFile, files := webIdentityFiles(t, "duration_seconds = 3600\n[profile ci2h]\n"+
		"role_arn = arn:aws:iam::444444444444:role/Deployer\nweb_identity_token_file = {token}\n"+
		"role_session_name = wi\nduration_seconds = 7200\n")
	store := newFileStore(t)
	writeToken(t, srv, tokenFile, "system:serviceaccount:ci:builder")
	for _, profile := range []string{"ci", "ci2h"} {
		creds, err := retrieveAs(t, srv, cfg, profile, store, files)
		if err != nil {
			t.Fatal(err)
		}
		if left := creds.Expires.Sub(srv.Clock.Now()); left < 50*time.Minute {
			t.Errorf("credentials with %v left", left)
		}
	}
	if n := srv.CallCount("AssumeRoleWithWebIdentity"); n != 2 {
		t.Errorf("%d AssumeRoleWithWebIdentity calls for a 1h and a 2h profile; want 2", n)
	}
}

// A token file that is too large is refused before it is read whole, and
// before any call, naming the file (a FIFO: store_identity_unix_test.go).
func TestWebIdentityTokenFileIsBounded(t *testing.T) {
	t.Parallel()
	srv, cfg := webIdentityWorld(t)
	tokenFile, files := webIdentityFiles(t, "")
	f, err := os.Create(tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(1 << 30) // sparse: 1 GiB that takes no disk
	f.Close()
	_, err = retrieveAs(t, srv, cfg, "ci", nil, files)
	if err == nil || !strings.Contains(err.Error(), tokenFile) || !strings.Contains(err.Error(), "1073741824 bytes") ||
		!strings.Contains(err.Error(), "at most 20000 characters") {
		t.Errorf("a 1 GiB token file: %v; want an error naming the file, its size and STS's limit", err)
	}

	if n := srv.CallCount("AssumeRoleWithWebIdentity"); n != 0 {
		t.Errorf("%d calls with a refused token file", n)
	}
}

// A hop on a web identity is keyed by the session that signs it: a
// long-running process whose token file now holds a refused subject's
// token refreshes the hop with its older session, under that session's
// key, and a new process of the refused subject must not find it.
func TestStoreKeysAHopByTheSessionThatSignsIt(t *testing.T) {
	t.Parallel()
	srv, cfg := webIdentityWorld(t)
	tokenFile, files := webIdentityFiles(t, "[profile target]\nrole_arn = arn:aws:iam::555555555555:role/Target\n"+
		"source_profile = ci\nduration_seconds = 900\nrole_session_name = tt\n")
	store := newFileStore(t)
	writeToken(t, srv, tokenFile, "system:serviceaccount:ci:builder")
	c, err := xacct.FromProfile(context.Background(), cfg, "target", files,
		func(o *xacct.Options) { o.Now, o.Store = srv.Clock.Now, store })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	writeToken(t, srv, tokenFile, "repo:someone-else/app:ref:refs/heads/main")
	srv.Clock.Advance(16 * time.Minute) // Target's session has ended; the web identity's hour has not
	if _, err := c.Retrieve(context.Background()); err != nil {
		t.Fatalf("the long-running process: %v", err)
	}
	if _, err := retrieveAs(t, srv, cfg, "target", store, files); err == nil {
		t.Errorf("the refused subject got Target's session from the store (AssumeRoleWithWebIdentity %d, AssumeRole %d)",
			srv.CallCount("AssumeRoleWithWebIdentity"), srv.CallCount("AssumeRole"))
	}
}
