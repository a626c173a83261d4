package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct"
)

// TestSameDeviceHint: a code of hop 1's device asked while another role
// on the same source holds a live session (a code typed for it already)
// comes with the hint, once; not for an expired session, another device,
// or a plan without such roles.
func TestSameDeviceHint(t *testing.T) {
	t.Parallel()
	const serial, roleA = "arn:aws:iam::111111111111:mfa/bob", "arn:aws:iam::222222222222:role/BreakGlass"
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	plan := &xacct.ProfilePlan{Profile: "breakglass-audit", Base: xacct.PlanBase{Profile: "bob"},
		Hops: []xacct.PlanHop{{Hop: 1, MFASerial: serial, SameDevice: map[string]string{"breakglass": roleA}}}}
	asked := 0
	ask := func(context.Context, xacct.TokenRequest) (string, error) { asked++; return "123456", nil }
	for _, c := range []struct {
		name    string
		expires time.Time
		serial  string
		plan    *xacct.ProfilePlan
		want    bool
	}{
		{"a sibling's live session", now.Add(time.Hour), serial, plan, true},
		{"a sibling's expired session", now.Add(-time.Minute), serial, plan, false},
		{"another device", now.Add(time.Hour), "arn:aws:iam::111111111111:mfa/other", plan, false},
		{"no sibling", now.Add(time.Hour), serial, &xacct.ProfilePlan{Hops: []xacct.PlanHop{{MFASerial: serial}}}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			store, err := xacct.NewFileStore(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if err := store.Save(context.Background(), strings.Repeat("a", 64), &xacct.StoredCredentials{
				Kind: "assume-role", Name: roleA, Fetched: now.Add(-time.Minute),
				Credentials: aws.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "s", SessionToken: "t",
					CanExpire: true, Expires: c.expires},
			}); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			token := sameDeviceHint(ask, c.plan, store, &out, func() time.Time { return now })
			for range 2 {
				if code, err := token(context.Background(), xacct.TokenRequest{SerialNumber: c.serial, Hop: 1}); code != "123456" || err != nil {
					t.Fatalf("token = %q, %v", code, err)
				}
			}
			got := out.String()
			if want := "xacct: a second code of " + serial + ": profile breakglass holds a session from one already; " +
				"xacct_mfa_session = shared on profile bob would ask one code for all its roles " +
				"(xacct explain breakglass-audit says more)\n"; c.want && got != want || !c.want && got != "" {
				t.Errorf("said %q; want it: %v", got, c.want)
			}
		})
	}
}
