//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/xacct/xacct/internal/testutil"
)

// With a terminal, credential-process asks for the code there, never on
// stdout (the JSON) or stderr; a second process waiting for it says so on
// its own terminal. One prompt, one MFA session, two JSON lines.
func TestCredentialProcessPromptsOnTheTerminal(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	type proc struct {
		cmd            *exec.Cmd
		screen         *testutil.Screen
		stdout, stderr bytes.Buffer
		done           chan struct{}
	}
	start := func() *proc {
		ptmx, tty := testutil.OpenPTY(t)
		pts, err := os.OpenFile(tty, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer pts.Close()
		p := &proc{cmd: w.command("credential-process", "--profile", "chain", "--cache-dir", w.store),
			screen: &testutil.Screen{PTMX: ptmx}, done: make(chan struct{})}
		// A session of its own, whose controlling terminal is the pty:
		// /dev/tty is the pty, as for a program run from a shell.
		p.cmd.ExtraFiles = []*os.File{pts}
		p.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 3}
		p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { killGroup(p.cmd) })
		go func() { p.cmd.Wait(); close(p.done) }()
		return p
	}
	first := start()
	first.screen.Expect(t, "MFA code for "+devMFA+" (for an MFA session): ")

	second := start()
	// The lock's holder records that a person types a code at its terminal.
	second.screen.Expect(t, fmt.Sprintf("xacct: waiting for an MFA code being typed in another terminal (pid %d), for %s",
		first.cmd.Process.Pid, deployRole))

	fmt.Fprintf(first.screen.PTMX, "%s\n", codeAt(t, devTOTP, time.Now()))
	for i, p := range []*proc{first, second} {
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			t.Fatalf("process %d did not end", i+1)
		}
		if code := p.cmd.ProcessState.ExitCode(); code != 0 || p.stderr.Len() != 0 {
			t.Errorf("process %d: exit %d, stderr %q; want 0 and nothing", i+1, code, p.stderr.String())
		}
		creds := parseProcessOutput(t, p.stdout.String())
		assertNoSecret(t, "the terminal", p.screen.Text(), creds.SecretAccessKey, creds.SessionToken)
	}
	if s, a := w.calls("GetSessionToken", ""), w.calls("AssumeRole", ""); s != 1 || a != 2 {
		t.Errorf("%d GetSessionToken, %d AssumeRole; want 1 and 2", s, a)
	}
}

// A credential_process that prompts on the terminal (a password manager,
// aws-vault, a nested xacct) gets the person's answer. It runs in a
// process group of its own, so that it can be ended with what it starts;
// such a group is in the background, where a read of the terminal stops
// it (SIGTTIN), unless it is lent the foreground, as it is while it runs.
func TestCredentialProcessCommandPromptsOnTheTerminal(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	script := filepath.Join(home, "prompt.sh")
	testutil.WriteFile(t, script, `#!/bin/sh
printf 'passphrase: ' >/dev/tty
read answer </dev/tty
[ "$answer" = open-sesame ] || exit 1
echo '{"Version": 1, "AccessKeyId": "AKIAEXAMPLEPROMPTED1", "SecretAccessKey": "prompted-secret"}'
`, 0o700)
	testutil.WriteFile(t, filepath.Join(home, ".aws", "config"), "[profile prompted]\ncredential_process = "+script+"\n", 0o700)

	ptmx, tty := testutil.OpenPTY(t)
	pts, err := os.OpenFile(tty, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pts.Close()
	cmd := exec.Command(xacctBinary(t), "credential-process", "--profile", "prompted", "--no-cache")
	cmd.Env = cleanEnv(home)
	// A session of its own, whose controlling terminal is the pty, in
	// whose foreground it is, as a program run from a shell.
	cmd.ExtraFiles = []*os.File{pts}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 3}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { killGroup(cmd) })
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()

	screen := &testutil.Screen{PTMX: ptmx}
	screen.Expect(t, "passphrase: ")
	fmt.Fprintln(ptmx, "open-sesame")
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("xacct did not end after the answer (the prompt stopped in the background?); the terminal showed %q",
			screen.Text())
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 || stderr.Len() != 0 {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, stderr.String())
	}
	var creds processCredentials
	if err := json.Unmarshal(stdout.Bytes(), &creds); err != nil || creds.AccessKeyID != "AKIAEXAMPLEPROMPTED1" {
		t.Errorf("stdout is not one JSON line with the prompting command's keys (%v)", err)
	}
}
