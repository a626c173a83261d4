package xacct

// The SDK's refusals of a profile, told by profile, key and file. The SDK's
// errors say what failed but not always where: a source_profile cycle
// comes out as "source profile X has no credentials", two credential kinds
// in one profile name neither the profile nor the keys. The index of the
// files (profile_locate.go) finds them.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/xacct/xacct/internal/trunc"
)

// credentialKinds are the keys of which a profile may have one at most.
var credentialKinds = []string{"source_profile", "credential_source", "credential_process", "web_identity_token_file"}

// diagnose turns an error of config.LoadSharedConfigProfile for profile
// top into a ProfileError.
func (x *profileIndex) diagnose(top string, files profileFiles, env config.EnvConfig, err error) error {
	var (
		assume   config.SharedConfigAssumeRoleError
		notExist config.SharedConfigProfileNotExistError
		needARN  config.CredentialRequiresARNError
		load     config.SharedConfigLoadError
	)
	path, cycle := x.sourcePath(top)
	switch {
	case errors.As(err, &assume):
		holder := x.sourceHolder(path, assume.Profile)
		if errors.As(assume.Err, &notExist) {
			return x.profileErr(holder, "source_profile", fmt.Errorf("names profile %s, which is not in %s",
				assume.Profile, files.describe()), x.knownProfiles())
		}
		if cycle {
			return x.cycleErr(path)
		}
		return x.profileErr(holder, "source_profile", fmt.Errorf("names profile %s, which has no credentials: "+
			"a source profile needs keys, credential_process, credential_source, web_identity_token_file, SSO, "+
			"or a source_profile of its own", assume.Profile), "")
	case errors.As(err, &notExist):
		hint := x.knownProfiles()
		if env.Credentials.HasKeys() {
			hint += "; AWS_ACCESS_KEY_ID is set, and a program that names no profile (no argument, " +
				"no AWS_PROFILE) uses it, as the SDKs do; a named profile takes it through credential_source = Environment"
		}
		return &ProfileError{Profile: top, Err: fmt.Errorf("is not in %s: a profile is [profile NAME] "+
			"(or [default]) in a config file, or [NAME] in a credentials file", files.describe()), Hint: hint}
	case errors.As(err, &needARN):
		return x.profileErr(needARN.Profile, needARN.Type, fmt.Errorf("is set, but role_arn is not: "+
			"%s says which credentials assume role_arn, and there is no role_arn to assume", needARN.Type),
			"add role_arn, or remove "+needARN.Type)
	case errors.As(err, &load):
		return &ProfileError{Profile: top, File: load.Filename, Err: fmt.Errorf("the file cannot be read as an "+
			"AWS shared config file: %w", load.Err)}
	}
	msg := err.Error()
	for _, p := range path {
		switch {
		case strings.Contains(msg, "only one credential type"):
			if keys := x.present(p, credentialKinds); len(keys) > 1 {
				return x.profileErr(p, keys[1], fmt.Errorf("is set together with %s: a profile takes one "+
					"source of credentials, of %s", keys[0], strings.Join(credentialKinds, ", ")), "")
			}
		case strings.Contains(msg, "failed to find SSO session section"):
			if name := x.value(p, "sso_session"); name != "" && x.sessions[name] == nil {
				return x.profileErr(p, "sso_session", fmt.Errorf("names [sso-session %s], which is not in %s",
					name, strings.Join(files.config, ", ")), "")
			}
		case strings.Contains(msg, "partial credentials"):
			if keys := x.present(p, []string{"aws_access_key_id", "aws_secret_access_key"}); len(keys) == 1 {
				return x.profileErr(p, keys[0], errors.New("is set without its pair: aws_access_key_id "+
					"and aws_secret_access_key go together"), "")
			}
		}
	}
	return &ProfileError{Profile: top, Err: fmt.Errorf("the AWS SDK cannot load it: %w", err)}
}

// cycleErr says which source_profile links close a cycle.
func (x *profileIndex) cycleErr(path []string) error {
	closer := path[len(path)-2]
	loop := strings.Join(path, " → ")
	if len(path) == 2 {
		return x.profileErr(closer, "source_profile", fmt.Errorf("names the profile itself, which works only "+
			"when it has keys of its own (aws_access_key_id, aws_secret_access_key) to assume role_arn with, "+
			"and it has none"), "")
	}
	return x.profileErr(closer, "source_profile", fmt.Errorf("closes a cycle: %s; "+
		"source_profile links must end at a profile with credentials", loop), "")
}

// sourcePath follows source_profile from top as written in the files, and
// reports whether it comes back to a profile it passed (the last element
// is then that profile again). A profile that is its own source and has
// keys ends the path, as in the SDK.
func (x *profileIndex) sourcePath(top string) (path []string, cycle bool) {
	seen := map[string]bool{}
	for p := top; p != ""; p = x.value(p, "source_profile") {
		path = append(path, p)
		if seen[p] {
			self := len(path) >= 2 && path[len(path)-2] == p
			return path, !(self && x.has(p, "aws_access_key_id"))
		}
		seen[p] = true
		if !x.has(p, "role_arn") || x.profiles[p] == nil || (len(path) > 1 && x.has(p, "aws_access_key_id")) {
			break // the SDK stops at a profile with keys, but the one asked for
		}
	}
	return path, false
}

// sourceHolder returns the profile of the path whose source_profile is
// source: the one to blame for a bad link.
func (x *profileIndex) sourceHolder(path []string, source string) string {
	for _, p := range path {
		if x.value(p, "source_profile") == source {
			return p
		}
	}
	return path[0]
}

// present returns the keys of the list that profile sets, in list order.
func (x *profileIndex) present(profile string, keys []string) []string {
	var out []string
	for _, k := range keys {
		if x.has(profile, k) {
			out = append(out, k)
		}
	}
	return out
}

// maxHintNames is how many profile names a hint lists: enough to spot a
// typo in a hand-written config, while a generated one of 5,000 profiles
// still makes a line a person reads ("…and 4,980 more").
const maxHintNames = 20

// knownProfiles is a hint listing the profiles of the files: the first
// maxHintNames in order, each cut to trunc.Max bytes, and a count of the rest.
func (x *profileIndex) knownProfiles() string {
	names := x.names()
	if len(names) == 0 {
		return "the files define no profile"
	}
	n := min(len(names), maxHintNames)
	shown := make([]string, 0, n+1)
	for _, name := range names[:n] {
		shown = append(shown, trunc.String(name))
	}
	if len(names) > n {
		shown = append(shown, "…and "+thousands(len(names)-n)+" more")
	}
	return "the profiles there: " + strings.Join(shown, ", ")
}

// thousands formats n ≥ 0 with commas between groups of three digits: 4,980.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// describe names the files for messages.
func (f profileFiles) describe() string {
	return strings.Join(append(append([]string(nil), f.config...), f.credentials...), " or ")
}
