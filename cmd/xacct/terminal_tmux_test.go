//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xacct/xacct/internal/testutil"
)

// tmuxPane is a shell in a tmux session of its own (its own server
// socket), as a person at a terminal has one.
type tmuxPane struct {
	t      *testing.T
	socket string
}

// newTmuxPane starts bash in a detached tmux session with env, or skips
// when tmux is not installed.
func newTmuxPane(t *testing.T, env []string) *tmuxPane {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: the person-at-a-terminal test needs it")
	}
	// The test's temporary directory (its parent holds the test's name and
	// a random number) names the server: tests and runs never share one.
	p := &tmuxPane{t: t, socket: "xacct-" + filepath.Base(filepath.Dir(t.TempDir()))}
	cmd := exec.Command("tmux", "-L", p.socket, "-f", "/dev/null", "new-session", "-d", "-x", "200", "-y", "50",
		"env", "-i")
	// No history file: bash would write it into the test's home as the
	// session is killed, while the home is being removed.
	cmd.Args = append(cmd.Args, append(env, "PS1=$ ", "HISTFILE=", "bash", "--norc", "--noprofile")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-L", p.socket, "kill-server").Run() })
	p.expect("$ ")
	return p
}

// send types keys into the pane, as tmux send-keys takes them.
func (p *tmuxPane) send(keys ...string) {
	p.t.Helper()
	if out, err := exec.Command("tmux", append([]string{"-L", p.socket, "send-keys"}, keys...)...).CombinedOutput(); err != nil {
		p.t.Fatalf("tmux send-keys: %v\n%s", err, out)
	}
}

// screen is what the pane shows now.
func (p *tmuxPane) screen() string {
	out, _ := exec.Command("tmux", "-L", p.socket, "capture-pane", "-p", "-J").Output()
	return string(out)
}

// expect waits until the pane shows want.
func (p *tmuxPane) expect(want string) {
	p.t.Helper()
	testutil.WaitFor(p.t, 20*time.Second, "the pane to show "+want, func() bool { return strings.Contains(p.screen(), want) })
}

// A person types xacct credential-process in a shell; the profile's
// credential_process asks for a passphrase on the terminal, the person
// types it, and the credentials come. The shell runs xacct in a process
// group of its own in the foreground, and xacct lends the foreground to
// the command's own group while it runs.
func TestCredentialProcessPromptsInAShell(t *testing.T) {
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
	p := newTmuxPane(t, append(cleanEnv(home), "PATH="+filepath.Dir(xacctBinary(t))+":"+os.Getenv("PATH")))

	// The status line is quoted apart, so that the typed line does not
	// read as it.
	p.send(`xacct credential-process --profile prompted --no-cache; echo "ex""it=$?"`, "Enter")
	p.expect("passphrase: ")
	p.send("open-sesame", "Enter")
	p.expect("exit=")
	screen := p.screen()
	if !strings.Contains(screen, `"AccessKeyId":"AKIAEXAMPLEPROMPTED1"`) || !strings.Contains(screen, "exit=0") {
		t.Errorf("the pane shows, after the answer:\n%s", screen)
	}
}
