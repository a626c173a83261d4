package main

// What explain shows of an SSO base's sign-in: the session, and whether a
// token is cached and until when, read from the token cache file (never
// its text), with no network call.

import (
	"context"
	"fmt"
	"time"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/awsprofile"
	"github.com/xacct/xacct/internal/ssocache"
	"github.com/xacct/xacct/internal/ssologin"
)

// ssoTokenLines describes the sign-in of p's SSO base at now: the session,
// start URL and region, and the cached token's state. None for a base of
// another kind.
func ssoTokenLines(ctx context.Context, p *xacct.ProfilePlan, now time.Time) []string {
	if p.Base.Kind != awsprofile.KindSSO {
		return nil
	}
	base, err := ssologin.ReadBase(ctx, p.Base.Profile, p.ConfigFiles, p.CredentialsFiles)
	if err != nil {
		return []string{"sign-in: " + err.Error()}
	}
	s := base.Session
	name := "sso-session " + s.Name
	if s.Name == "" {
		name = "legacy sso_start_url (no sso-session)"
	}
	lines := []string{fmt.Sprintf("sign-in: %s, start URL %s, region %s", name, s.StartURL, s.Region)}
	dir, err := ssocache.DefaultDir()
	if err != nil {
		return append(lines, "token:   "+err.Error())
	}
	return append(lines, "token:   "+tokenState(ssocache.Path(dir, s.Key()), p.Profile, now))
}

// tokenState says whether the token file at path holds a token, and until
// when it serves, in a clause without secrets.
func tokenState(path, profile string, now time.Time) string {
	t, err := ssocache.Load(path)
	signIn := "; sign in: xacct login " + profile
	switch {
	case err != nil:
		return fmt.Sprintf("none cached in %s%s", path, signIn)
	case t.ValidFor(now, 0):
		left := t.ExpiresAt.Sub(now).Truncate(time.Minute)
		return fmt.Sprintf("cached in %s, valid until %s (%v left; refreshed %v before)%s", path,
			t.ExpiresAt.UTC().Format(time.RFC3339), left, ssocache.RefreshWindow, refreshable(t, now))
	case t.CanRefresh(now):
		return fmt.Sprintf("cached in %s, expired at %s; the next use refreshes it%s", path,
			t.ExpiresAt.UTC().Format(time.RFC3339), refreshable(t, now))
	}
	return fmt.Sprintf("cached in %s, expired at %s and cannot be refreshed%s", path, t.ExpiresAt.UTC().Format(time.RFC3339), signIn)
}

// refreshable says until when a token's client registration lets it be
// refreshed.
func refreshable(t *ssocache.Token, now time.Time) string {
	switch {
	case !t.CanRefresh(now):
		return "; no refresh after it (no refresh token, or the registration expired)"
	case t.RegistrationExpiresAt.IsZero():
		return ""
	}
	return "; refreshable while the sign-in lasts, and the client registration until " +
		t.RegistrationExpiresAt.UTC().Format(time.RFC3339)
}
