package main

// The documentation's shell commands run here, so that they cannot rot:
// every ```sh (or bash, shell, console) block of README.md and docs/*.md
// runs, in order, in a world of its file's own — a temporary HOME whose
// ~/.aws/config and credentials are the file's ```ini blocks, a fake STS
// of the demo scenario named by AWS_ENDPOINT_URL, xacct on the PATH — on a
// terminal, where MFA prompts are answered with the device's code as a
// person reads it. A block fails the test when it exits non-zero or leaves
// files in the checkout. Only the install lines of xacct itself are not
// run (they fetch the published module), and the README's test command is
// checked to be the one .ci/run runs rather than run inside the tests.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xacct/xacct/internal/testutil"
	"github.com/xacct/xacct/xaccttest"
)

// docBlock is one fenced block of a markdown file.
type docBlock struct {
	line int    // of the opening fence, from 1
	lang string // the info string's first word: "sh", "ini", ...
	arg  string // the rest of the info string: for ini, the file it belongs in
	text string
}

// docBlocks returns the fenced blocks of a markdown text.
func docBlocks(md string) []docBlock {
	var out []docBlock
	var cur *docBlock
	for i, l := range strings.Split(md, "\n") {
		switch {
		case cur == nil && strings.HasPrefix(l, "```"):
			info := strings.Fields(strings.TrimPrefix(l, "```"))
			b := docBlock{line: i + 1}
			if len(info) > 0 {
				b.lang = info[0]
				b.arg = strings.Join(info[1:], " ")
			}
			cur = &b
		case cur != nil && strings.HasPrefix(l, "```"):
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.text += l + "\n"
		}
	}
	return out
}

