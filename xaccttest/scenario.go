package xaccttest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/xacct/xacct/internal/totp"
	"github.com/xacct/xacct/internal/validate"
	"github.com/xacct/xacct/xaccttest/internal/policy"
)

// Scenario is the IAM world a Server serves: accounts with users (access
// keys, identity policies, an optional virtual MFA device) and roles (trust
// policy, permission policies, maximum session duration). It is plain data:
// write it as a Go literal or load it from JSON (LoadScenario); its JSON form
// is a contract shared with other tools.
//
//	{"accounts": {"111111111111": {"users": {"jenkins": {
//	    "access_key_id": "AKIAEXAMPLEJENKINS01", "secret_access_key": "any-string",
//	    "mfa_totp_secret": "JBSWY3DPEHPK3PXP",
//	    "policies": [{"Version": "2012-10-17", "Statement": [...]}]}}}}}
//
// Optional parts: per account, OIDC providers (AssumeRoleWithWebIdentity)
// and what AWS Organizations says of it (name, email, status, parent); at
// the top, an organization (ListAccounts and its kin) and a throttle:
//
//	{"organization": {"management_account": "111111111111", "root_id": "r-ab12",
//	    "units": {"ou-ab12-prod0001": {"name": "Prod"}}},
//	 "throttle": {"rate": 50, "burst": 50},
//	 "accounts": {"111111111111": {"name": "Management", "email": "aws@example.com"},
//	    "222222222222": {"name": "Prod 1", "parent": "ou-ab12-prod0001", "status": "ACTIVE", ...}}}
type Scenario struct {
	Accounts map[string]Account `json:"accounts"`
	// Organization makes every account of the server a member of one AWS
	// organization, answering the Organizations API (see Organization).
	Organization *Organization `json:"organization,omitempty"`
	// Throttle limits each caller account's request rate (see SetThrottle).
	Throttle *Throttle `json:"throttle,omitempty"`
	// IdentityCenter serves IAM Identity Center sign-ins and role
	// credentials for roles of the scenario (see IdentityCenter).
	IdentityCenter *IdentityCenter `json:"identity_center,omitempty"`
}

// Throttle is a per-account rate limit: Rate requests a second, in bursts
// of up to Burst (0: the ceiling of Rate). See Server.SetThrottle.
type Throttle struct {
	Rate  float64 `json:"rate"`
	Burst int     `json:"burst,omitempty"`
}

// Organization is an AWS organization: its management account, root and
// organizational units. Every account the server knows is a member, in the
// root unless its Account.Parent names an OU. IDs may be left out:
// ID and RootID are then derived from the management account, the same on
// every load.
type Organization struct {
	// ID is o- and 10 to 32 lower-case letters or digits.
	ID string `json:"id,omitempty"`
	// ManagementAccount is the 12-digit ID of the account that may call the
	// Organizations API (with an identity policy allowing it).
	ManagementAccount string `json:"management_account"`
	// RootID is r- and 4 to 32 lower-case letters or digits.
	RootID string `json:"root_id,omitempty"`
	// Units are the organizational units by ID: ou-, the root ID's suffix,
	// -, and 8 to 32 lower-case letters or digits (ou-ab12-prod0001).
	Units map[string]OrganizationalUnit `json:"units,omitempty"`
}

// OrganizationalUnit is an OU: its name and the root or OU it is in.
type OrganizationalUnit struct {
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"` // a root or OU ID; empty: the root
}

// Account is one AWS account, keyed by its 12-digit ID in Scenario.Accounts.
type Account struct {
	Users map[string]User `json:"users,omitempty"`
	Roles map[string]Role `json:"roles,omitempty"`
	// OIDCProviders are the account's IAM OIDC identity providers, which
	// AssumeRoleWithWebIdentity trusts (see OIDCProvider).
	OIDCProviders []OIDCProvider `json:"oidc_providers,omitempty"`

	// What the Organizations API says of the account, when the scenario has
	// an organization; all optional.

	// Name defaults to the account ID.
	Name string `json:"name,omitempty"`
	// Email defaults to aws+<account ID>@example.com.
	Email string `json:"email,omitempty"`
	// Status is ACTIVE (the default), SUSPENDED or PENDING_CLOSURE.
	Status string `json:"status,omitempty"`
	// Parent is the root or OU ID the account is in; empty: the root.
	Parent string `json:"parent,omitempty"`
	// Joined is when the account joined; zero: when it was loaded.
	Joined time.Time `json:"joined,omitzero"`
	// JoinedMethod is CREATED (the default) or INVITED.
	JoinedMethod string `json:"joined_method,omitempty"`
}

