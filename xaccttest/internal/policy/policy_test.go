package policy

import (
	"strings"
	"testing"
)

const roleARN = "arn:aws:iam::222222222222:role/CrossAccountRole"

var (
	jenkins = Principal{ARN: "arn:aws:iam::111111111111:user/jenkins", Account: "111111111111"}
	session = Principal{ARN: "arn:aws:sts::111111111111:assumed-role/Hub/s1", RoleARN: "arn:aws:iam::111111111111:role/Hub", Account: "111111111111"}
)

func trust(principal, cond string) string {
	s := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"`
	if cond != "" {
		s += `,"Condition":` + cond
	}
	return s + `}]}`
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	ext := map[string]string{"sts:ExternalId": "ext-123"}
	mfa := map[string]string{"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "300"}
	tests := []struct {
		name     string
		kind     Kind
		docs     []string
		caller   Principal
		action   string
		resource string
		ctx      map[string]string
		want     Effect
		specific bool
		reason   string // substring of the reason
	}{
		// Principals.
		{"account root allows its users", Trust, []string{trust(`{"AWS":"arn:aws:iam::111111111111:root"}`, "")}, jenkins, "", "", nil, Allow, false, ""},
		{"account ID shorthand allows its users", Trust, []string{trust(`{"AWS":"111111111111"}`, "")}, jenkins, "", "", nil, Allow, false, ""},
		{"other account's root does not", Trust, []string{trust(`{"AWS":"arn:aws:iam::999999999999:root"}`, "")}, jenkins, "", "", nil, ImplicitDeny, false, "principal arn:aws:iam::111111111111:user/jenkins is not named"},
		{"user ARN is specific", Trust, []string{trust(`{"AWS":"arn:aws:iam::111111111111:user/jenkins"}`, "")}, jenkins, "", "", nil, Allow, true, ""},
		{"another user ARN does not", Trust, []string{trust(`{"AWS":"arn:aws:iam::111111111111:user/alice"}`, "")}, jenkins, "", "", nil, ImplicitDeny, false, "not named"},
		{"role ARN allows its sessions", Trust, []string{trust(`{"AWS":"arn:aws:iam::111111111111:role/Hub"}`, "")}, session, "", "", nil, Allow, true, ""},
		{"session ARN allows that session", Trust, []string{trust(`{"AWS":"arn:aws:sts::111111111111:assumed-role/Hub/s1"}`, "")}, session, "", "", nil, Allow, true, ""},
		{"list of principals", Trust, []string{trust(`{"AWS":["arn:aws:iam::999999999999:root","arn:aws:iam::111111111111:user/jenkins"]}`, "")}, jenkins, "", "", nil, Allow, true, ""},
		{"star allows anyone", Trust, []string{trust(`"*"`, "")}, jenkins, "", "", nil, Allow, false, ""},
		{"service principal is not a user", Trust, []string{trust(`{"Service":"ec2.amazonaws.com"}`, "")}, jenkins, "", "", nil, ImplicitDeny, false, "not named"},
		// Actions.
		{"trust action must cover AssumeRole", Trust, []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:TagSession"}}`}, jenkins, "sts:AssumeRole", "", nil, ImplicitDeny, false, "action sts:AssumeRole is not covered"},
		{"action wildcard, any case", Identity, []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"STS:Assume*","Resource":"*"}}`}, jenkins, "sts:AssumeRole", roleARN, nil, Allow, false, ""},
		{"NotAction", Identity, []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`}, jenkins, "sts:AssumeRole", roleARN, nil, Allow, false, ""},
		// Resources.
		{"exact resource", Identity, []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + roleARN + `"}]}`}, jenkins, "sts:AssumeRole", roleARN, nil, Allow, false, ""},
		{"resource wildcard", Identity, []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::222222222222:role/Cross*"}]}`}, jenkins, "sts:AssumeRole", roleARN, nil, Allow, false, ""},
		{"resource is case-sensitive", Identity, []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::222222222222:role/crossaccountrole"}]}`}, jenkins, "sts:AssumeRole", roleARN, nil, ImplicitDeny, false, "resource " + roleARN + " is not covered"},
		{"NotResource", Identity, []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","NotResource":"arn:aws:iam::222222222222:role/Admin"}]}`}, jenkins, "sts:AssumeRole", roleARN, nil, Allow, false, ""},
		{"no policies: implicit deny", Identity, []string{}, jenkins, "sts:AssumeRole", roleARN, nil, ImplicitDeny, false, "no statement allows it"},
		// Deny wins.
		{"explicit deny wins across policies", Identity, []string{
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`,
			`{"Version":"2012-10-17","Statement":{"Sid":"NoCross","Effect":"Deny","Action":"sts:AssumeRole","Resource":"arn:aws:iam::222222222222:*"}}`,
		}, jenkins, "sts:AssumeRole", roleARN, nil, ExplicitDeny, false, "statement 1 (NoCross) denies explicitly"},
		// External ID.
		{"StringEquals ExternalId matches", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"StringEquals":{"sts:ExternalId":"ext-123"}}`)}, jenkins, "", "", ext, Allow, false, ""},
		{"StringEquals ExternalId wrong", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"StringEquals":{"sts:ExternalId":"ext-123"}}`)}, jenkins, "", "", map[string]string{"sts:ExternalId": "ext-999"}, ImplicitDeny, false, "condition StringEquals sts:ExternalId fails"},
		{"missing ExternalId fails a positive operator", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"StringEquals":{"sts:ExternalId":"ext-123"}}`)}, jenkins, "", "", nil, ImplicitDeny, false, "the request has no sts:ExternalId"},
		{"missing ExternalId passes a negated operator", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"StringNotEquals":{"sts:ExternalId":"bad"}}`)}, jenkins, "", "", nil, Allow, false, ""},
		{"missing key passes IfExists", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"StringEqualsIfExists":{"sts:ExternalId":"ext-123"}}`)}, jenkins, "", "", nil, Allow, false, ""},
		{"present key is checked by IfExists", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"StringEqualsIfExists":{"sts:ExternalId":"ext-123"}}`)}, jenkins, "", "", map[string]string{"sts:ExternalId": "x"}, ImplicitDeny, false, "StringEqualsIfExists"},
		{"StringNotEquals present and equal fails", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"StringNotEquals":{"sts:ExternalId":"ext-123"}}`)}, jenkins, "", "", ext, ImplicitDeny, false, ""},
		{"any of several values", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"StringEquals":{"sts:ExternalId":["a1","ext-123"]}}`)}, jenkins, "", "", ext, Allow, false, ""},
		{"StringLike", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"StringLike":{"sts:RoleSessionName":"ci-*"}}`)}, jenkins, "", "", map[string]string{"sts:RoleSessionName": "ci-42"}, Allow, false, ""},
		{"StringNotLike", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"StringNotLike":{"sts:RoleSessionName":"ci-*"}}`)}, jenkins, "", "", map[string]string{"sts:RoleSessionName": "ci-42"}, ImplicitDeny, false, ""},
		{"StringLike single-character wildcard", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"StringLike":{"sts:SourceIdentity":"a?ice"}}`)}, jenkins, "", "", map[string]string{"sts:SourceIdentity": "alice"}, Allow, false, ""},
		// MFA.
		{"Bool MFA present", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`)}, jenkins, "", "", mfa, Allow, false, ""},
		{"Bool MFA absent for long-term keys", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`)}, jenkins, "", "", nil, ImplicitDeny, false, "has no aws:MultiFactorAuthPresent"},
		{"Bool MFA false for sessions without MFA", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"Bool":{"aws:MultiFactorAuthPresent":true}}`)}, jenkins, "", "", map[string]string{"aws:MultiFactorAuthPresent": "false"}, ImplicitDeny, false, ""},
		{"BoolIfExists false passes long-term keys", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`)}, jenkins, "", "", nil, Allow, false, ""},
		{"MFA age below limit", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}`)}, jenkins, "", "", mfa, Allow, false, ""},
		{"MFA age above limit", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"NumericLessThan":{"aws:MultiFactorAuthAge":300}}`)}, jenkins, "", "", mfa, ImplicitDeny, false, ""},
		{"MFA age equals limit", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"NumericLessThanEquals":{"aws:MultiFactorAuthAge":300}}`)}, jenkins, "", "", mfa, Allow, false, ""},
		{"NumericGreaterThan", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"60"}}`)}, jenkins, "", "", mfa, Allow, false, ""},
		{"missing MFA age fails a numeric operator", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}`)}, jenkins, "", "", nil, ImplicitDeny, false, ""},
		{"NumericLessThanIfExists passes without MFA", Trust, []string{trust(`{"AWS":"111111111111"}`, `{"NumericLessThanIfExists":{"aws:MultiFactorAuthAge":"3600"}}`)}, jenkins, "", "", nil, Allow, false, ""},
		// Null.
		{"Null true: key must be absent", Trust, []string{trust(`"*"`, `{"Null":{"sts:ExternalId":"true"}}`)}, jenkins, "", "", nil, Allow, false, ""},
		{"Null true fails when present", Trust, []string{trust(`"*"`, `{"Null":{"sts:ExternalId":"true"}}`)}, jenkins, "", "", ext, ImplicitDeny, false, "the key is present"},
		{"Null false: key must be present", Trust, []string{trust(`"*"`, `{"Null":{"sts:SourceIdentity":"false"}}`)}, jenkins, "", "", nil, ImplicitDeny, false, "the key is absent"},
		// ARN operators and principal keys.
		{"ArnEquals PrincipalArn", Trust, []string{trust(`"*"`, `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/Hub"}}`)}, session, "", "", map[string]string{"aws:PrincipalArn": "arn:aws:iam::111111111111:role/Hub"}, Allow, false, ""},
		{"ArnLike per component", Trust, []string{trust(`"*"`, `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/H*"}}`)}, session, "", "", map[string]string{"aws:PrincipalArn": "arn:aws:iam::111111111111:role/Hub"}, Allow, false, ""},
		{"ArnLike wildcard does not cross components", Trust, []string{trust(`"*"`, `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*"}}`)}, session, "", "", map[string]string{"aws:PrincipalArn": "arn:aws:iam::111111111111:role/Hub"}, ImplicitDeny, false, ""},
		{"ArnLikeIfExists missing", Trust, []string{trust(`"*"`, `{"ArnLikeIfExists":{"aws:PrincipalArn":"arn:aws:iam::*:role/X"}}`)}, session, "", "", nil, Allow, false, ""},
		{"ArnEqualsIfExists present and different", Trust, []string{trust(`"*"`, `{"ArnEqualsIfExists":{"aws:PrincipalArn":"arn:aws:iam::1:role/X"}}`)}, session, "", "", map[string]string{"aws:PrincipalArn": "arn:aws:iam::111111111111:role/Hub"}, ImplicitDeny, false, ""},
		{"PrincipalAccount", Trust, []string{trust(`"*"`, `{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}`)}, jenkins, "", "", map[string]string{"aws:PrincipalAccount": "111111111111"}, Allow, false, ""},
		{"PrincipalType", Trust, []string{trust(`"*"`, `{"StringEquals":{"aws:PrincipalType":"AssumedRole"}}`)}, jenkins, "", "", map[string]string{"aws:PrincipalType": "User"}, ImplicitDeny, false, ""},
		{"keys are case-insensitive", Trust, []string{trust(`"*"`, `{"StringEquals":{"STS:EXTERNALID":"ext-123"}}`)}, jenkins, "", "", ext, Allow, false, ""},
		{"StringNotEqualsIfExists missing", Trust, []string{trust(`"*"`, `{"StringNotEqualsIfExists":{"sts:SourceIdentity":"x"}}`)}, jenkins, "", "", nil, Allow, false, ""},
		{"StringNotLikeIfExists present", Trust, []string{trust(`"*"`, `{"StringNotLikeIfExists":{"sts:SourceIdentity":"a*"}}`)}, jenkins, "", "", map[string]string{"sts:SourceIdentity": "alice"}, ImplicitDeny, false, ""},
		{"StringLikeIfExists present", Trust, []string{trust(`"*"`, `{"StringLikeIfExists":{"sts:SourceIdentity":"a*"}}`)}, jenkins, "", "", map[string]string{"sts:SourceIdentity": "alice"}, Allow, false, ""},
		{"BoolIfExists present true", Trust, []string{trust(`"*"`, `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}`)}, jenkins, "", "", mfa, Allow, false, ""},
		{"NumericLessThanEqualsIfExists present", Trust, []string{trust(`"*"`, `{"NumericLessThanEqualsIfExists":{"aws:MultiFactorAuthAge":"100"}}`)}, jenkins, "", "", mfa, ImplicitDeny, false, ""},
		{"NumericGreaterThanIfExists missing", Trust, []string{trust(`"*"`, `{"NumericGreaterThanIfExists":{"aws:MultiFactorAuthAge":"100"}}`)}, jenkins, "", "", nil, Allow, false, ""},
		{"all conditions must hold", Trust, []string{trust(`"*"`, `{"StringEquals":{"sts:ExternalId":"ext-123"},"Bool":{"aws:MultiFactorAuthPresent":"true"}}`)}, jenkins, "", "", ext, ImplicitDeny, false, "aws:MultiFactorAuthPresent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ps []*Policy
			for _, d := range tt.docs {
				p, err := Parse([]byte(d), tt.kind)
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				ps = append(ps, p)
			}
			action := tt.action
			if action == "" {
				action = "sts:AssumeRole"
			}
			ctx := map[string]string{}
			for k, v := range tt.ctx {
				ctx[k] = v
			}
			got := Evaluate(Request{Action: action, Resource: tt.resource, Caller: tt.caller, Context: ctx}, ps...)
			if got.Effect != tt.want || got.Specific != tt.specific {
				t.Fatalf("Evaluate = %v (specific %v), want %v (specific %v); reason: %s", got.Effect, got.Specific, tt.want, tt.specific, got.Reason)
			}
			if !strings.Contains(got.Reason, tt.reason) {
				t.Fatalf("reason %q lacks %q", got.Reason, tt.reason)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc string
		kind      Kind
		want      string
	}{
		{"not JSON", `{`, Trust, "not a JSON object"},
		{"unknown top-level field", `{"Version":"2012-10-17","Statment":[]}`, Trust, `unknown field "Statment"`},
		{"bad version", `{"Version":"2020-01-01","Statement":[]}`, Trust, "Version"},
		{"no statement", `{"Version":"2012-10-17"}`, Trust, "has no Statement"},
		{"empty statement list", `{"Version":"2012-10-17","Statement":[]}`, Trust, "Statement is empty"},
		{"bad effect", `{"Statement":{"Effect":"Permit","Principal":"*","Action":"sts:AssumeRole"}}`, Trust, `Effect must be "Allow" or "Deny"`},
		{"unknown operator", trust(`"*"`, `{"StringEqualsIgnoreCase":{"sts:ExternalId":"x"}}`), Trust, `unknown condition operator "StringEqualsIgnoreCase"`},
		{"set operator", trust(`"*"`, `{"ForAnyValue:StringEquals":{"sts:ExternalId":"x"}}`), Trust, `unknown condition operator "ForAnyValue:StringEquals"`},
		{"NullIfExists", trust(`"*"`, `{"NullIfExists":{"sts:ExternalId":"true"}}`), Trust, "NullIfExists is not an operator"},
		{"unknown key", trust(`"*"`, `{"StringEquals":{"aws:SourceIp":"10.0.0.1"}}`), Trust, `unknown condition key "aws:SourceIp"`},
		{"non-numeric value", trust(`"*"`, `{"NumericLessThan":{"aws:MultiFactorAuthAge":"soon"}}`), Trust, `value "soon" is not a number`},
		{"non-boolean value", trust(`"*"`, `{"Bool":{"aws:MultiFactorAuthPresent":"yes"}}`), Trust, `value "yes" is not true or false`},
		{"trust with resource", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}}`, Trust, "has Resource, which trust policies may not have"},
		{"trust without principal", `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, Trust, "has no Principal"},
		{"identity with principal", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}}`, Identity, "has Principal"},
		{"identity without resource", `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, Identity, "has neither Resource nor NotResource"},
		{"no action", `{"Statement":{"Effect":"Allow","Principal":"*"}}`, Trust, "has neither Action nor NotAction"},
		{"action and notaction", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"a","NotAction":"b"}}`, Trust, "has both Action and NotAction"},
		{"NotPrincipal", `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"*"},"Action":"sts:AssumeRole"}}`, Trust, "NotPrincipal is not supported"},
		{"unknown statement field", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"x","Conditon":{}}}`, Trust, `unknown field "Conditon"`},
		{"bad principal", trust(`{"AWS":"jenkins"}`, ""), Trust, `AWS principal "jenkins" is not`},
		{"unknown principal type", trust(`{"Users":"x"}`, ""), Trust, `unknown principal type "Users"`},
		{"principal string not star", trust(`"111111111111"`, ""), Trust, `the string form must be "*"`},
		{"action not a string", `{"Statement":{"Effect":"Allow","Principal":"*","Action":5}}`, Trust, "Action: want a string or a non-empty list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.doc), tt.kind)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestWildcard(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		p, s string
		want bool
	}{
		{"*", "", true}, {"a*", "abc", true}, {"a*c", "abc", true}, {"a*c", "abd", false},
		{"a?c", "abc", true}, {"a?c", "ac", false}, {"*b*", "abc", true}, {"", "", true}, {"", "a", false},
		{"a**b", "ab", true}, {"*a*a*a*a*a*b", strings.Repeat("a", 40), false},
	} {
		if got := wildcard(tt.p, tt.s); got != tt.want {
			t.Errorf("wildcard(%q, %q) = %v", tt.p, tt.s, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(trust(`{"AWS":"111111111111"}`, `{"StringEquals":{"sts:ExternalId":"ext-123"}}`)), true)
	f.Add([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole"],"Resource":"*"}]}`), false)
	f.Add([]byte(trust(`"*"`, `{"NumericLessThanIfExists":{"aws:MultiFactorAuthAge":[1,2]},"Null":{"sts:SourceIdentity":true}}`)), true)
	f.Fuzz(func(t *testing.T, doc []byte, isTrust bool) {
		kind := Identity
		if isTrust {
			kind = Trust
		}
		p, err := Parse(doc, kind)
		if err != nil {
			return
		}
		// Whatever parses must evaluate without panicking.
		Evaluate(Request{Action: "sts:AssumeRole", Resource: roleARN, Caller: jenkins,
			Context: map[string]string{"sts:ExternalId": "x", "aws:MultiFactorAuthAge": "10"}}, p)
	})
}

// TestErrorsQuoteValuesShortly: a policy error quotes at most trunc.Max
// bytes of a value, however long the value (an 18 KB line was seen).
func TestErrorsQuoteValuesShortly(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 18000)
	for _, tt := range []struct{ name, doc string }{
		{"condition value", trust(`"*"`, `{"NumericLessThan":{"aws:MultiFactorAuthAge":"`+long+`"}}`)},
		{"condition key", trust(`"*"`, `{"StringEquals":{"`+long+`":"x"}}`)},
		{"operator", trust(`"*"`, `{"`+long+`":{"sts:ExternalId":"x"}}`)},
		{"principal", trust(`{"AWS":"`+long+`"}`, "")},
		{"effect", `{"Statement":{"Effect":"` + long + `","Principal":"*","Action":"sts:AssumeRole"}}`},
		{"version", `{"Version":"` + long + `","Statement":[]}`},
		{"field", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"x","` + long + `":1}}`},
		{"action", `{"Statement":{"Effect":"Allow","Principal":"*","Action":{"a":"` + long + `"}}}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.doc), Trust)
			if err == nil {
				t.Fatal("accepted")
			}
			if msg := err.Error(); len(msg) > 400 || !strings.Contains(msg, "more bytes)") {
				t.Fatalf("%d bytes of error: %.300s", len(msg), msg)
			}
		})
	}
}

