package policy

// Principals and conditions: who a trust policy names, and the conditions
// a statement puts on its effect.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/xacct/xacct/internal/validate"
)

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