// OIDCProvider is an IAM OpenID Connect identity provider of an account:
// tokens whose iss is URL and whose aud is one of Audiences (IAM's client
// IDs) may call AssumeRoleWithWebIdentity for a role of the account whose
// trust policy names the provider:
//
//	"oidc_providers": [{"url": "https://oidc.example.com/cluster1", "audiences": ["sts.amazonaws.com"]}]
//
// is the provider arn:aws:iam::<account>:oidc-provider/oidc.example.com/cluster1,
// whose condition keys are oidc.example.com/cluster1:aud and :sub. The fake
// is the identity provider too: Server.WebIdentityToken mints its tokens.
type OIDCProvider struct {
	// URL is the issuer: https://, a host, an optional path; no query.
	URL string `json:"url"`
	// Audiences are the client IDs IAM accepts in aud; at least one.
	Audiences []string `json:"audiences"`
}

// User is an IAM user with one long-term access key. Its MFA device, if it
// has a TOTP secret, has serial arn:aws:iam::<account>:mfa/<user name>.
type User struct {
	AccessKeyID     string            `json:"access_key_id"`
	SecretAccessKey string            `json:"secret_access_key"`
	MFATOTPSecret   string            `json:"mfa_totp_secret,omitempty"` // base32, as authenticator apps take it
	Policies        []json.RawMessage `json:"policies,omitempty"`        // identity policies
}

// Role is an IAM role.
type Role struct {
	// Path is "/" when empty; else it starts and ends with "/".
	Path string `json:"path,omitempty"`
	// Trust is the trust policy: who may assume the role.
	Trust json.RawMessage `json:"trust"`
	// Policies are the role's permission policies.
	Policies []json.RawMessage `json:"policies,omitempty"`
	// MaxSessionDurationSeconds is 3600 to 43200; 0 means 3600.
	MaxSessionDurationSeconds int `json:"max_session_duration_seconds,omitempty"`
}

// LoadScenario decodes a scenario from JSON. Unknown keys are errors that
// name them; policies are checked when the scenario is given to a Server.
func LoadScenario(r io.Reader) (*Scenario, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var sc Scenario
	if err := dec.Decode(&sc); err != nil {
		return nil, fmt.Errorf("xaccttest: scenario: %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("xaccttest: scenario: data after the JSON object")
	}
	return &sc, nil
}

// LoadScenarioFile reads a scenario from a JSON file.
func LoadScenarioFile(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("xaccttest: %v", err)
	}
	sc, err := LoadScenario(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%v (in %s)", err, path)
	}
	return sc, nil
}

// compiled forms, with policies parsed.

type userRec struct {
	account, arn, id string
	key, secret      string
	policies         []*policy.Policy
	device           *device // nil without MFA
}

type providerRec struct {
	url, arn  string
	key       string          // the prefix of its condition keys: host and path
	audiences map[string]bool // client IDs
}

type roleRec struct {
	account, name, arn, id string
	trust                  *policy.Policy
	policies               []*policy.Policy
	maxSession             int // seconds
}

func compileUser(account, name string, u User) (*userRec, error) {
	where := fmt.Sprintf("account %s user %q", account, name)
	if err := validate.IAMName("user name", name); err != nil {
		return nil, fmt.Errorf("account %s: %v", account, err)
	}
	if len(u.AccessKeyID) < minAccessKeyChars || len(u.AccessKeyID) > maxAccessKeyChars || !alnum(u.AccessKeyID) {
		return nil, fmt.Errorf("%s: access_key_id %q: want %d to %d letters and digits (such as AKIAEXAMPLEJENKINS01)",
			where, clip(u.AccessKeyID), minAccessKeyChars, maxAccessKeyChars)
	}
	if u.SecretAccessKey == "" {
		return nil, fmt.Errorf("%s: secret_access_key is empty", where)
	}
	rec := &userRec{
		account: account, key: u.AccessKeyID, secret: u.SecretAccessKey,
		arn: userARN(account, name),
		id:  "AIDA" + stableID(account+"/user/"+name),
	}
	var err error
	if rec.policies, err = parsePolicies(where, u.Policies); err != nil {
		return nil, err
	}
	if u.MFATOTPSecret != "" {
		key, err := totp.DecodeSecret(u.MFATOTPSecret)
		if err != nil {
			return nil, fmt.Errorf("%s: mfa_totp_secret: %v", where, err)
		}
		rec.device = &device{serial: fmt.Sprintf("arn:aws:iam::%s:mfa/%s", account, name), key: key}
	}
	return rec, nil
}

