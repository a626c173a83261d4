package main

// The demo's terminal story: any tool reaches a profile's chain through
// credential_process, and two processes started together ask one MFA code
// between them (the store's lock), as the AWS CLI shows when it is here.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// demoTerminalConfig adds to demoConfig a role that demands MFA, and the
// profile a tool names: %[1]s is the fake's URL, %[2]s the command line of
// credential_process.
const demoTerminalConfig = `
[profile breakglass]
role_arn = arn:aws:iam::222222222222:role/BreakGlass
source_profile = jenkins
mfa_serial = arn:aws:iam::111111111111:mfa/jenkins
region = us-east-1
endpoint_url = %[1]s

[profile breakglass-tools]
credential_process = %[2]s
region = us-east-1
`

// terminal starts two processes together on the profile of
// credential_process: the AWS CLI when it is on the PATH, else xacct
// credential-process itself, as any SDK would run it.
func (d *toolsRun) terminal() error {
	d.heading("At the terminal: any tool through credential_process, one MFA code for two processes")
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	scenario := filepath.Join(d.dir, "scenario.json")
	if err := os.WriteFile(scenario, demoScenario, 0o600); err != nil {
		return err
	}
	// At a terminal a person types the code; here the fake's device gives
	// it, on the fake's clock.
	code := fmt.Sprintf("'%s' fake-sts code --config '%s' --user jenkins --url %s", exe, scenario, d.srv.URL)
	// The profile last: the shared files' readers strip quotes that open
	// and close a value.
	helper := fmt.Sprintf(`"%s" credential-process --cache-dir "%s" --token-command "%s" --profile breakglass`,
		exe, filepath.Join(d.dir, "tools-store"), code)
	f, err := os.OpenFile(filepath.Join(d.dir, "config"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, demoTerminalConfig, d.srv.URL, helper)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	d.p("   ~/.aws/config: [profile breakglass] role_arn = %s, mfa_serial = %s", roleGlass, jenkinsMFA)
	d.p("                  [profile breakglass-tools] credential_process = xacct credential-process --profile breakglass")
	return d.twoProcesses(exe)
}

// twoProcesses runs the two processes, and says what STS saw.
func (d *toolsRun) twoProcesses(exe string) error {
	name, args := exe, []string{"credential-process", "--profile", "breakglass-tools"}
	shown := "xacct credential-process --profile breakglass-tools (as an SDK runs it; the AWS CLI is not on the PATH)"
	if aws, err := exec.LookPath("aws"); err == nil {
		name, args = aws, []string{"sts", "get-caller-identity", "--profile", "breakglass-tools", "--query", "Arn", "--output", "text"}
		shown = "aws sts get-caller-identity --profile breakglass-tools"
	}
	ctx, cancel := context.WithTimeout(d.ctx, 2*time.Minute)
	defer cancel()
	before := d.srv.CallCount("AssumeRole")
	cmds := make([]*exec.Cmd, 2)
	outs := make([]*bytes.Buffer, 2)
	for i := range cmds {
		cmds[i], outs[i] = exec.CommandContext(ctx, name, args...), &bytes.Buffer{}
		cmds[i].Env = d.toolEnv()
		cmds[i].Stdout, cmds[i].Stderr = outs[i], outs[i]
		detachFromTerminal(cmds[i])
		if err := cmds[i].Start(); err != nil {
			return err
		}
	}
	d.p("   two processes started together: %s", shown)
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			return fmt.Errorf("process %d: %v: %s", i+1, err, strings.TrimSpace(outs[i].String()))
		}
		got := strings.TrimSpace(outs[i].String())
		if !strings.HasPrefix(got, "arn:") {
			got = "credentials (JSON on stdout, version 1)"
		}
		d.p("   process %d: %s", i+1, got)
	}
	d.p("   STS saw %d AssumeRole of BreakGlass (each takes an MFA code): the second process waited for the first",
		d.srv.CallCount("AssumeRole")-before)
	d.p("   one's session and took it from the store (at a terminal: one prompt; `xacct login breakglass` asks it ahead)")
	return nil
}

// toolEnv is this process's environment without its AWS and xacct
// settings, with the demo's files and the fake's endpoint.
func (d *toolsRun) toolEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "XACCT_") {
			env = append(env, kv)
		}
	}
	return append(env, "AWS_CONFIG_FILE="+filepath.Join(d.dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(d.dir, "no-credentials"),
		"AWS_ENDPOINT_URL="+d.srv.URL, "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1")
}
