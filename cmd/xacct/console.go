package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/xacct/xacct"
)

func init() {
	register(command{
		name:    "console",
		summary: "sign in to the AWS console as a profile: PROFILE [--destination URL|SERVICE] [--print]",
		run:     runConsole,
	})
}

const consoleUsage = `usage: xacct console PROFILE [--destination URL|SERVICE] [--print] [--session-duration DUR]
                     [--cache-dir D | --no-cache] [--token-command CMD]

Opens the AWS console in the browser, signed in with the credentials of
profile PROFILE (or --profile P; flags go before or after it), or prints
the sign-in URL with --print. The URL signs anyone in for 15 minutes: it
is never logged, and never put on a command line, which any local user
can read. The browser is given a one-time loopback URL instead, which
redirects once to the sign-in URL and then closes.

The profile's chain goes through the credential store, as for
credential-process. What the profile's credentials are decides the rules
of AWS's federation endpoint:

  a role session (one hop)       signs in; --session-duration 15m to 12h (default 1h)
  a chained role session         signs in; no --session-duration (AWS refuses it)
  an IAM user's keys             a GetFederationToken session first (the user's
                                 policy must allow sts:GetFederationToken)
  an MFA session (mfa_serial     refused: the console takes no GetSessionToken
  on keys, no role_arn)          session; use a role with mfa_serial

The browser is $BROWSER (a command; the URL is its last argument), else
xdg-open, open (macOS) or the Windows default. The federation endpoint is
the profile's partition's (signin.aws.amazon.com, signin.amazonaws-us-gov.com,
signin.amazonaws.cn), or XACCT_SIGNIN_ENDPOINT.

Exit status: 0 success; 1 the browser could not be started or did not
open the link within 2 minutes; 2 bad usage or configuration (an MFA
session among them); 3 STS or the federation endpoint refused or failed,
or the session cannot sign in as asked (--session-duration, --destination);
4 an MFA code was needed and none could be had; 130 interrupted.

`

func runConsole(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	r := &credentialRun{name: "xacct console", stderr: stderr, seeThrough: true}
	var dest string
	var print bool
	var duration time.Duration
	shared := []func(*profileFlags, *flag.FlagSet){
		(*profileFlags).addProfile, (*profileFlags).addCacheDir, (*profileFlags).addNoCache, (*profileFlags).addTokenCommand,
	}
	fs, code, done := r.parse(ctx, args, flagSpec{usage: consoleUsage, shared: shared, positional: true,
		own: func(fs *flag.FlagSet) {
			fs.StringVar(&dest, "destination", "", "where the console opens: an https URL of the console, or a service's "+
				"name such as s3 (default: the console home of the profile's region)")
			fs.BoolVar(&print, "print", false, "print the sign-in URL on stdout instead of opening the browser")
			fs.DurationVar(&duration, "session-duration", 0, "the console session's length (a one-hop role's, "+
				"or an IAM user's federation session): 15m to 12h (36h for a user's keys)")
		}})
	if done {
		return code
	}
	if err := unexpectedArgs(fs); err != nil {
		return r.fail(ctx, err)
	}
	if err := refuseMFASession(ctx, r.flags.profile); err != nil {
		return r.fail(ctx, err)
	}
	if _, err := r.get(ctx); err != nil {
		return r.fail(ctx, err)
	}
	login, err := xacct.ConsoleURL(ctx, r.cfg, func(o *xacct.ConsoleOptions) {
		o.Destination, o.SessionDuration = dest, duration
	})
	if err != nil {
		return r.fail(ctx, &exitError{code: exitCredentials, err: err})
	}
	if print {
		if _, err := fmt.Fprintln(stdout, login); err != nil {
			report(stderr, r.name, fmt.Errorf("writing the URL to stdout: %w", err))
			return exitFailure
		}
		return 0
	}
	if err := openOnce(ctx, login, browserCommand(), browserWait); err != nil {
		report(stderr, r.name, err)
		return exitCodeOf(ctx, err, &r.w)
	}
	return 0
}

// refuseMFASession refuses a profile whose chain ends in an MFA session
// before its code is asked for: the console refuses it.
func refuseMFASession(ctx context.Context, profile string) error {
	plan, err := xacct.PlanProfile(ctx, profile)
	if err != nil {
		return &exitError{code: exitConfig, err: err}
	}
	if len(plan.Hops) > 0 || plan.Base.MFASerial == "" {
		return nil
	}
	return failf(exitConfig, "add a profile with role_arn and mfa_serial, source_profile "+plan.Profile+", and sign in with it",
		"profile %s is an MFA session (GetSessionToken), which the console does not take; and signing in with the "+
			"user's keys (GetFederationToken) would drop the MFA the profile requires", plan.Profile)
}
