// Package policy parses and evaluates the IAM policy language, as far as
// STS's AssumeRole decision needs it: identity policies (what a principal may
// do) and role trust policies (who may assume a role).
//
// Parsing is strict: an operator, condition key or field this package does
// not know is an error naming it, never something silently allowed.
package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/xacct/xacct/internal/trunc"
	"github.com/xacct/xacct/internal/validate"
)

// Kind is the kind of policy document.
type Kind int

const (
	// Identity policies are attached to users and roles: Action and Resource,
	// no Principal.
	Identity Kind = iota
	// Trust policies are a role's resource policy: Principal and Action, no
	// Resource.
	Trust
)

// String names the kind, for error messages.
func (k Kind) String() string {
	if k == Trust {
		return "trust policy"
	}
	return "identity policy"
}

// Policy is a parsed policy document.
type Policy struct {
	Kind       Kind
	Statements []Statement
}

// Statement is one statement of a policy.
type Statement struct {
	Sid        string
	Allow      bool // Effect: Allow (true) or Deny
	Actions    []string
	NotAction  bool // Actions lists NotAction
	Resources  []string
	NotRes     bool     // Resources lists NotResource
	Principals []string // AWS principals; "*" for anyone
	Federated  []string // Federated principals: OIDC provider ARNs or IdP names
	Conditions []Condition
}

// Condition is one operator applied to one key with its values.
type Condition struct {
	Op       string // canonical operator name without IfExists, such as "StringEquals"
	IfExists bool
	Key      string // canonical key name, such as "sts:ExternalId"
	Values   []string
}

// operators and whether they are negated (a missing key makes them true).
var operators = map[string]bool{
	"StringEquals": false, "StringNotEquals": true, "StringLike": false, "StringNotLike": true,
	"Bool": false, "NumericLessThan": false, "NumericLessThanEquals": false, "NumericGreaterThan": false,
	"ArnEquals": false, "ArnLike": false, "Null": false,
}

// Keys lists the condition keys this package evaluates, canonically spelled.
// Besides these, it evaluates the keys of OIDC providers, <issuer>:aud and
// <issuer>:sub, where <issuer> is the provider's URL without https:// (such
// as token.actions.githubusercontent.com:sub); see OIDCKey.
var Keys = []string{
	"sts:ExternalId", "aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge", "sts:SourceIdentity",
	"sts:RoleSessionName", "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType",
}

// Parse parses a policy document of the given kind.
func Parse(doc []byte, kind Kind) (*Policy, error) {
	var top map[string]json.RawMessage
	if err := strictDecode(doc, &top); err != nil {
		return nil, fmt.Errorf("%v is not a JSON object: %v", kind, err)
	}
	p := &Policy{Kind: kind}
	for k := range top {
		switch k {
		case "Version", "Id", "Statement":
		default:
			return nil, fmt.Errorf("%v has unknown field %q (known: Version, Id, Statement)", kind, clip(k))
		}
	}
	var version string
	if v, ok := top["Version"]; ok {
		if err := json.Unmarshal(v, &version); err != nil || (version != "2012-10-17" && version != "2008-10-17") {
			return nil, fmt.Errorf("%v: Version %s is not \"2012-10-17\" or \"2008-10-17\"", kind, clip(string(v)))
		}
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, fmt.Errorf("%v has no Statement", kind)
	}
	var stmts []json.RawMessage
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
		if err := json.Unmarshal(raw, &stmts); err != nil {
			return nil, fmt.Errorf("%v: Statement: %v", kind, err)
		}
	} else {
		stmts = []json.RawMessage{raw}
	}
	if len(stmts) == 0 {
		return nil, fmt.Errorf("%v: Statement is empty", kind)
	}
	for i, s := range stmts {
		st, err := parseStatement(s, kind)
		if err != nil {
			return nil, fmt.Errorf("%v: statement %d: %v", kind, i+1, err)
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

func parseStatement(raw json.RawMessage, kind Kind) (Statement, error) {
	var f map[string]json.RawMessage
	if err := strictDecode(raw, &f); err != nil {
		return Statement{}, fmt.Errorf("not a JSON object: %v", err)
	}
	var st Statement
	for k := range f {
		switch k {
		case "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "Condition":
		case "NotPrincipal":
			return st, fmt.Errorf("NotPrincipal is not supported by this fake: write the principals to allow in Principal")
		default:
			return st, fmt.Errorf("unknown field %q", clip(k))
		}
	}
	if v, ok := f["Sid"]; ok {
		if err := json.Unmarshal(v, &st.Sid); err != nil {
			return st, errors.New("its Sid must be a string")
		}
	}
	var effect string
	if err := json.Unmarshal(f["Effect"], &effect); err != nil || (effect != "Allow" && effect != "Deny") {
		return st, fmt.Errorf("Effect must be \"Allow\" or \"Deny\", got %s", orNone(f["Effect"]))
	}
	st.Allow = effect == "Allow"

	var err error
	if st.Actions, st.NotAction, err = pair(f, "Action", "NotAction"); err != nil {
		return st, err
	}
	if st.Actions == nil {
		return st, fmt.Errorf("has neither Action nor NotAction")
	}
	if st.Resources, st.NotRes, err = pair(f, "Resource", "NotResource"); err != nil {
		return st, err
	}
	_, hasPrincipal := f["Principal"]
	switch kind {
	case Identity:
		if hasPrincipal {
			return st, fmt.Errorf("has Principal, which identity policies may not have")
		}
		if st.Resources == nil {
			return st, fmt.Errorf("has neither Resource nor NotResource, which identity policies need")
		}
	case Trust:
		if st.Resources != nil {
			return st, fmt.Errorf("has Resource, which trust policies may not have (the role is the resource)")
		}
		if !hasPrincipal {
			return st, fmt.Errorf("has no Principal, which trust policies need")
		}
		if st.Principals, st.Federated, err = parsePrincipal(f["Principal"]); err != nil {
			return st, fmt.Errorf("Principal: %v", err)
		}
	}
	if c, ok := f["Condition"]; ok {
		if st.Conditions, err = parseConditions(c); err != nil {
			return st, fmt.Errorf("Condition: %v", err)
		}
	}
	return st, nil
}

// pair reads one of two mutually exclusive string-or-list fields.
func pair(f map[string]json.RawMessage, name, notName string) ([]string, bool, error) {
	a, hasA := f[name]
	b, hasB := f[notName]
	switch {
	case hasA && hasB:
		return nil, false, fmt.Errorf("has both %s and %s", name, notName)
	case hasA:
		v, err := stringOrList(a)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %v", name, err)
		}
		return v, false, nil
	case hasB:
		v, err := stringOrList(b)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %v", notName, err)
		}
		return v, true, nil
	}
	return nil, false, nil
}

