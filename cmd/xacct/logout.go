package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/awsprofile"
	"github.com/xacct/xacct/internal/ssocache"
	"github.com/xacct/xacct/internal/ssologin"
)

func init() {
	register(command{
		name:    "logout",
		summary: "sign out of a profile's IAM Identity Center session: xacct logout PROFILE",
		run:     runLogout,
	})
}

const logoutUsage = `usage: xacct logout [--profile P | PROFILE] [--cache-dir D]

Signs out of the IAM Identity Center session that profile P's chain starts
at: calls the portal's Logout (which ends the sign-in for every tool),
removes the session's token from ~/.aws/sso/cache (under the session's
lock), and removes the store's entries derived from the session: of every
profile of the shared files whose chain starts at it, the role credentials
of the portal (keyed by the token) and the sessions of the hops on them,
as found with the token cached before the sign-out. Entries made with an
earlier token of the session cannot be told (their keys need that token):
nobody finds them any more, and they expire with their sessions.

Exit status: 0 success; 2 bad usage or configuration (a profile that is
not SSO); 1 the token or the store could not be removed.

`

func runLogout(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const name = "xacct logout"
	var f profileFlags
	fset := newFlagSet(name, stderr, logoutUsage)
	f.addProfile(fset)
	f.addCacheDir(fset)
	if code, done := parseFlags(fset, args); done {
		return code
	}
	if fset.NArg() > 0 {
		arg := fset.Arg(0)
		if code, done := parseFlags(fset, fset.Args()[1:]); done {
			return code
		}
		if fset.NArg() > 0 || (f.profile != "" && f.profile != arg) {
			report(stderr, name, failf(exitConfig, "", "give one PROFILE, or --profile"))
			return exitConfig
		}
		f.profile = arg
	}
	base, err := ssoBase(ctx, f.profile)
	if err != nil {
		report(stderr, name, err)
		return exitCodeOf(ctx, err, nil)
	}
	store, err := xacct.NewFileStore(f.cacheDir)
	if err != nil {
		report(stderr, name, storeUnavailable(err))
		return exitConfig
	}
	// The keys first: they are made of the token that the sign-out removes.
	keys := sessionKeys(ctx, base, store)
	said, err := signOut(ctx, base, store.Dir())
	if err != nil {
		report(stderr, name, err)
		return exitFailure
	}
	fmt.Fprintln(stdout, said)
	n, err := removeKeys(ctx, store.Delete, keys, func(k string) bool {
		sc, err := store.Load(ctx, k)
		return err == nil && sc != nil // else not there (or not ours to read)
	})
	if err != nil {
		report(stderr, name, err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "removed %d %s derived from %s from %s\n", n, plural(n, "entry", "entries"), base.Session.Key(), store.Dir())
	return 0
}

// sessionKeys returns the store keys derived from base's session now: of
// every profile of the shared files whose chain starts at it, the keys of
// its chain (the portal's role credentials, keyed by the session's token
// as cached now, and the hops on them). Finding them makes no network
// call but a refresh of a token that is due one. A profile whose keys
// cannot be found (no token cached) has none.
func sessionKeys(ctx context.Context, base *ssologin.Base, store *xacct.FileStore) []string {
	var keys []string
	for _, name := range profileNames("") {
		plan, err := xacct.PlanProfile(ctx, name)
		if err != nil || plan.Base.Kind != awsprofile.KindSSO {
			continue
		}
		if b, err := ssologin.ReadBase(ctx, plan.Base.Profile, plan.ConfigFiles, plan.CredentialsFiles); err != nil ||
			b.Session.Key() != base.Session.Key() {
			continue // another session's
		}
		cfg, err := xacct.LoadConfig(ctx, name, func(o *xacct.Options) { o.Store = store })
		if err != nil {
			continue
		}
		if ks, err := cfg.Credentials.(*xacct.Cache).StoreKeys(ctx); err == nil {
			for _, k := range ks {
				if !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
			}
		}
	}
	return keys
}

// ssoBase returns the SSO base of profile's chain, or an error saying the
// chain does not start at one.
func ssoBase(ctx context.Context, profile string) (*ssologin.Base, error) {
	plan, err := xacct.PlanProfile(ctx, profile)
	if err != nil {
		return nil, &exitError{code: exitConfig, err: err}
	}
	if plan.Base.Kind != awsprofile.KindSSO {
		return nil, failf(exitConfig, "", "profile %s starts at %s, not an IAM Identity Center session: "+
			"there is no sign-in to end (xacct cache clear --profile %s removes its stored credentials)",
			plan.Profile, plan.Base.Kind, plan.Profile)
	}
	base, err := ssologin.ReadBase(ctx, plan.Base.Profile, plan.ConfigFiles, plan.CredentialsFiles)
	if err != nil {
		return nil, &exitError{code: exitConfig, err: err}
	}
	return base, nil
}

// signOut calls Logout with the session's token, if one is cached, and
// removes the file under the session's lock. A portal that cannot be
// reached does not keep the token on disk: the file goes anyway.
func signOut(ctx context.Context, base *ssologin.Base, storeDir string) (string, error) {
	clients, err := base.NewClients(ctx, "", nil)
	if err != nil {
		return "", err
	}
	tokens, err := ssologin.NewCache("", storeDir, clients.OIDC, nil)
	if err != nil {
		return "", err
	}
	unlock, err := tokens.Lock(ctx, base.Session)
	if err != nil {
		return "", err
	}
	defer unlock()
	t, err := tokens.Load(base.Session)
	if errors.Is(err, fs.ErrNotExist) {
		return "no token was cached for " + base.Session.Key() + ": signed out already", nil
	}
	said := "signed out of " + base.Session.Key()
	if err == nil {
		if _, err := clients.Portal.Logout(ctx, &sso.LogoutInput{AccessToken: aws.String(t.AccessToken)}); err != nil {
			said += fmt.Sprintf(" (the portal's Logout failed: %s; the token is removed here)", errorCode(err))
		}
	}
	if err := ssocache.Remove(tokens.Path(base.Session)); err != nil {
		return "", err
	}
	return said + "; token removed from " + tokens.Path(base.Session), nil
}
