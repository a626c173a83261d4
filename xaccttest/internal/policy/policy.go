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
	if err := st.parseByKind(f, kind); err != nil {
		return st, err
	}
	if c, ok := f["Condition"]; ok {
		if st.Conditions, err = parseConditions(c); err != nil {
			return st, fmt.Errorf("Condition: %v", err)
		}
	}
	return st, nil
}

// parseByKind checks what a statement of kind must have and must not (a
// principal, a resource), and reads a trust policy's principals.
func (st *Statement) parseByKind(f map[string]json.RawMessage, kind Kind) error {
	_, hasPrincipal := f["Principal"]
	switch kind {
	case Identity:
		if hasPrincipal {
			return fmt.Errorf("has Principal, which identity policies may not have")
		}
		if st.Resources == nil {
			return fmt.Errorf("has neither Resource nor NotResource, which identity policies need")
		}
	case Trust:
		if st.Resources != nil {
			return fmt.Errorf("has Resource, which trust policies may not have (the role is the resource)")
		}
		if !hasPrincipal {
			return fmt.Errorf("has no Principal, which trust policies need")
		}
		var err error
		if st.Principals, st.Federated, err = parsePrincipal(f["Principal"]); err != nil {
			return fmt.Errorf("Principal: %v", err)
		}
	}
	return nil
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