// parsePrincipal reads a statement's Principal: its AWS and Federated
// principals. Service and CanonicalUser principals are accepted and
// dropped: they never match a caller of STS's AssumeRole actions.
func parsePrincipal(raw json.RawMessage) (aws, federated []string, err error) {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		if star != "*" {
			return nil, nil, fmt.Errorf("the string form must be \"*\", got %q", clip(star))
		}
		return []string{"*"}, []string{"*"}, nil
	}
	var m map[string]json.RawMessage
	if err := strictDecode(raw, &m); err != nil {
		return nil, nil, fmt.Errorf("want \"*\" or an object like {\"AWS\": ...}")
	}
	for k, v := range m {
		vals, err := stringOrList(v)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", clip(k), err)
		}
		switch k {
		case "AWS":
			for _, p := range vals {
				if err := checkPrincipal(p); err != nil {
					return nil, nil, err
				}
			}
			aws = vals
		case "Federated":
			for _, p := range vals {
				if err := checkFederated(p); err != nil {
					return nil, nil, err
				}
			}
			federated = vals
		case "Service", "CanonicalUser":
		default:
			return nil, nil, fmt.Errorf("unknown principal type %q (known: AWS, Federated, Service, CanonicalUser)", clip(k))
		}
	}
	return aws, federated, nil
}

