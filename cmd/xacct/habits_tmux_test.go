//go:build linux

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xacct/xacct/internal/testutil"
)

// A person at a terminal, as issue 18 tells it: reads the fake's MFA code
// (fake-sts code), logs in by profile name, runs for-each-account on the
// stored session with no prompt, opens a shell with the profile's
// credentials (exec PROFILE), is refused a nested exec, gets the variables
// for eval (env), is told at a second code of one device that
// xacct_mfa_session = shared would save it, and asks for help. Keys are
// typed into a tmux pane; what the pane shows is checked. With
// XACCT_SCREENS=FILE, the screens are appended to FILE, for the closing note.
func TestHabitsAtATerminal(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	scenario, _ := filepath.Abs("testdata/tools.json")
	env := append(append([]string(nil), w.env...), "PATH="+filepath.Dir(w.bin)+":"+os.Getenv("PATH"), "SHELL=/bin/bash")
	p := newTmuxPane(t, env)
	shots := &screens{t: t}

	// 12: the code of dev's device, as the running fake's clock has it.
	p.send("clear; xacct fake-sts code --config "+scenario+" --user dev --url "+w.fake.url, "Enter")
	p.expect("xacct fake-sts code: the code of " + devMFA + ", for ")
	code := regexp.MustCompile(`(?m)^(\d{6})$`).FindString(p.screen())
	if code == "" {
		t.Fatalf("no code on the screen:\n%s", p.screen())
	}
	shots.add("fake-sts code", p.screen())

	// 1, 4: login by profile name; the prompt waits for the person.
	// 3: a typo is refused by STS and asked again; the same code typed
	// again is not sent; the right one goes through.
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	p.send("clear; xacct login chain; echo \"ex\"\"it=$?\"", "Enter")
	p.expect("MFA code for ")
	p.send(wrong, "Enter")
	p.expect("the MFA code was refused: wrong, or already used; wait for the next code (try 2 of 3)")
	p.send(wrong, "Enter")
	p.expect("that code was refused already: wait for the next one")
	p.send(code, "Enter")
	p.expect("exit=")
	if n := strings.Count(w.fake.settledLog(), " GetSessionToken "); n != 2 || w.calls("GetSessionToken", "") != 1 {
		t.Errorf("%d GetSessionToken calls; want 2: the wrong code once, the right one once", n)
	}
	if s := p.screen(); !strings.Contains(s, "profile chain: kept in "+w.store) && !strings.Contains(s, "profile chain: kept in") ||
		!strings.Contains(s, "exit=0") {
		t.Fatalf("login chain:\n%s", s)
	}
	shots.add("login PROFILE", p.screen())

	// 5: right after login, for-each-account asks nothing: its caller's
	// session (admin, hop 1 of chain) comes from the store.
	assumed := w.calls("AssumeRole", "")
	p.send("clear; xacct for-each-account -p admin --accounts 333333333333 --role-name Deploy -- "+
		"sh -c 'echo in $XACCT_ACCOUNT_ID'; echo \"fan\"\"out=$?\"", "Enter")
	p.expect("fanout=")
	if s := p.screen(); !strings.Contains(s, "[333333333333] in 333333333333") || !strings.Contains(s, `"status":"ok"`) ||
		!strings.Contains(s, "fanout=0") || strings.Contains(s, "MFA code") {
		t.Errorf("for-each-account after login:\n%s", s)
	}
	if n := w.calls("AssumeRole", "") - assumed; n != 1 || w.calls("GetSessionToken", "") != 1 {
		t.Errorf("for-each-account after login: %d AssumeRole calls, %d GetSessionToken in all; want 1 (Deploy) and 1",
			n, w.calls("GetSessionToken", ""))
	}
	shots.add("for-each-account after login", p.screen())

	// 1: exec PROFILE opens the shell, says which profile and until when;
	// the shell is marked; an exec inside it is refused.
	p.send("clear; xacct exec chain", "Enter")
	p.expect("with the credentials of profile chain until")
	p.send(`echo "profile=$XACCT_PROFILE vault=$AWS_VAULT"; aws_key="$AWS_ACCESS_KEY_ID"; echo "key=${aws_key:0:4}"`, "Enter")
	p.expect("profile=chain vault=chain")
	p.expect("key=ASIA")
	p.send("xacct exec chain -- true; echo \"ne\"\"sted=$?\"", "Enter")
	p.expect("nested=2")
	if s := p.screen(); !strings.Contains(s, "this shell already has the credentials of profile chain") {
		t.Errorf("nested exec:\n%s", s)
	}
	shots.add("exec PROFILE (a shell), and exec inside it", p.screen())
	p.send("exit", "Enter")
	p.expect("$ ")

	// 2: env PROFILE for eval, from the store: no prompt.
	p.send("clear; eval \"$(xacct env chain)\"; echo \"region=$AWS_REGION exp=${AWS_CREDENTIAL_EXPIRATION:0:4}\"; xacct env chain --format fish | cut -d' ' -f1-3 | tail -8", "Enter")
	p.expect("set -gx AWS_DEFAULT_REGION")
	if s := p.screen(); !strings.Contains(s, "region=us-east-1 exp=20") || strings.Contains(s, "MFA code for") {
		t.Errorf("env:\n%s", s)
	}
	shots.add("env PROFILE", p.screen())

	// 6: a profile wrapping xacct credential-process is seen through.
	p.send("clear; xacct explain wrapped | grep -E '^(profile|base|hop)'", "Enter")
	p.expect("acting on chain")
	p.expect("hop 2:")
	shots.add("explain of a profile that wraps xacct", p.screen())

	// 7: two roles with mfa_serial on one source profile ask a code each,
	// as the AWS CLI reads them; the second prompt says that
	// xacct_mfa_session = shared on the source would have asked one.
	roles := ""
	for _, r := range []string{"hop-a", "hop-b"} {
		roles += "\n[profile " + r + "]\nrole_arn = " + adminRole + "\nsource_profile = dev-keys\nmfa_serial = " + devMFA +
			"\nrole_session_name = tools-" + r + "\nregion = us-east-1\nservices = fake\n"
	}
	testutil.WriteFile(t, w.config, w.configText()+roles, 0o600)
	nextCode := func() string { // the device's next code, on the fake's clock moved on
		adminClock(t, w.fake.url, map[string]string{"advance": "30s"})
		p.send("clear; xacct fake-sts code --config "+scenario+" --user dev --url "+w.fake.url+" | head -1 | sed 's/^/next=/'", "Enter")
		p.expect("next=")
		return strings.TrimPrefix(regexp.MustCompile(`next=\d{6}`).FindString(p.screen()), "next=")
	}
	first := nextCode() // read before the prompt, which takes what the pane is sent
	p.send("clear; xacct login hop-a; echo \"fir\"\"st=$?\"", "Enter")
	p.expect("MFA code for ")
	p.send(first, "Enter")
	p.expect("first=0")
	second := nextCode()
	p.send("clear; xacct login hop-b; echo \"sec\"\"ond=$?\"", "Enter")
	p.expect("MFA code for ")
	if s := p.screen(); !strings.Contains(s, "xacct: a second code of "+devMFA+": profile hop-a holds a session from one "+
		"already; xacct_mfa_session = shared on profile dev-keys would ask one code for all its roles") {
		t.Errorf("the second prompt:\n%s", s)
	}
	p.send(second, "Enter")
	p.expect("second=0")
	shots.add("a second code of one device", p.screen())

	// 8: help on stdout, exit 0.
	p.send("clear; xacct help exec > /tmp/help.$$; echo \"ex\"\"it=$?\"; head -3 /tmp/help.$$; rm /tmp/help.$$", "Enter")
	p.expect("exit=0")
	p.expect("usage: xacct exec [PROFILE | --profile P]")
	if s := p.screen(); !strings.Contains(s, "usage: xacct exec [PROFILE | --profile P]") {
		t.Errorf("help exec:\n%s", s)
	}
	shots.add("help CMD", p.screen())
	shots.write()
}

// screens collects what panes showed, for XACCT_SCREENS.
type screens struct {
	t    *testing.T
	text strings.Builder
}

func (s *screens) add(title, screen string) {
	s.text.WriteString("### " + title + "\n\n```\n" + strings.TrimRight(screen, "\n ") + "\n```\n\n")
}

func (s *screens) write() {
	path := os.Getenv("XACCT_SCREENS")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	defer f.Close()
	f.WriteString(s.text.String())
}
