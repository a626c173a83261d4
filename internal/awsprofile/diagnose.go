package awsprofile

// The SDK's refusals of a profile, told by profile, key and file. The SDK's
// errors say what failed but not always where: a source_profile cycle
// comes out as "source profile X has no credentials", two credential kinds
// in one profile name neither the profile nor the keys. The index of the
// files (internal/sharedini) finds them; where the SDK's error has no type,
// the index alone says what is wrong, never the error's text.

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/xacct/xacct/internal/sharedini"
)

// credentialKinds are the keys of which a profile may have one at most.
var credentialKinds = []string{"source_profile", "credential_source", "credential_process", "web_identity_token_file"}

// diagnose turns an error of config.LoadSharedConfigProfile for profile
// top into an *Error.
func (x *index) diagnose(top string, files sharedini.Files, env config.EnvConfig, err error) error {
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
			return x.err(holder, "source_profile", fmt.Errorf("names profile %s, which is not in %s",
				assume.Profile, files.Describe()), x.KnownProfiles())
		}
		if cycle {
			return x.cycleErr(path)
		}
		return x.err(holder, "source_profile", fmt.Errorf("names profile %s, which has no credentials: "+
			"a source profile needs keys, credential_process, credential_source, web_identity_token_file, SSO, "+
			"or a source_profile of its own", assume.Profile), "")
	case errors.As(err, &notExist):
		hint := x.KnownProfiles()
		if env.Credentials.HasKeys() {
			hint += "; AWS_ACCESS_KEY_ID is set, and a program that names no profile (no argument, " +
				"no AWS_PROFILE) uses it, as the SDKs do; a named profile takes it through credential_source = Environment"
		}
		return &Error{Profile: top, Err: fmt.Errorf("is not in %s: a profile is [profile NAME] "+
			"(or [default]) in a config file, or [NAME] in a credentials file", files.Describe()), Hint: hint}
	case errors.As(err, &needARN):
		return x.err(needARN.Profile, needARN.Type, fmt.Errorf("is set, but role_arn is not: "+
			"%s says which credentials assume role_arn, and there is no role_arn to assume", needARN.Type),
			"add role_arn, or remove "+needARN.Type)
	case errors.As(err, &load):
		return &Error{Profile: top, File: load.Filename, Err: fmt.Errorf("the file cannot be read as an "+
			"AWS shared config file: %w", load.Err)}
	}
	if pe := x.refusal(path, files); pe != nil {
		return pe
	}
	return &Error{Profile: top, Err: fmt.Errorf("the AWS SDK cannot load it: %w", err)}
}

// refusal finds in the files the refusals that the SDK reports with an
// error of no type of its own (partial keys, two kinds of credentials, a
// missing sso-session), so that no decision depends on its wording. It
// looks in the order the SDK reads the chain's profiles: the keys of each
// on the way down the source_profile links, stopping at a source profile
// with keys, then the sso_session of each on the way back up.
func (x *index) refusal(path []string, files sharedini.Files) *Error {
	for i, p := range path {
		if keys := x.present(p, []string{"aws_access_key_id", "aws_secret_access_key"}); len(keys) == 1 {
			return x.err(p, keys[0], errors.New("is set without its pair: aws_access_key_id "+
				"and aws_secret_access_key go together"), "")
		}
		if i > 0 && x.Has(p, "aws_access_key_id") {
			path = path[:i] // the SDK takes a source profile's keys and reads no more of it
			break
		}
		if keys := x.present(p, credentialKinds); len(keys) > 1 {
			return x.err(p, keys[1], fmt.Errorf("is set together with %s: a profile takes one "+
				"source of credentials, of %s", keys[0], strings.Join(credentialKinds, ", ")), "")
		}
	}
	for _, p := range slices.Backward(path) {
		if name := x.Value(p, "sso_session"); name != "" && !x.HasSession(name) {
			return x.err(p, "sso_session", fmt.Errorf("names [sso-session %s], which is not in %s",
				name, strings.Join(files.Config, ", ")), "")
		}
	}
	return nil
}

// cycleErr says which source_profile links close a cycle.
func (x *index) cycleErr(path []string) error {
	closer := path[len(path)-2]
	loop := strings.Join(path, " → ")
	if len(path) == 2 {
		return x.err(closer, "source_profile", fmt.Errorf("names the profile itself, which works only "+
			"when it has keys of its own (aws_access_key_id, aws_secret_access_key) to assume role_arn with, "+
			"and it has none"), "")
	}
	return x.err(closer, "source_profile", fmt.Errorf("closes a cycle: %s; "+
		"source_profile links must end at a profile with credentials", loop), "")
}

// sourcePath follows source_profile from top as written in the files, and
// reports whether it comes back to a profile it passed (the last element
// is then that profile again). A profile that is its own source and has
// keys ends the path, as in the SDK.
func (x *index) sourcePath(top string) (path []string, cycle bool) {
	seen := map[string]bool{}
	for p := top; p != ""; p = x.Value(p, "source_profile") {
		path = append(path, p)
		if seen[p] {
			self := len(path) >= 2 && path[len(path)-2] == p
			return path, !(self && x.Has(p, "aws_access_key_id"))
		}
		seen[p] = true
		if !x.Has(p, "role_arn") || !x.HasProfile(p) || (len(path) > 1 && x.Has(p, "aws_access_key_id")) {
			break // the SDK stops at a profile with keys, but the one asked for
		}
	}
	return path, false
}

// sourceHolder returns the profile of the path whose source_profile is
// source: the one to blame for a bad link.
func (x *index) sourceHolder(path []string, source string) string {
	for _, p := range path {
		if x.Value(p, "source_profile") == source {
			return p
		}
	}
	return path[0]
}

// present returns the keys of the list that profile sets, in list order.
func (x *index) present(profile string, keys []string) []string {
	var out []string
	for _, k := range keys {
		if x.Has(profile, k) {
			out = append(out, k)
		}
	}
	return out
}