// checkFederated accepts an IAM OIDC or SAML provider ARN, or the name of
// a web identity provider that needs none (www.amazon.com, ...).
func checkFederated(p string) error {
	parts := strings.SplitN(p, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && validate.IsAccountID(parts[4]) &&
		(strings.HasPrefix(parts[5], "oidc-provider/") || strings.HasPrefix(parts[5], "saml-provider/")) {
		return nil
	}
	switch p {
	case "accounts.google.com", "cognito-identity.amazonaws.com", "graph.facebook.com", "www.amazon.com":
		return nil
	}
	return fmt.Errorf("principal Federated %q is not an OIDC or SAML provider ARN "+
		"(arn:aws:iam::<account>:oidc-provider/<host/path>) or a known web identity provider", clip(p))
}

// checkPrincipal accepts "*", a 12-digit account, or an IAM or STS ARN.
func checkPrincipal(p string) error {
	if p == "*" || validate.IsAccountID(p) {
		return nil
	}
	parts := strings.SplitN(p, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && (parts[2] == "iam" || parts[2] == "sts") && validate.IsAccountID(parts[4]) {
		return nil
	}
	return fmt.Errorf("AWS principal %q is not \"*\", an account ID, or an IAM user, role or assumed-role ARN", clip(p))
}

func parseConditions(raw json.RawMessage) ([]Condition, error) {
	var ops map[string]map[string]json.RawMessage
	if err := strictDecode(raw, &ops); err != nil {
		return nil, fmt.Errorf("want {\"Operator\": {\"key\": value or [values]}}")
	}
	var out []Condition
	for _, opName := range sortedKeys(ops) {
		base, ifExists := strings.CutSuffix(opName, "IfExists")
		if _, ok := operators[base]; !ok {
			return nil, fmt.Errorf("unknown condition operator %q (known: %s, each also with IfExists except Null)",
				clip(opName), strings.Join(sortedKeys(operators), ", "))
		}
		if ifExists && base == "Null" {
			return nil, fmt.Errorf("NullIfExists is not an operator: Null has no IfExists form")
		}
		for _, keyName := range sortedKeys(ops[opName]) {
			key, ok := canonicalKey(keyName)
			if !ok {
				return nil, fmt.Errorf("%s: unknown condition key %q (known: %s, and <OIDC issuer host/path>:aud and :sub)",
					opName, clip(keyName), strings.Join(Keys, ", "))
			}
			vals, err := scalarOrList(ops[opName][keyName])
			if err != nil {
				return nil, fmt.Errorf("%s %s: %v", opName, clip(keyName), err)
			}
			if err := checkValues(base, vals); err != nil {
				return nil, fmt.Errorf("%s %s: %v", opName, clip(keyName), err)
			}
			out = append(out, Condition{Op: base, IfExists: ifExists, Key: key, Values: vals})
		}
	}
	return out, nil
}

func checkValues(op string, vals []string) error {
	for _, v := range vals {
		switch op {
		case "Bool", "Null":
			if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				return fmt.Errorf("value %q is not true or false", clip(v))
			}
		case "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan":
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return fmt.Errorf("value %q is not a number", clip(v))
			}
		}
	}
	return nil
}

func canonicalKey(k string) (string, bool) {
	for _, known := range Keys {
		if strings.EqualFold(k, known) {
			return known, true
		}
	}
	if issuer, claim, ok := cutOIDCKey(k); ok {
		return OIDCKey(issuer, claim), true
	}
	return "", false
}

// OIDCKey returns the condition key of an OIDC provider's claim (aud or
// sub) as this package spells it: lower case, such as
// "token.actions.githubusercontent.com:sub" for the issuer
// https://token.actions.githubusercontent.com. Policies may write it in any
// case, as IAM's keys are case-insensitive.
func OIDCKey(issuer, claim string) string {
	return strings.ToLower(strings.TrimPrefix(issuer, "https://") + ":" + claim)
}

// cutOIDCKey splits an OIDC provider's condition key into the issuer (host
// and path) and the claim: aud or sub. The issuer has a dot in its host, so
// that aws:... and sts:... keys never pass for one.
func cutOIDCKey(k string) (issuer, claim string, ok bool) {
	i := strings.LastIndexByte(k, ':')
	if i <= 0 {
		return "", "", false
	}
	issuer, claim = k[:i], strings.ToLower(k[i+1:])
	host, _, _ := strings.Cut(issuer, "/")
	if (claim != "aud" && claim != "sub") || !strings.Contains(host, ".") || strings.ContainsAny(issuer, " :") {
		return "", "", false
	}
	return issuer, claim, true
}

func stringOrList(raw json.RawMessage) ([]string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}, nil
	}
	var l []string
	if err := json.Unmarshal(raw, &l); err != nil || len(l) == 0 {
		return nil, fmt.Errorf("want a string or a non-empty list of strings, got %s", orNone(raw))
	}
	return l, nil
}

// scalarOrList reads condition values: strings, booleans or numbers, alone
// or in a list, as text.
func scalarOrList(raw json.RawMessage) ([]string, error) {
	var l []json.RawMessage
	if json.Unmarshal(raw, &l) != nil {
		l = []json.RawMessage{raw}
	}
	if len(l) == 0 {
		return nil, fmt.Errorf("empty list of values")
	}
	out := make([]string, 0, len(l))
	for _, v := range l {
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			return nil, fmt.Errorf("bad value %s", clip(string(v)))
		}
		switch x := x.(type) {
		case string:
			out = append(out, x)
		case bool:
			out = append(out, strconv.FormatBool(x))
		case float64:
			out = append(out, strings.TrimSpace(string(v)))
		default:
			return nil, fmt.Errorf("value %s is not a string, boolean or number", clip(string(v)))
		}
	}
	return out, nil
}

// strictDecode decodes one JSON value and rejects trailing data.
func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("data after the JSON value")
	}
	return nil
}

// orNone quotes a raw JSON value for a message, cut to a readable length.
func orNone(raw json.RawMessage) string {
	if raw == nil {
		return "nothing"
	}
	return clip(string(raw))
}

// clip cuts a value quoted in an error message to a readable length: a
// policy may hold values of kilobytes, and an error is one line.
func clip(s string) string { return trunc.String(s) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
