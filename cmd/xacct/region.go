package main

// The region of a command that gets credentials: --region, else what the
// SDKs read (AWS_REGION, AWS_DEFAULT_REGION, the profile's region key),
// else the region of the profiles along the source_profile chain: a role
// profile often names only role_arn and source_profile, and its source
// profile the region.

import (
	"cmp"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/xacct/xacct/internal/sharedini"
)

// regionEnv is the variable that every SDK reads the region from first;
// the Go SDK reads it in LoadConfig, which xacct.LoadConfig calls.
const regionEnv = "AWS_REGION"

// setRegion sets the region of this process for LoadConfig (and so for
// exec's child, env's output and the STS calls): given (--region) when
// set, else, when the SDK would find none for profile (as named on the
// command line; "" for AWS_PROFILE, else default), the region of the
// first profile along its source_profile chain that has one. It returns
// where the region came from; "" when it changed nothing.
func setRegion(given, profile string) string {
	if given != "" {
		os.Setenv(regionEnv, given)
		return "--region"
	}
	if os.Getenv(regionEnv) != "" || os.Getenv("AWS_DEFAULT_REGION") != "" {
		return ""
	}
	env, err := config.NewEnvConfig()
	if err != nil {
		return ""
	}
	profile = cmp.Or(profile, env.SharedConfigProfile, os.Getenv("AWS_DEFAULT_PROFILE"), "default")
	idx, _ := sharedini.ReadIndex(sharedini.Find(nil, nil, env))
	if idx == nil || idx.Value(profile, "region") != "" {
		return ""
	}
	seen := map[string]bool{profile: true}
	for p := idx.Value(profile, "source_profile"); p != "" && !seen[p]; p = idx.Value(p, "source_profile") {
		seen[p] = true
		if r := idx.Value(p, "region"); r != "" {
			os.Setenv(regionEnv, r)
			return "profile " + p
		}
	}
	return ""
}
