package sharedini

// Copies of the shared files without a profile's credentials: what a
// child of a credential endpoint reads, so that a [default] that yields
// credentials (keys, a role, a process, SSO) cannot beat the endpoint.
// Every AWS SDK and the AWS CLI look at the default profile before the
// container endpoint; without its credential keys they go on to it.

import (
	"bufio"
	"bytes"
	"slices"
	"strings"
)

// CredentialKeys are the keys through which a profile yields credentials
// (or a step towards them) in the SDKs: keys, an assumed role, a
// credential process, a web identity, SSO, and what qualifies those.
// Everything else (region, output, endpoints, retries) is configuration.
var CredentialKeys = []string{
	"aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_security_token",
	"aws_account_id", "aws_credential_expiration",
	"role_arn", "source_profile", "credential_source", "credential_process",
	"web_identity_token_file", "role_session_name", "external_id", "mfa_serial", "duration_seconds",
	"sso_session", "sso_start_url", "sso_region", "sso_account_id", "sso_role_name", "sso_registration_scopes",
	"login_session",
}

// WithoutCredentials returns text (a config file when isConfig, else a
// credentials file) without the CredentialKeys of profile's sections, and
// reports whether it dropped any. A section of profile is [profile NAME]
// in a config file (and [NAME] for default), [NAME] in a credentials
// file, as the SDK reads them. A dropped key's sub-properties (the
// indented lines after it) go with it; every other line is kept as it is.
func WithoutCredentials(text []byte, isConfig bool, profile string) (out []byte, dropped bool) {
	var b bytes.Buffer
	in, dropping := false, false
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), MaxFileSize+1)
	for sc.Scan() {
		line := sc.Text()
		if typ, name, ok := sectionHeader(line); ok {
			in = name == profile && ((isConfig && (typ == "profile" || (typ == "" && name == "default"))) ||
				(!isConfig && typ == ""))
			dropping = false
		} else if dropping && line != "" && (line[0] == ' ' || line[0] == '\t') {
			continue // a sub-property of a dropped key
		} else if k, _, ok := keyValue(line); ok && in && line[0] != ' ' && line[0] != '\t' {
			if dropping = slices.Contains(CredentialKeys, k); dropping {
				dropped = true
				continue
			}
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.Bytes(), dropped
}

// ShadowingKeys returns the CredentialKeys that profile's sections of
// text set ("" when none), sorted and comma-separated, for a warning.
func ShadowingKeys(text []byte, isConfig bool, profile string) string {
	var keys []string
	in := false
	for _, line := range strings.Split(string(text), "\n") {
		if typ, name, ok := sectionHeader(line); ok {
			in = name == profile && ((isConfig && (typ == "profile" || (typ == "" && name == "default"))) ||
				(!isConfig && typ == ""))
			continue
		}
		if k, _, ok := keyValue(line); ok && in && line[0] != ' ' && line[0] != '\t' && slices.Contains(CredentialKeys, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return strings.Join(slices.Compact(keys), ", ")
}
