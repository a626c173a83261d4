package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// xacct env prints what a shell reads back as the credentials exactly;
// every format carries the same variables.
func TestEnvFormats(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	r := w.run(t, "env", "plain", "--cache-dir", w.store, "--format", "json")
	var vars map[string]string
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &vars) != nil {
		t.Fatalf("env --format json: exit %d, stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION"} {
		if vars[k] == "" {
			t.Errorf("env --format json lacks %s: %v", k, r.stdout)
		}
	}
	if vars["AWS_REGION"] != "us-east-1" || vars["AWS_ACCOUNT_ID"] != "222222222222" {
		t.Errorf("env: region %q account %q", vars["AWS_REGION"], vars["AWS_ACCOUNT_ID"])
	}

	// The store serves the second run: the same keys, read back by bash.
	r = w.run(t, "env", "--profile", "plain", "--cache-dir", w.store)
	if r.code != 0 || !strings.Contains(r.stdout, "unset AWS_PROFILE\n") {
		t.Fatalf("env: exit %d, stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	sh := exec.Command("bash", "-c", `AWS_PROFILE=x; eval "$(cat)"; echo "$AWS_ACCESS_KEY_ID|$AWS_SESSION_TOKEN|${AWS_PROFILE-unset}"`)
	out, err := runStdin(sh, r.stdout)
	if want := vars["AWS_ACCESS_KEY_ID"] + "|" + vars["AWS_SESSION_TOKEN"] + "|unset\n"; err != nil || out != want {
		t.Errorf("bash eval: %q, %v; want %q", out, err, want)
	}
	r = w.run(t, "env", "plain", "--cache-dir", w.store, "--format", "dotenv")
	if !strings.Contains(r.stdout, `AWS_SESSION_TOKEN="`+vars["AWS_SESSION_TOKEN"]+`"`) {
		t.Errorf("dotenv: %q", r.stdout)
	}
	r = w.run(t, "env", "plain", "--cache-dir", w.store, "--format", "json", "--region", "eu-west-3")
	if !strings.Contains(r.stdout, `"AWS_REGION":"eu-west-3"`) || !strings.Contains(r.stdout, `"AWS_DEFAULT_REGION":"eu-west-3"`) {
		t.Errorf("env --region eu-west-3: %q %s", r.stdout, r.stderr)
	}
	r = w.run(t, "env", "plain", "--cache-dir", w.store, "--format", "csh")
	if r.code != exitConfig || !strings.Contains(r.stderr, `--format "csh": want one of sh, fish, pwsh, json, dotenv`) {
		t.Errorf("--format csh: exit %d, %q", r.code, r.stderr)
	}
}

// The quoting of each shell format keeps any value whole.
func TestWriteExportQuoting(t *testing.T) {
	t.Parallel()
	vars := []envVar{{"A", `it's "x" \ $y`}}
	for format, want := range map[string]string{
		"sh":     "unset P\nexport A='it'\\''s \"x\" \\ $y'\n",
		"fish":   "set -e P\nset -gx A 'it\\'s \"x\" \\\\ $y'\n",
		"pwsh":   "Remove-Item -ErrorAction SilentlyContinue Env:P\n$Env:A = 'it''s \"x\" \\ $y'\n",
		"dotenv": "A=\"it's \\\"x\\\" \\\\ $y\"\n",
		"json":   "{\"A\":\"it's \\\"x\\\" \\\\ $y\",\"P\":null}\n",
	} {
		var b strings.Builder
		if err := writeExport(&b, format, vars, []string{"P"}); err != nil || b.String() != want {
			t.Errorf("%s: %q, %v; want %q", format, b.String(), err, want)
		}
	}
	sh := exec.Command("bash", "-c", `eval "$(cat)"; printf %s "$A"`)
	var b strings.Builder
	writeExport(&b, "sh", vars, nil)
	if out, err := runStdin(sh, b.String()); err != nil || out != vars[0].value {
		t.Errorf("bash reads back %q, %v", out, err)
	}
}

func runStdin(cmd *exec.Cmd, stdin string) (string, error) {
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	return string(out), err
}
