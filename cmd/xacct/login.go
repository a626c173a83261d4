package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/xacct/xacct"
)

func init() {
	register(command{
		name:    "login",
		summary: "fetch a profile's credentials now, asking for the MFA code, for the processes after: --profile P",
		run:     runLogin,
	})
}

const loginUsage = `usage: xacct login [PROFILE | --profile P] [--cache-dir D] [--token-command CMD] [--region R]
                   [--duration DUR] [--device-code] [--force]

Fetches the credentials of profile P's chain into the credential store,
asking for an MFA code on the terminal if the chain needs one, and says
until when they are kept. Run it in a terminal before the programs that
cannot ask (an IDE, terraform, a script under credential_process): until
the MFA session (or the MFA hop's session) expires, xacct gets their
credentials without a code. Entries that are still valid are kept: for a
new MFA session now, run 'xacct cache clear --profile P' first. With
--duration, the last hop's session has that length, and is kept apart from
sessions of other lengths: the commands given the same --duration use it.

A profile whose chain starts at an IAM Identity Center session (sso_session,
or sso_start_url) is signed in first when the session has no valid token
(or with --force): in the browser (the URL is printed, and opened with
$BROWSER or the system's opener), or with --device-code on a machine
without one. The token is cached in ~/.aws/sso/cache as AWS CLI v2 writes
it, so the CLI and every SDK use it too.

Exit status: 0 success; 2 bad usage or configuration, or no store
directory that login can use (it names the directory and why); 3 STS
refused or failed; 4 no MFA code could be had (no terminal and no
--token-command); 5 another xacct process kept refreshing the credentials
too long.

`

func runLogin(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	r := &credentialRun{name: "xacct login", stderr: stderr, needsStore: true, seeThrough: true}
	// The processes after login get what it stored: as credential-process
	// would have them, with the time botocore needs.
	r.flags.minRemaining = defaultMinRemaining
	var sso ssoLoginFlags // login_sso.go
	fs, code, done := r.parse(ctx, args, flagSpec{usage: loginUsage, own: sso.add, positional: true,
		shared: []func(*profileFlags, *flag.FlagSet){
			(*profileFlags).addProfile, (*profileFlags).addCacheDir, (*profileFlags).addTokenCommand, (*profileFlags).addRegion,
			(*profileFlags).addDuration,
		}})
	if done {
		return code
	}
	if code, done := r.ssoSignIn(ctx, fs, &sso); done {
		return code
	}
	if _, err := r.get(ctx); err != nil {
		return r.fail(ctx, err)
	}
	keys, err := r.cache.StoreKeys(ctx)
	if err != nil {
		return r.fail(ctx, err)
	}
	if len(keys) == 0 {
		fmt.Fprintf(stderr, "%s: profile %s: nothing to keep in the store: its credentials (%s) are no STS "+
			"session, and come from their own source each time\n", r.name, r.plan.Profile, r.plan.Base.Kind)
		return 0
	}
	names := chainNames(r.plan, keys)
	slices.Reverse(keys) // from the base up, as the chain is built
	fmt.Fprintf(stdout, "profile %s: kept in %s\n", r.plan.Profile, r.store.Dir())
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	var mfaUntil time.Time
	for _, k := range keys {
		sc, err := r.store.Load(ctx, k)
		name := names[k]
		if name == "" {
			name = unnamedEntry(k, sc)
		}
		if err != nil || sc == nil {
			fmt.Fprintf(tw, "  %s\tnot stored: %v\n", name, errOrMissing(err))
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\n", name, expiryText(sc.Credentials.CanExpire, sc.Credentials.Expires, time.Now()))
		if sc.Kind == kindMFASession || isMFAHop(r, sc.Name) {
			mfaUntil = sc.Credentials.Expires
		}
	}
	tw.Flush()
	switch {
	case firstSerial(r.plan) == "":
		fmt.Fprintln(stdout, "The chain needs no MFA code: processes refresh it without anyone.")
	case !mfaUntil.IsZero():
		fmt.Fprintf(stdout, "Until %s, xacct processes get this chain's credentials without an MFA code.\n",
			mfaUntil.Local().Format("2006-01-02 15:04 MST"))
	}
	return 0
}

// kindMFASession is StoredCredentials.Kind of an MFA session, as its
// godoc lists the kinds (cache list shows them as they are).
const kindMFASession = "mfa-session"

// isMFAHop reports whether the role is a hop of r's chain with an MFA
// device of its own.
func isMFAHop(r *credentialRun, roleARN string) bool {
	for _, h := range r.plan.Hops {
		if h.RoleARN == roleARN && h.MFASerial != "" {
			return true
		}
	}
	return false
}

// unnamedEntry names a store entry of a chain that chainNames could not
// name: by what the entry says it is, else by its key, as cache list
// shows it.
func unnamedEntry(key string, sc *xacct.StoredCredentials) string {
	if sc != nil && sc.Kind != "" {
		return sc.Kind + " " + sc.Name
	}
	return "entry " + key[:min(12, len(key))]
}

func errOrMissing(err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("the store has no readable entry")
}

// expiryText says when credentials expire, and how long that is from now.
func expiryText(canExpire bool, expires, now time.Time) string {
	switch {
	case !canExpire:
		return "never expires"
	case !expires.After(now):
		return fmt.Sprintf("expired %s (%s ago)", expires.UTC().Format(time.RFC3339), humanDuration(now.Sub(expires)))
	}
	return fmt.Sprintf("expires %s (in %s)", expires.UTC().Format(time.RFC3339), humanDuration(expires.Sub(now)))
}

// humanDuration writes d for people: "11h58m", "58m", "45s".
func humanDuration(d time.Duration) string {
	if d < time.Minute {
		return d.Round(time.Second).String()
	}
	s := strings.TrimSuffix(d.Round(time.Minute).String(), "0s") // "11h58m0s", "2h0m0s"
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
