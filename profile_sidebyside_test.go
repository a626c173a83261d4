package xacct_test

// The SDK's profile support and xacct's, side by side, on one config file
// and xaccttest: base → hop1 (mfa_serial, 1h) → hop2 (15m). Run
//
//	go test -run TestSideBySide -v .
//
// for the table of the README.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/xaccttest"
)

const (
	sbsHop1 = "arn:aws:iam::222222222222:role/Hop1"
	sbsHop2 = "arn:aws:iam::333333333333:role/Hop2"
)

// sbsWorld: alice may assume Hop1, which requires MFA; Hop1 may assume Hop2.
func sbsWorld(t *testing.T) *xaccttest.Server {
	t.Helper()
	srv, err := xaccttest.NewServerWithScenario(&xaccttest.Scenario{Accounts: map[string]xaccttest.Account{
		"111111111111": {Users: map[string]xaccttest.User{"alice": {
			AccessKeyID: "AKIAEXAMPLEALICE0001", SecretAccessKey: "alice-secret", MFATOTPSecret: totpSecret(),
			Policies: []json.RawMessage{allow(sbsHop1)},
		}}},
		"222222222222": {Roles: map[string]xaccttest.Role{"Hop1": {
			Trust:    trust(`"arn:aws:iam::111111111111:root"`, `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`),
			Policies: []json.RawMessage{allow(sbsHop2)},
		}}},
		"333333333333": {Roles: map[string]xaccttest.Role{"Hop2": {Trust: trust(`"`+sbsHop1+`"`, "")}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// sbsConfig writes the config file both read.
func sbsConfig(t *testing.T, srv *xaccttest.Server) string {
	t.Helper()
	_, path, _ := profileFiles(t, `[profile base]
aws_access_key_id = AKIAEXAMPLEALICE0001
aws_secret_access_key = alice-secret

[profile hop1]
role_arn = `+sbsHop1+`
source_profile = base
mfa_serial = `+aliceMFA+`
duration_seconds = 3600
role_session_name = sbs

[profile hop2]
role_arn = `+sbsHop2+`
source_profile = hop1
duration_seconds = 900
role_session_name = sbs
region = us-east-1
services = fake

# The STS endpoint of the fake. Not a global endpoint_url: the Go SDK
# resolves its chain's credentials before it reads that one.
[services fake]
sts =
  endpoint_url = `+srv.URL+`
`, "")
	return path
}

// sbsRow is what one client cost over its first fetch and 3 refreshes of hop2.
type sbsRow struct {
	client            string
	hop1, hop2        int // AssumeRole calls
	prompts           int
	errors, refreshes int
}

func sbsCount(srv *xaccttest.Server, row *sbsRow) {
	for _, c := range srv.Calls() {
		switch {
		case c.Action != "AssumeRole":
		case c.RoleARN == sbsHop1:
			row.hop1++
		case c.RoleARN == sbsHop2:
			row.hop2++
		}
		if !c.Allowed {
			row.errors++
		}
	}
}

func TestSideBySide(t *testing.T) {
	t.Parallel()
	const refreshes = 3
	ctx := context.Background()

	// The SDK: its chain for the profile, a token provider counting prompts.
	sdkSrv := sbsWorld(t)
	var sdkPrompts atomic.Int32
	sdkCfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile("hop2"),
		config.WithSharedConfigFiles([]string{sbsConfig(t, sdkSrv)}), config.WithSharedCredentialsFiles([]string{}),
		config.WithAssumeRoleCredentialOptions(func(o *stscreds.AssumeRoleOptions) {
			o.TokenProvider = func() (string, error) {
				sdkPrompts.Add(1)
				return sdkSrv.TOTP(aliceMFA)
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	sdk := sbsRow{client: "`config.LoadDefaultConfig` (AWS SDK for Go v2)", refreshes: refreshes}
	sdkCache := sdkCfg.Credentials.(*aws.CredentialsCache)
	for i := 0; i <= refreshes; i++ {
		if i > 0 {
			// The SDK's cache reads the real clock, which a test cannot
			// move: Invalidate is what expiry does to it, a new fetch.
			sdkSrv.Clock.Advance(15 * time.Minute)
			sdkCache.Invalidate()
		}
		if _, err := sdkCache.Retrieve(ctx); err != nil {
			t.Fatalf("SDK, fetch %d: %v", i, err)
		}
	}
	sdk.prompts = int(sdkPrompts.Load())
	sbsCount(sdkSrv, &sdk)

	// xacct: the same file; hop2 expires every 15 minutes on the fake clock.
	xSrv := sbsWorld(t)
	var xPrompts atomic.Int32
	xCfg, err := xacct.LoadConfig(ctx, "hop2", func(o *xacct.Options) {
		o.ConfigFiles, o.CredentialsFiles = []string{sbsConfig(t, xSrv)}, []string{}
		o.Now, o.MFA = xSrv.Clock.Now, counted(xSrv, &xPrompts)
	})
	if err != nil {
		t.Fatal(err)
	}
	x := sbsRow{client: "`xacct.LoadConfig`", refreshes: refreshes}
	for i := 0; i <= refreshes; i++ {
		if i > 0 {
			xSrv.Clock.Advance(15 * time.Minute)
		}
		if _, err := xCfg.Credentials.Retrieve(ctx); err != nil {
			t.Fatalf("xacct, fetch %d: %v", i, err)
		}
		waitIdle(t, xSrv)
	}
	x.prompts = int(xPrompts.Load())
	sbsCount(xSrv, &x)

	var b strings.Builder
	fmt.Fprintf(&b, "\nbase → hop1 (mfa_serial, 1h) → hop2 (duration_seconds 900): first fetch and %d refreshes of hop2\n\n", refreshes)
	b.WriteString("| profile support | AssumeRole hop1 | AssumeRole hop2 | MFA prompts |\n")
	b.WriteString("| --- | --- | --- | --- |\n")
	for _, r := range []sbsRow{sdk, x} {
		fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", r.client, r.hop1, r.hop2, r.prompts)
	}
	t.Log(b.String())

	// The SDK re-assumes hop1 and asks for a code on every refresh of
	// hop2; xacct assumes hop1 once in its hour, with one prompt, and hop2
	// once per its 15-minute session.
	if want := (sbsRow{client: sdk.client, hop1: 4, hop2: 4, prompts: 4, refreshes: 3}); sdk != want {
		t.Errorf("SDK %+v, want %+v", sdk, want)
	}
	if want := (sbsRow{client: x.client, hop1: 1, hop2: 4, prompts: 1, refreshes: 3}); x != want {
		t.Errorf("xacct %+v, want %+v", x, want)
	}
}
