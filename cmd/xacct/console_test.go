package main

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xacct/xacct/internal/testutil"
)

func TestConsolePrintBySessionKind(t *testing.T) {
	t.Parallel()
	w := newSigninWorld(t)
	home := "https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1"
	for _, c := range []struct {
		name     string
		args     []string
		caller   string
		duration int
		dest     string
	}{
		{"one-hop role", []string{"plain", "--print"}, "assumed-role/Plain/tools", 3600, home},
		{"chained role", []string{"--print", "chain"}, "assumed-role/Deploy/tools", 0, home},
		{"IAM user", []string{"--profile", "keys", "--print", "--destination", "s3"}, "federated-user/",
			0, "https://us-east-1.console.aws.amazon.com/s3/home?region=us-east-1"},
		{"GovCloud", []string{"gov", "--print"}, "assumed-role/Plain/tools", 3600,
			"https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"},
	} {
		from := len(w.srv.Calls())
		r := w.xacct(t, nil, append([]string{"console", "--cache-dir", w.store}, c.args...)...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", c.name, r.code, r.stderr)
		}
		var signin []string
		for _, call := range w.srv.Calls()[from:] {
			if call.Action == "getSigninToken" {
				if !call.Allowed || !strings.Contains(call.Caller, c.caller) || call.DurationSeconds != c.duration {
					t.Errorf("%s: %v, want by %s with SessionDuration %d", c.name, call, c.caller, c.duration)
				}
			}
			signin = append(signin, call.Action)
		}
		if c.name == "IAM user" && strings.Join(signin, ",") != "GetFederationToken,getSigninToken" {
			t.Errorf("%s: calls %v, want GetFederationToken then getSigninToken", c.name, signin)
		}
		login := strings.TrimSpace(r.stdout)
		if loc, status := testutil.Redirect(t, login); status != http.StatusFound || loc != c.dest {
			t.Errorf("%s: login answered %d, Location %q, want %s", c.name, status, loc, c.dest)
		}
		if strings.Contains(r.stderr, "SigninToken") {
			t.Errorf("%s: stderr shows the URL: %s", c.name, r.stderr)
		}
	}
}

func TestConsoleRefusesAnMFASessionBeforeItsCode(t *testing.T) {
	t.Parallel()
	w := newSigninWorld(t)
	r := w.xacct(t, nil, "console", "mfa", "--print", "--cache-dir", w.store, "--token-command", os.Args[0])
	if r.code != 2 || !strings.Contains(r.stderr, "MFA session (GetSessionToken)") || !strings.Contains(r.stderr, "role_arn and mfa_serial") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	if n, prompts := len(w.srv.Calls()), tokenLines(w.tokenLog); n != 0 || prompts != 0 {
		t.Errorf("%d calls and %d prompts before the refusal, want none", n, prompts)
	}
	r = w.xacct(t, nil, "console", "chain", "--print", "--cache-dir", w.store, "--session-duration", "2h")
	if r.code != 3 || !strings.Contains(r.stderr, "role chaining") {
		t.Errorf("chained with --session-duration: exit %d: %s", r.code, r.stderr)
	}
}

// browserScript is $BROWSER in the tests: it records its arguments, follows
// the one-time link and then the login it redirects to, records where
// that sends the person, and tries the link a second time.
const browserScript = `import sys, urllib.request, urllib.error
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a): return None
opener = urllib.request.build_opener(NoRedirect)
def location(u):
    try:
        opener.open(u)
    except urllib.error.HTTPError as e:
        return str(e.code) + " " + str(e.headers.get("Location"))
    return "200"
out = open(sys.argv[1], "w")
out.write(" ".join(sys.argv[2:]) + "\n")
first = location(sys.argv[2])
out.write(first.split(" ")[0] + "\n")
out.write(location(first.split(" ", 1)[1]) + "\n")
out.write(location(sys.argv[2]) + "\n")
`

func TestConsoleOpensTheBrowserWithAOneTimeLink(t *testing.T) {
	t.Parallel()
	py := peerOnPath(t, "python3", "python3")
	w := newSigninWorld(t)
	script, record := filepath.Join(w.dir, "browser.py"), filepath.Join(w.dir, "browser.log")
	if err := os.WriteFile(script, []byte(browserScript), 0o600); err != nil {
		t.Fatal(err)
	}
	r := w.xacct(t, []string{"BROWSER=" + py + " " + script + " " + record}, "console", "plain", "--cache-dir", w.store)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 4 {
		t.Fatalf("the browser did: %q", lines)
	}
	link, _ := url.Parse(lines[0])
	if link.Scheme != "http" || link.Hostname() != "127.0.0.1" || link.RawQuery != "" || strings.Contains(lines[0], "Signin") {
		t.Errorf("the browser's argument %q is not a bare loopback link", lines[0])
	}
	if lines[1] != "302" || lines[2] != "302 https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1" {
		t.Errorf("the link redirected %q, then the login %q", lines[1], lines[2])
	}
	if lines[3] != "410 None" {
		t.Errorf("the link's second use answered %q, want 410", lines[3])
	}
	if r.stdout != "" || strings.Contains(r.stderr, "SigninToken") {
		t.Errorf("the URL was shown: stdout %q stderr %q", r.stdout, r.stderr)
	}
}
