package awsprofile

import "testing"

func TestBaseHelpers(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"AKIAEXAMPLE12345678": "…5678", "AKI": "…", "": "…",
	} {
		if got := lastFour(in); got != want {
			t.Errorf("lastFour(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"aws-vault exec prod --json":       "aws-vault",
		`"/opt/my tools/creds" --secret x`: "/opt/my tools/creds",
		"  get-creds  ":                    "get-creds",
	} {
		if got := programName(in); got != want {
			t.Errorf("programName(%q) = %q, want %q", in, got, want)
		}
	}
}
