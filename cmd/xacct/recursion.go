package main

// A credential_process that calls xacct for the profile being resolved
// (the profile's own base, or a source profile's, is `xacct
// credential-process` of the same profile) would start xacct again and
// again, each waiting for the next, until the SDK's timeout. xacct
// carries the profiles its processes are resolving in the environment of
// the processes it starts (the chain's credential_process, the token
// command), and refuses a profile already there.

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

// enterProfile records, in this process's environment (which
// credential_process and --token-command inherit), that it resolves
// profile; it fails when a process up the tree resolves it already.
// Commands call it once, in their own process: never from a test's.
func enterProfile(profile string) error {
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
