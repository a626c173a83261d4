package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestExportFormats prints awkward values in every format, and, for sh
// and fish where installed, has the shell read them back.
func TestExportFormats(t *testing.T) {
	t.Parallel()
	values := []exportVar{{"A_PLAIN", "http://127.0.0.1:8080/xacct/0f"}, {"A_QUOTE", `it's "x" \ $HOME ` + "`id`"}}
	for _, f := range exportFormats {
		var b bytes.Buffer
		if err := writeExports(&b, f, values, []string{"AWS_PROFILE"}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		switch f {
		case "sh", "fish":
			shell := map[string]string{"sh": "sh", "fish": "fish"}[f]
			if _, err := exec.LookPath(shell); err != nil {
				t.Logf("no %s: its output not run", shell)
				continue
			}
			script := out + "printf '%s|%s|%s' \"$A_PLAIN\" \"$A_QUOTE\" \"${AWS_PROFILE-unset}\"\n"
			if f == "fish" {
				script = out + "printf '%s|%s|%s' \"$A_PLAIN\" \"$A_QUOTE\" (set -q AWS_PROFILE; and echo set; or echo unset)\n"
			}
			cmd := exec.Command(shell, "-c", script)
			cmd.Env = append(os.Environ(), "AWS_PROFILE=p")
			got, err := cmd.Output()
			if want := values[0].value + "|" + values[1].value + "|unset"; err != nil || string(got) != want {
				t.Errorf("%s read back %q (%v), want %q\n%s", f, got, err, want, out)
			}
		case "json":
			var m map[string]*string
			if err := json.Unmarshal(b.Bytes(), &m); err != nil || *m["A_QUOTE"] != values[1].value || m["AWS_PROFILE"] != nil {
				t.Errorf("json %s: %v", out, err)
			}
		case "pwsh":
			if !strings.Contains(out, `$Env:A_QUOTE = 'it''s "x" \ $HOME `+"`id`'") || !strings.Contains(out, "Remove-Item Env:AWS_PROFILE") {
				t.Errorf("pwsh:\n%s", out)
			}
		case "dotenv":
			if !strings.Contains(out, "A_PLAIN=http://127.0.0.1:8080/xacct/0f\n") ||
				!strings.Contains(out, `A_QUOTE="it's \"x\" \\ \$HOME `+"`id`\"") || strings.Contains(out, "AWS_PROFILE") {
				t.Errorf("dotenv:\n%s", out)
			}
		}
	}
	if err := checkExportFormat("bash"); err == nil || !strings.Contains(err.Error(), "--format \"bash\"") {
		t.Errorf("checkExportFormat(bash) = %v, want the flag and the formats", err)
	}
}
