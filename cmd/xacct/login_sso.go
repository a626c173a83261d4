package main

// xacct login for a profile whose chain starts at an IAM Identity Center
// session: sign in first (when the session has no valid token, or with
// --force), then fetch and store the chain as login does for every
// profile.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/awsprofile"
)

// ssoLoginFlags are login's flags for SSO profiles.
type ssoLoginFlags struct {
	deviceCode, force bool
}

func (f *ssoLoginFlags) add(fs *flag.FlagSet) {
	fs.BoolVar(&f.deviceCode, "device-code", false, "SSO profiles: sign in with the device code flow, for a machine "+
		"without a browser (open the URL shown anywhere and check the code)")
	fs.BoolVar(&f.force, "force", false, "SSO profiles: sign in even when the session has a valid token")
}

// ssoSignIn takes login's PROFILE argument (the same as --profile) and,
// when the profile's chain starts at an SSO session, signs in. done is
// true when login must end with code.
func (r *credentialRun) ssoSignIn(ctx context.Context, fs *flag.FlagSet, f *ssoLoginFlags) (code int, done bool) {
	if fs.NArg() > 0 {
		// PROFILE, then maybe flags after it (the flag package stops at it).
		arg := fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return exitConfig, true
		}
		switch {
		case fs.NArg() > 0:
			return r.fail(ctx, failf(exitConfig, "", "unexpected argument %q: login takes one PROFILE", fs.Arg(0))), true
		case r.flags.profile != "" && r.flags.profile != arg:
			return r.fail(ctx, failf(exitConfig, "", "PROFILE %q and --profile %q differ: give one", arg, r.flags.profile)), true
		}
		r.flags.profile = arg
	}
	plan, err := xacct.PlanProfile(ctx, r.flags.profile)
	if err != nil {
		return r.fail(ctx, &exitError{code: exitConfig, err: err}), true
	}
	if plan.Base.Kind != awsprofile.KindSSO {
		if f.deviceCode || f.force {
			return r.fail(ctx, failf(exitConfig, "", "--device-code and --force are for profiles whose chain starts at "+
				"an SSO session; profile %s starts at %s", plan.Profile, plan.Base.Kind)), true
		}
		return 0, false
	}
	err = xacct.LoginSSO(ctx, plan.Profile, func(o *xacct.SSOLoginOptions) {
		o.DeviceCode, o.Force, o.StoreDir = f.deviceCode, f.force, r.flags.cacheDir
		o.OpenURL = func(ctx context.Context, url, userCode string) error {
			return showSignIn(ctx, r.stderr, url, userCode)
		}
	})
	if err != nil {
		return r.fail(ctx, &exitError{code: exitCredentials, err: err, hint: "sign in again: xacct login " + plan.Profile}), true
	}
	return 0, false
}

// showSignIn prints where to sign in on stderr and, in the browser flow,
// opens it: with $BROWSER when set (as Python's webbrowser and the AWS
// CLI do), else the system's opener; a browser that cannot start leaves
// the printed URL.
func showSignIn(ctx context.Context, stderr io.Writer, url, userCode string) error {
	if userCode != "" {
		fmt.Fprintf(stderr, "xacct: sign in at %s\nxacct: the page must show the code %s\n", url, userCode)
		return nil
	}
	fmt.Fprintf(stderr, "xacct: sign in at %s\n", url)
	var cmd *exec.Cmd
	switch b := os.Getenv("BROWSER"); {
	case b != "":
		cmd = exec.CommandContext(ctx, b, url)
	case runtime.GOOS == "darwin":
		cmd = exec.CommandContext(ctx, "open", url)
	case runtime.GOOS == "windows":
		cmd = exec.CommandContext(ctx, "rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.CommandContext(ctx, "xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "xacct: no browser could be opened (%v): open the URL yourself, or use --device-code\n", err)
		return nil
	}
	go cmd.Wait()
	return nil
}
