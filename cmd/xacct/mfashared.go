package main

// The second prompt of a person who came from aws-vault: role profiles
// with mfa_serial on one source profile each ask their own code (the AWS
// CLI's reading), where xacct_mfa_session = shared on the source would
// have asked one code for all of them. Said when it happens, not only in
// explain.

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/xacct/xacct"
)

// sameDeviceHint returns ask, which first says (once) when a code of hop
// 1's device is asked while another role on the same source profile holds
// a live session in the store: a code of that device was typed for it
// already. now is the clock of the store's expiry times.
func sameDeviceHint(ask xacct.TokenFunc, plan *xacct.ProfilePlan, store xacct.Store, w io.Writer,
	now func() time.Time) xacct.TokenFunc {
	if store == nil || len(plan.Hops) == 0 || len(plan.Hops[0].SameDevice) == 0 {
		return ask
	}
	hop := plan.Hops[0]
	var once sync.Once
	return func(ctx context.Context, req xacct.TokenRequest) (string, error) {
		if req.SerialNumber == hop.MFASerial {
			once.Do(func() {
				if other := liveSibling(ctx, store, hop.SameDevice, now()); other != "" {
					fmt.Fprintf(w, "xacct: a second code of %s: profile %s holds a session from one already; "+
						"xacct_mfa_session = shared on profile %s would ask one code for all its roles "+
						"(xacct explain %s says more)\n", hop.MFASerial, other, plan.Base.Profile, plan.Profile)
				}
			})
		}
		return ask(ctx, req)
	}
}

// liveSibling is the first profile (by name) of siblings (profile → role
// ARN) whose role has an unexpired session in store; "" when none has, or
// the store cannot be listed (the hint is no reason to fail a prompt).
func liveSibling(ctx context.Context, store xacct.Store, siblings map[string]string, now time.Time) string {
	entries, err := store.List(ctx)
	if err != nil {
		return ""
	}
	live := map[string]bool{}
	for _, e := range entries {
		if e.Kind == "assume-role" && (!e.Credentials.CanExpire || e.Credentials.Expires.After(now)) {
			live[e.Name] = true
		}
	}
	names := make([]string, 0, len(siblings))
	for p := range siblings {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		if live[siblings[p]] {
			return p
		}
	}
	return ""
}