// docScript returns the commands of a shell block as a script: a console
// block's lines after "$ " (and their continuations), a shell block as it
// is. Install lines of xacct itself are left out.
func docScript(b docBlock) string {
	var lines []string
	cont := false
	for _, l := range strings.Split(b.text, "\n") {
		if b.lang == "console" {
			switch {
			case strings.HasPrefix(l, "$ "):
				l = strings.TrimPrefix(l, "$ ")
			case !cont:
				continue // output
			}
			cont = strings.HasSuffix(l, "\\")
		}
		if installLine.MatchString(l) {
			l = "# (install line, not run) " + l
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// installLine is an install of xacct itself from the published module.
var installLine = regexp.MustCompile(`^\s*go (install|get) github\.com/xacct/xacct`)

// goTestLists makes a shown `go test` list the tests and benchmarks it
// names (-list) instead of running them: the command builds, its flags
// parse, and what it names exists, so a renamed test breaks the docs; the
// runs themselves are the test suite's, and a measurement's would take
// minutes.
const goTestLists = `go() {
	if [ "$1" != test ]; then command go "$@"; return; fi
	shift
	local a prev= pat=
	for a in "$@"; do
		case "$prev" in -run|-bench) case "$a" in XXX|'^$') ;; *) pat="${pat:+$pat|}$a" ;; esac ;; esac
		case "$a" in -run=*|-bench=*) case "${a#*=}" in XXX|'^$') ;; *) pat="${pat:+$pat|}${a#*=}" ;; esac ;; esac
		prev=$a
	done
	local out
	out=$(command go test "$@" -list "${pat:-.}") || { printf '%s\n' "$out"; return 1; }
	printf '%s\n' "$out"
	if ! printf '%s\n' "$out" | grep -qv '^ok'; then echo "docs: go test names no test that exists: ${pat:-.}" >&2; return 1; fi
}
`

// testCommand is the README's test command: .ci/run must run it.
const testCommand = "go test -race -count=1 ./..."

var shellLangs = map[string]bool{"sh": true, "bash": true, "shell": true, "console": true}

// TestDocsCommandsRun runs the shell blocks of the README and of every
// page under docs/.
func TestDocsCommandsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the documentation's commands: not in -short")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	files = append([]string{filepath.Join(root, "README.md")}, files...)
	if only := os.Getenv("XACCT_DOCS"); only != "" { // one page, while writing it
		files = []string{filepath.Join(root, only)}
	}
	for _, file := range files {
		rel, _ := filepath.Rel(root, file)
		t.Run(rel, func(t *testing.T) {
			md, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			blocks := docBlocks(string(md))
			var w *docWorld
			for _, b := range blocks {
				if !shellLangs[b.lang] {
					continue
				}
				if w == nil {
					w = newDocWorld(t, root, blocks)
				}
				w.run(t, rel, b)
			}
		})
	}
}

// docWorld is where one file's blocks run.
type docWorld struct {
	root string   // the checkout: the blocks' working directory
	env  []string // HOME, PATH, the fake's endpoint
	srv  *xaccttest.Server
}

func newDocWorld(t *testing.T, root string, blocks []docBlock) *docWorld {
	t.Helper()
	sc, err := xaccttest.LoadScenarioFile(filepath.Join(root, "cmd", "xacct", "demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	sc.IdentityCenter = docsIdentityCenter
	srv, err := xaccttest.NewServerWithScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	if err := srv.AddUser("111111111111", "alice", docsUser); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	files := map[string]string{}
	for _, b := range blocks {
		if b.lang == "ini" {
			name := "~/.aws/config"
			if b.arg != "" {
				name = b.arg
			}
			files[name] += b.text + "\n"
		}
	}
	for name, text := range files {
		if !strings.HasPrefix(name, "~/") {
			t.Fatalf("an ini block names %q: the file an ini block belongs in is written ~/...", name)
		}
		testutil.WriteFile(t, filepath.Join(home, name[2:]), text, 0o600)
	}
	bin := filepath.Dir(xacctBinary(t))
	w := &docWorld{root: root, srv: srv}
	// The user's own AWS settings are not the world's: left out, not set
	// empty (the AWS CLI reads AWS_CONFIG_FILE="" as a file named "").
	var environ []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "XACCT_") {
			environ = append(environ, kv)
		}
	}
	// Go's caches stay the machine's: a new HOME would fetch every module.
	goEnv, err := exec.Command("go", "env", "GOPATH", "GOMODCACHE", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	g := strings.Fields(string(goEnv))
	environ = append(environ, "GOPATH="+g[0], "GOMODCACHE="+g[1], "GOCACHE="+g[2])
	bin += string(os.PathListSeparator) + filepath.Join(g[0], "bin")
	w.env = append(environ,
		"HOME="+home, "TMPDIR="+t.TempDir(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"AWS_ENDPOINT_URL="+srv.URL, "AWS_REGION=us-east-1", "AWS_PAGER=",
		"XACCT_SIGNIN_ENDPOINT="+srv.URL+xaccttest.FederationPath)
	return w
}

// docsIdentityCenter is the IAM Identity Center of the documentation's
// examples (docs/sso.md): alice, signed in at once, may use Auditor in
// three accounts.
var docsIdentityCenter = &xaccttest.IdentityCenter{
	StartURL: "https://d-1234567890.awsapps.com/start", Region: "us-east-1", AutoApproveUser: "alice",
	Users: map[string]xaccttest.IdentityCenterUser{"alice": {Assignments: []xaccttest.Assignment{
		{Account: "222222222222", Role: "Auditor"}, {Account: "444444444444", Role: "Auditor"}, {Account: "555555555555", Role: "Auditor"}}}},
}

// docsUser is the person of the documentation's examples, with the keys
// AWS's own documentation shows.
var docsUser = xaccttest.User{
	AccessKeyID:     "AKIAIOSFODNN7EXAMPLE",
	SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	MFATOTPSecret:   "JBSWY3DPEHPK3PXQ",
	Policies: []json.RawMessage{json.RawMessage(`{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Action":["sts:AssumeRole","organizations:List*"],"Resource":"*"}]}`)},
}

// run runs one block on a terminal, answering MFA prompts, and fails the
// test when it exits non-zero or leaves files in the checkout.
func (w *docWorld) run(t *testing.T, file string, b docBlock) {
	t.Helper()
	where := fmt.Sprintf("%s:%d", file, b.line)
	script := docScript(b)
	if strings.Contains(script, testCommand) {
		ci, err := os.ReadFile(filepath.Join(w.root, ".ci", "run"))
		if err != nil || !strings.Contains(string(ci), testCommand) {
			t.Errorf("%s: the test command %q is not what .ci/run runs", where, testCommand)
		}
		return
	}
	before := gitStatus(t, w.root)
	ptmx, tty := testutil.OpenPTY(t)
	term, err := os.OpenFile(tty, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// set -e, as a reader's shell would stop at a failure; no pipefail:
	// `xacct help exec | head -2` is how people read, and head closing
	// the pipe is no failure of the command.
	cmd := exec.CommandContext(ctx, "bash", "-c", "set -e\n"+goTestLists+script)
	cmd.Dir, cmd.Env = w.root, w.env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = term, term, term
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	shown := make(chan string, 1)
	go func() { shown <- w.answer(ptmx) }()
	err = cmd.Wait()
	term.Close()
	ptmx.SetReadDeadline(time.Now().Add(2 * time.Second))
	out := <-shown
	if err != nil {
		t.Errorf("%s: the block failed (%v):\n%s\nits terminal:\n%s", where, err, script, out)
	}
	if after := gitStatus(t, w.root); after != before {
		t.Errorf("%s: the block left files in the checkout:\n%s", where, after)
	}
}

// answer reads the terminal until it closes, typing a code at each MFA
// prompt, and returns what it showed.
func (w *docWorld) answer(ptmx *os.File) string {
	var shown strings.Builder
	r := bufio.NewReader(ptmx)
	var line strings.Builder
	for {
		c, err := r.ReadByte()
		if err != nil {
			return shown.String()
		}
		shown.WriteByte(c)
		line.WriteByte(c)
		if c == '\n' {
			line.Reset()
			continue
		}
		if m := mfaPrompt.FindStringSubmatch(line.String()); m != nil && strings.HasSuffix(line.String(), ": ") {
			fmt.Fprintf(ptmx, "%s\r", w.code(m[1]))
			line.Reset()
		}
	}
}

var mfaPrompt = regexp.MustCompile(`MFA code for (arn:aws[\w-]*:iam::\d{12}:mfa/[\w+=,.@/-]+)`)

// code reads the device's code as a person would, waiting (on the fake's
// clock) for the next one when this one was used.
func (w *docWorld) code(serial string) string {
	for range 3 {
		if c, err := w.srv.TOTP(serial); err == nil {
			return c
		}
		w.srv.Clock.Advance(30 * time.Second)
	}
	return "000000"
}

// gitStatus lists what git sees changed in the checkout.
func gitStatus(t *testing.T, root string) string {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=all").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	return string(out)
}
