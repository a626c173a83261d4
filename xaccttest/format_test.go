package xaccttest

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// TestNoSecretInFormatting formats every exported type of the package, with
// every verb, and looks for the secrets they hold or lead to.
func TestNoSecretInFormatting(t *testing.T) {
	t.Parallel()
	srv := world(t)
	out, err := assume(client(t, srv, "111111111111", "jenkins"), crossRole, "ext-123")
	must(t, err)
	sc, err := LoadScenarioFile("testdata/issue.json")
	must(t, err)
	user := sc.Accounts["111111111111"].Users["jenkins"]
	secrets := []string{
		jenkinsSecret, "alice-secret", user.MFATOTPSecret, "JBSWY3DPEHPK3PXQ",
		*out.Credentials.SecretAccessKey, *out.Credentials.SessionToken,
	}
	values := map[string]any{
		"*Server": srv, "Scenario": *sc, "*Scenario": sc, "Account": sc.Accounts["111111111111"], "User": user,
		"*User": &user, "Role": sc.Accounts["222222222222"].Roles["CrossAccountRole"], "Call": lastCall(t, srv),
		"[]Call": srv.Calls(), "Fault": Fault{Code: "Throttling"}, "*Clock": srv.Clock,
		"OIDCProvider": OIDCProvider{URL: issuer, Audiences: []string{stsAudience}},
	}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%60.40s", "%T"} {
			got := fmt.Sprintf(verb, v)
			for _, secret := range secrets {
				for _, form := range []string{secret, hex.EncodeToString([]byte(secret)), strings.ToUpper(hex.EncodeToString([]byte(secret)))} {
					if strings.Contains(got, form) {
						t.Errorf("%s formatted with %s shows a secret: %s", name, verb, got)
					}
				}
			}
		}
	}
	// What is shown still says what the value is.
	if got := fmt.Sprintf("%+v", user); !strings.Contains(got, "AccessKeyID:"+jenkinsKey) || !strings.Contains(got, redacted) {
		t.Errorf("%%+v of a User: %s", got)
	}
	if got := fmt.Sprintf("%v", srv); got != "xaccttest.Server{URL:"+srv.URL+"}" {
		t.Errorf("%%v of a Server: %s", got)
	}
}
