package main

// A profile that wraps xacct: credential_process = xacct
// credential-process --profile X. login, exec, env, explain and cache act
// on X itself, and say so: storing "the chain" of the wrapper would keep
// nothing (its credentials come from a process), and its store entries
// are X's.

import (
	"context"
	"fmt"
	"io"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/awsprofile"
)

// maxWrapDepth bounds how many wrappers of wrappers are followed: a
// recursion among them is credential-process's to refuse, with its
// message, when it runs.
const maxWrapDepth = 8

// wrappedTarget is what a wrapper's xacct credential-process acts on.
type wrappedTarget struct {
	profile  string // X
	cacheDir string // its --cache-dir; "" for the default
}

// seeThrough returns the profile that profile's credential_process
// resolves with xacct credential-process, followed through wrappers of
// wrappers; ok false when profile wraps no xacct. A wrapper whose command
// cannot be read as xacct's is no wrapper: it runs as it is.
func seeThrough(ctx context.Context, profile string) (t wrappedTarget, ok bool) {
	t.profile = profile
	for range maxWrapDepth {
		plan, err := xacct.PlanProfile(ctx, t.profile)
		if err != nil || plan.Base.Kind != awsprofile.KindProcess || len(plan.Hops) > 0 {
			return t, ok
		}
		next, isXacct := wrappedArgs(plan.Base.Command)
		if !isXacct || next.profile == "" || next.profile == t.profile {
			return t, ok
		}
		if next.cacheDir == "" {
			next.cacheDir = t.cacheDir
		}
		t, ok = next, true
	}
	return t, ok
}

// wrappedArgs reads the --profile and --cache-dir of a command line that
// runs xacct credential-process, as credential-process reads them.
func wrappedArgs(command string) (wrappedTarget, bool) {
	words, err := splitCommand(command)
	if err != nil || len(words) < 2 || !isXacct(words[0]) || words[1] != "credential-process" {
		return wrappedTarget{}, false
	}
	d, ok := describeCommand(commands["credential-process"])
	if !ok {
		return wrappedTarget{}, false
	}
	if _, err := parseArgs(d.fs, d.rule, words[2:]); err != nil {
		return wrappedTarget{}, false
	}
	return wrappedTarget{profile: d.fs.Lookup("profile").Value.String(), cacheDir: d.fs.Lookup("cache-dir").Value.String()}, true
}

// followWrapper makes f act on the profile that f.profile wraps, saying
// so on w (as cmd's one line); nothing when it wraps no xacct.
func followWrapper(ctx context.Context, w io.Writer, cmd string, f *profileFlags) {
	t, ok := seeThrough(ctx, f.profile)
	if !ok {
		return
	}
	fmt.Fprintf(w, "%s: profile %s runs xacct credential-process for profile %s: acting on %s\n",
		cmd, displayProfile(f.profile), t.profile, t.profile)
	f.profile = t.profile
	if f.cacheDir == "" && !f.noCache {
		f.cacheDir = t.cacheDir
	}
}

// displayProfile names the profile a user meant with "" (AWS_PROFILE, or
// default).
func displayProfile(p string) string {
	if p == "" {
		return "(AWS_PROFILE, else default)"
	}
	return p
}
