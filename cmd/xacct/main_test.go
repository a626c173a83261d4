package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemo runs the demo as a person does (its terminal step starts the
// binary itself), with the AWS CLI on the PATH and without it.
func TestDemo(t *testing.T) {
	t.Parallel()
	bin := xacctBinary(t)
	for _, c := range []struct {
		name, path, tool string
	}{
		{"with the PATH", os.Getenv("PATH"), "aws sts get-caller-identity --profile breakglass-tools"},
		{"without the AWS CLI", "", "xacct credential-process --profile breakglass-tools (as an SDK runs it"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, err := exec.LookPath("aws"); err != nil && strings.HasPrefix(c.tool, "aws") {
				needPeer(t, "no aws on PATH")
			}
			path := c.path
			if path == "" { // a shell for credential_process, and nothing else
				path = t.TempDir()
				if err := os.Symlink("/bin/sh", filepath.Join(path, "sh")); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(bin, "demo", "--readers", "20", "--hours", "2")
			cmd.Env = append(cleanEnv(t.TempDir()), "PATH="+path)
			r := runCmd(t, cmd, "")
			if r.code != 0 {
				t.Fatalf("demo exited %d: %s", r.code, r.stderr)
			}
			checkDemo(t, r.stdout, c.tool)
		})
	}
}

// checkDemo checks what the demo said, of which tool of the terminal step.
func checkDemo(t *testing.T, s, tool string) {
	t.Helper()
	for _, want := range []string{
		"two processes started together: " + tool,
		"process 1: ", "process 2: ",
		"STS saw 1 AssumeRole of BreakGlass (each takes an MFA code)",
		"refused: hop 1 (arn:aws:iam::222222222222:role/CrossAccountRole)",
		"xacct's hint: the trust policy of arn:aws:iam::222222222222:role/CrossAccountRole",
		"accepted: the program now acts as arn:aws:sts::222222222222:assumed-role/CrossAccountRole/xacct-demo",
		"refused: hop 1 (arn:aws:iam::222222222222:role/BreakGlass)",
		"accepted: arn:aws:sts::222222222222:assumed-role/BreakGlass/xacct-demo",
		"GetCallerIdentity with the chain's credentials: arn:aws:sts::333333333333:assumed-role/Deploy/xacct-demo",
		"is above 1h, but this hop is role chaining",
		"refreshed in the background; no reader waited",
		"0 errors, 0 expired credentials",
		`xacct.LoadConfig(ctx, "deploy"): the program now acts as arn:aws:sts::333333333333:assumed-role/Deploy/xacct-demo`,
		"the first program (Options.Store = xacct.NewFileStore(dir)): 2 AssumeRole calls",
		"the second program (Options.Store = xacct.NewFileStore(dir)): 0 AssumeRole calls",
		"the store holds 2 sessions",
		"666666666666 Sandbox          refused: AccessDenied",
		"4 succeeded, 1 failed",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if strings.Contains(s, "any-string") || strings.Contains(s, "777777777777") {
		t.Errorf("demo output shows a secret, or the suspended account:\n%s", s)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "usage: xacct <command>"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"demo", "--hours", "0"}, 2, "--hours from 1 to 48"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), tt.args, &out, &errOut)
		if code != tt.code || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("xacct %v: exit %d, stderr %q; want %d and %q", tt.args, code, errOut.String(), tt.code, tt.want)
		}
	}
}
