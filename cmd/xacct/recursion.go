package main

// A credential_process that calls xacct for the profile being resolved
// (the profile's own base, or a source profile's, is `xacct
// credential-process` of the same profile) would start xacct again and
// again, each waiting for the next, until the SDK's timeout. xacct
// carries the profiles its processes are resolving in the environment of
// the processes it starts (the chain's credential_process, the token
// command), and refuses a profile already there.
//
// A credential_process that scrubs its environment (env -i) gets past that
// guard. On Linux xacct also counts the xacct processes above it in the
// process tree, and refuses to go deeper than maxNesting: a loop then ends
// within a fraction of a second, instead of growing until a timeout, by
// some sixty processes a second.

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
)

// recursionVar holds the profiles being resolved by xacct processes up
// the process tree, comma-separated, each escaped as in a URL query.
const recursionVar = "XACCT_CREDENTIAL_PROCESS_PROFILES"

// maxNesting is how many xacct processes may run above one (each started
// through a credential_process or --token-command of the one above): a
// real chain of profiles that each call xacct for the next is a few deep;
// a loop reaches 8 within half a second.
const maxNesting = 8

// enterProfile records, in this process's environment (which
// credential_process and --token-command inherit), that it resolves
// profile; it fails when a process up the tree resolves it already, or
// when the tree holds maxNesting xacct processes above this one.
// Commands call it once, in their own process: never from a test's.
func enterProfile(profile string) error {
	if n := xacctAncestors(); n >= maxNesting {
		return failf(exitConfig, fmt.Sprintf("check credential_process in the profiles of the chain "+
			"(xacct explain --profile %s): one calls xacct in a loop, with an environment that drops %s (env -i, say)",
			profile, recursionVar),
			"%d xacct processes run above this one, each started by the one above it through a credential_process "+
				"or --token-command: a loop, which would not end", n)
	}
	outer := resolvingProfiles(os.Getenv(recursionVar))
	if slices.Contains(outer, profile) {
		return failf(exitConfig, fmt.Sprintf("check credential_process in the profiles of the chain "+
			"(xacct explain --profile %s): none may call xacct for %s itself", profile, profile),
			"profile %s is already being resolved by an xacct process that started this one (%s=%s): "+
				"a credential_process or --token-command of its chain calls xacct for the same profile, "+
				"which would never end", profile, recursionVar, strings.Join(outer, ","))
	}
	var parts []string
	for _, p := range append(outer, profile) {
		parts = append(parts, url.QueryEscape(p))
	}
	return os.Setenv(recursionVar, strings.Join(parts, ","))
}

// resolvingProfiles parses the value of recursionVar; parts that do not
// unescape are kept as they are.
func resolvingProfiles(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p == "" {
			continue
		}
		if u, err := url.QueryUnescape(p); err == nil {
			p = u
		}
		out = append(out, p)
	}
	return out
}
