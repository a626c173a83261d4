package main

// The region of a command that gets credentials: --region, else what the
// SDKs read (AWS_REGION, AWS_DEFAULT_REGION, the profile's region key),
// else the region of the profiles the chain is made of, from the last hop
// down to the base's source profile: a role profile often names only
// role_arn and source_profile, and its source profile the region.

import (
	"os"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/sharedini"
)

// regionEnv is the variable that every SDK reads the region from first;
// the Go SDK reads it in LoadConfig, which xacct.LoadConfig calls.
const regionEnv = "AWS_REGION"

// setRegion sets the region of this process for LoadConfig (and so for
// exec's child, env's output and the STS calls): given (--region) when
// set, else the first region found along the chain when the SDK would
// find none. It returns where the region came from, for messages; "" when
// it changed nothing.
func setRegion(given string, plan *xacct.ProfilePlan) string {
	if given != "" {
		os.Setenv(regionEnv, given)
		return "--region"
	}
	if plan.Region != "" || os.Getenv(regionEnv) != "" || os.Getenv("AWS_DEFAULT_REGION") != "" {
		return ""
	}
	idx, _ := sharedini.ReadIndex(sharedini.Files{Config: plan.ConfigFiles, Credentials: plan.CredentialsFiles})
	if idx == nil {
		return ""
	}
	var profiles []string
	for i := len(plan.Hops) - 1; i >= 0; i-- {
		profiles = append(profiles, plan.Hops[i].Profile)
	}
	profiles = append(profiles, plan.Base.Profile)
	for _, p := range profiles {
		if r := idx.Value(p, "region"); r != "" {
			os.Setenv(regionEnv, r)
			return "profile " + p
		}
	}
	return ""
}