func TestWebIdentityTrust(t *testing.T) {
	t.Parallel()
	const provider = "arn:aws:iam::111111111111:oidc-provider/oidc.example.com/c1"
	web := Principal{ARN: "system:serviceaccount:ci:deployer", Account: "111111111111", Federated: provider}
	ctx := map[string]string{
		OIDCKey("https://oidc.example.com/c1", "sub"): "system:serviceaccount:ci:deployer",
		OIDCKey("https://oidc.example.com/c1", "aud"): "sts.amazonaws.com",
	}
	webTrust := func(principal, cond string) string {
		s := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":` + principal +
			`,"Action":"sts:AssumeRoleWithWebIdentity"`
		if cond != "" {
			s += `,"Condition":` + cond
		}
		return s + `}}`
	}
	for _, tt := range []struct {
		name, doc string
		caller    Principal
		want      Effect
		reason    string
	}{
		{"the provider named", webTrust(`{"Federated":"`+provider+`"}`, ""), web, Allow, ""},
		{"another provider", webTrust(`{"Federated":"arn:aws:iam::111111111111:oidc-provider/other.example.com"}`, ""),
			web, ImplicitDeny, "federated principal " + provider + " is not named"},
		{"an AWS principal never matches a web identity", webTrust(`{"AWS":"111111111111"}`, ""), web, ImplicitDeny, "not named"},
		{"a Federated principal never matches an AWS caller", webTrust(`{"Federated":"`+provider+`"}`, ""), jenkins,
			ImplicitDeny, "not named"},
		{"sub condition holds", webTrust(`{"Federated":"`+provider+`"}`,
			`{"StringLike":{"oidc.example.com/c1:sub":"system:serviceaccount:ci:*"}}`), web, Allow, ""},
		{"sub condition fails", webTrust(`{"Federated":"`+provider+`"}`,
			`{"StringEquals":{"oidc.example.com/c1:sub":"system:serviceaccount:prod:deployer"}}`), web, ImplicitDeny,
			"condition StringEquals oidc.example.com/c1:sub fails"},
		{"aud key in another case", webTrust(`{"Federated":"`+provider+`"}`,
			`{"StringEquals":{"OIDC.example.com/c1:AUD":"sts.amazonaws.com"}}`), web, Allow, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse([]byte(tt.doc), Trust)
			if err != nil {
				t.Fatal(err)
			}
			got := Evaluate(Request{Action: "sts:AssumeRoleWithWebIdentity", Caller: tt.caller, Context: ctx}, p)
			if got.Effect != tt.want || !strings.Contains(got.Reason, tt.reason) {
				t.Fatalf("Evaluate = %v (%s), want %v (%q)", got.Effect, got.Reason, tt.want, tt.reason)
			}
		})
	}
	for _, tt := range []struct{ name, doc, want string }{
		{"a claim the fake does not know", webTrust(`{"Federated":"`+provider+`"}`,
			`{"StringEquals":{"oidc.example.com/c1:repository":"x"}}`), `unknown condition key "oidc.example.com/c1:repository"`},
		{"a provider that is not an ARN", webTrust(`{"Federated":"github"}`, ""), `principal Federated "github" is not`},
		{"a key without a host", webTrust(`{"Federated":"`+provider+`"}`, `{"StringEquals":{"example:sub":"x"}}`),
			`unknown condition key "example:sub"`},
	} {
		if _, err := Parse([]byte(tt.doc), Trust); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}
