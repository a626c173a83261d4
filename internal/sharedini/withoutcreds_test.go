package sharedini

import (
	"slices"
	"testing"
)

func TestWithoutCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		isConfig  bool
		in, want  string
		dropped   bool
		shadowing string
	}{
		{"config: [default]'s keys go, its region stays", true,
			"[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\nregion = eu-west-1\n",
			"[default]\nregion = eu-west-1\n", true, "aws_access_key_id, aws_secret_access_key"},
		{"config: [profile default] is default too", true,
			"[profile default]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = base\n",
			"[profile default]\n", true, "role_arn, source_profile"},
		{"config: other profiles are kept whole", true,
			"[profile other]\naws_access_key_id = AKIA\n[default]\ncredential_process = x\noutput = json\n[profile b]\nrole_arn = r\n",
			"[profile other]\naws_access_key_id = AKIA\n[default]\noutput = json\n[profile b]\nrole_arn = r\n", true, "credential_process"},
		{"config: sso keys and sub-properties of a dropped key go", true,
			"[default]\nsso_session = s\nsso_account_id = 1\ns3 =\n  max_concurrent_requests = 2\n",
			"[default]\ns3 =\n  max_concurrent_requests = 2\n", true, "sso_account_id, sso_session"},
		{"config: comments and case kept, keys matched in any case", true,
			"# mine\n[default] ; main\nAWS_Access_Key_ID=AKIA\n\nregion=us-east-1\n",
			"# mine\n[default] ; main\n\nregion=us-east-1\n", true, "aws_access_key_id"},
		{"config: [default] in a config file's [sso-session default] is not a profile", true,
			"[sso-session default]\nsso_start_url = u\n", "[sso-session default]\nsso_start_url = u\n", false, ""},
		{"credentials: [default]'s keys go", false,
			"[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\naws_session_token = t\n[dev]\naws_access_key_id = B\n",
			"[default]\n[dev]\naws_access_key_id = B\n", true, "aws_access_key_id, aws_secret_access_key, aws_session_token"},
		{"credentials: [profile default] is not the default there", false,
			"[profile default]\naws_access_key_id = AKIA\n", "[profile default]\naws_access_key_id = AKIA\n", false, ""},
		{"nothing to drop", true, "[profile x]\nregion = r\n", "[profile x]\nregion = r\n", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, dropped := WithoutCredentials([]byte(tc.in), tc.isConfig, "default")
			if string(got) != tc.want || dropped != tc.dropped {
				t.Errorf("got (dropped %v)\n%s\nwant (dropped %v)\n%s", dropped, got, tc.dropped, tc.want)
			}
			if s := ShadowingKeys([]byte(tc.in), tc.isConfig, "default"); s != tc.shadowing {
				t.Errorf("ShadowingKeys %q, want %q", s, tc.shadowing)
			}
			if again, d := WithoutCredentials(got, tc.isConfig, "default"); string(again) != string(got) || d {
				t.Errorf("not idempotent: %s", again)
			}
		})
	}
	if slices.Contains(CredentialKeys, "region") {
		t.Error("region is configuration, not a credential key")
	}
}