func compileRole(account, name string, r Role) (*roleRec, error) {
	where := fmt.Sprintf("account %s role %q", account, name)
	if err := validate.IAMName("role name", name); err != nil {
		return nil, fmt.Errorf("account %s: %v", account, err)
	}
	path := r.Path
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") || !strings.HasSuffix(path, "/") || len(path) > maxRolePathChars {
		return nil, fmt.Errorf("%s: path %q: a path starts and ends with /, such as /service/, and has at most %d characters",
			where, clip(path), maxRolePathChars)
	}
	max := r.MaxSessionDurationSeconds
	if max == 0 {
		max = defaultRoleSessionSeconds
	}
	if max < defaultRoleSessionSeconds || max > maxRoleSessionSeconds {
		return nil, fmt.Errorf("%s: max_session_duration_seconds %d: IAM allows %d to %d",
			where, max, defaultRoleSessionSeconds, maxRoleSessionSeconds)
	}
	if len(r.Trust) == 0 {
		return nil, fmt.Errorf("%s: trust is missing: every role has a trust policy", where)
	}
	trust, err := policy.Parse(r.Trust, policy.Trust)
	if err != nil {
		return nil, fmt.Errorf("%s: trust: %v", where, err)
	}
	rec := &roleRec{
		account: account, name: name, trust: trust, maxSession: max,
		arn: fmt.Sprintf("arn:aws:iam::%s:role%s%s", account, path, name),
		id:  "AROA" + stableID(account+"/role/"+name),
	}
	if rec.policies, err = parsePolicies(where, r.Policies); err != nil {
		return nil, err
	}
	return rec, nil
}

func compileProvider(account string, i int, p OIDCProvider) (*providerRec, error) {
	where := fmt.Sprintf("account %s oidc_providers[%d]", account, i)
	hostPath, err := issuerHostPath(p.URL)
	if err != nil {
		return nil, fmt.Errorf("%s: url %q: %v", where, clip(p.URL), err)
	}
	if len(p.Audiences) == 0 {
		return nil, fmt.Errorf("%s: audiences is empty: list the client IDs the provider's tokens carry in aud, "+
			"such as sts.amazonaws.com", where)
	}
	rec := &providerRec{url: p.URL, key: hostPath, arn: oidcProviderARN(account, hostPath),
		audiences: map[string]bool{}}
	for _, a := range p.Audiences {
		if a == "" || len(a) > maxClientIDChars {
			return nil, fmt.Errorf("%s: audience %q: a client ID has 1 to %d characters", where, clip(a), maxClientIDChars)
		}
		rec.audiences[a] = true
	}
	return rec, nil
}

// issuerHostPath checks an OIDC issuer URL and returns it without https://.
func issuerHostPath(issuer string) (string, error) {
	u, err := url.Parse(issuer)
	switch {
	case err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Opaque != "":
		return "", errors.New("an issuer URL is https://host[/path], such as https://token.actions.githubusercontent.com")
	case u.RawQuery != "" || u.Fragment != "":
		return "", errors.New("an issuer URL has no query or fragment")
	case strings.HasSuffix(u.Path, "/"):
		return "", errors.New("an issuer URL does not end with /")
	}
	return u.Host + u.Path, nil
}

// userARN is the ARN of an IAM user (the fake's users have no path).
func userARN(account, name string) string {
	return fmt.Sprintf("arn:aws:iam::%s:user/%s", account, name)
}

func oidcProviderARN(account, hostPath string) string {
	return fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", account, hostPath)
}

// parsePolicies parses identity policies, naming the one that fails.
func parsePolicies(where string, docs []json.RawMessage) ([]*policy.Policy, error) {
	var out []*policy.Policy
	for i, doc := range docs {
		p, err := policy.Parse(doc, policy.Identity)
		if err != nil {
			return nil, fmt.Errorf("%s: policies[%d]: %v", where, i, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func alnum(s string) bool {
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
