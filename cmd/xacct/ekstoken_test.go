package main

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// execCred is an ExecCredential as kubectl reads it.
type execCred struct {
	Kind       string          `json:"kind"`
	APIVersion string          `json:"apiVersion"`
	Spec       json.RawMessage `json:"spec"`
	Status     struct {
		ExpirationTimestamp string `json:"expirationTimestamp"`
		Token               string `json:"token"`
	} `json:"status"`
}

func decodeExecCred(t *testing.T, what, out string) (execCred, *url.URL, []string) {
	t.Helper()
	var ec execCred
	if err := json.Unmarshal([]byte(out), &ec); err != nil {
		t.Fatalf("%s: not an ExecCredential: %v\n%s", what, err, out)
	}
	var keys map[string]json.RawMessage
	json.Unmarshal([]byte(out), &keys)
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(ec.Status.Token, "k8s-aws-v1."))
	if err != nil {
		t.Fatalf("%s: token: %v", what, err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	return ec, u, slices.Sorted(maps.Keys(keys))
}

func TestEKSTokenLikeTheAWSCLI(t *testing.T) {
	t.Parallel()
	aws := peerOnPath(t, "aws", "awscli")
	w := newSigninWorld(t)
	ours := w.xacct(t, nil, "eks-token", "plain", "--cluster-name", "prod-1", "--cache-dir", w.store)
	if ours.code != 0 {
		t.Fatalf("xacct eks-token: exit %d: %s", ours.code, ours.stderr)
	}
	cli := runCmd(t, detached(append(w.env, "AWS_PROFILE=plain"), aws, "eks", "get-token", "--cluster-name", "prod-1"), "")
	if cli.code != 0 {
		t.Fatalf("aws eks get-token: exit %d: %s", cli.code, cli.stderr)
	}
	oursEC, oursURL, oursKeys := decodeExecCred(t, "xacct", ours.stdout)
	cliEC, cliURL, cliKeys := decodeExecCred(t, "aws", cli.stdout)
	if !slices.Equal(oursKeys, cliKeys) || oursEC.Kind != cliEC.Kind || oursEC.APIVersion != cliEC.APIVersion ||
		string(oursEC.Spec) != "{}" || string(cliEC.Spec) != "{}" {
		t.Errorf("shapes differ:\nxacct %s\naws   %s", ours.stdout, cli.stdout)
	}
	names := func(u *url.URL) []string { return slices.Sorted(maps.Keys(u.Query())) }
	if !slices.Equal(names(oursURL), names(cliURL)) ||
		oursURL.Query().Get("X-Amz-SignedHeaders") != cliURL.Query().Get("X-Amz-SignedHeaders") ||
		oursURL.Query().Get("X-Amz-Expires") != cliURL.Query().Get("X-Amz-Expires") {
		t.Errorf("query parameters differ:\nxacct %v\naws   %v", oursURL.Query(), cliURL.Query())
	}
	for what, ec := range map[string]execCred{"xacct": oursEC, "aws": cliEC} {
		arn, err := w.srv.VerifyEKSToken(ec.Status.Token, "prod-1")
		if err != nil || arn != "arn:aws:sts::222222222222:assumed-role/Plain/tools" {
			t.Errorf("%s's token: %q, %v", what, arn, err)
		}
		if _, err := w.srv.VerifyEKSToken(ec.Status.Token, "prod-2"); err == nil {
			t.Errorf("%s's token for prod-1 was accepted for prod-2", what)
		}
		exp, err := time.Parse(time.RFC3339, ec.Status.ExpirationTimestamp)
		if d := time.Until(exp); err != nil || d < 13*time.Minute || d > 14*time.Minute+5*time.Second {
			t.Errorf("%s: expirationTimestamp %q, in %v; want 14m", what, ec.Status.ExpirationTimestamp, d)
		}
	}
	assertNoSecret(t, "xacct's stderr", ours.stderr, signinSecret)
}

func TestEKSTokenThroughTheStore(t *testing.T) {
	t.Parallel()
	w := newSigninWorld(t)
	// admin needs an MFA code: the first process asks (the token command), the
	// second finds the session in the store: no STS call, no prompt.
	for i, args := range [][]string{
		{"eks-token", "admin", "--cluster-name", "prod-1", "--cache-dir", w.store, "--token-command", os.Args[0]},
		{"eks-token", "--cluster", "prod-1", "--profile", "admin", "--cache-dir", w.store, "--token-command", os.Args[0]},
	} {
		r := w.xacct(t, nil, args...)
		if r.code != 0 {
			t.Fatalf("run %d: exit %d: %s", i+1, r.code, r.stderr)
		}
		ec, _, _ := decodeExecCred(t, "xacct", r.stdout)
		if arn, err := w.srv.VerifyEKSToken(ec.Status.Token, "prod-1"); err != nil || !strings.Contains(arn, "Admin/tools") {
			t.Errorf("run %d: %q, %v", i+1, arn, err)
		}
	}
	if n, prompts := w.allowed("AssumeRole"), tokenLines(w.tokenLog); n != 1 || prompts != 1 {
		t.Errorf("two processes made %d AssumeRole calls and %d prompts, want 1 and 1", n, prompts)
	}
}

func TestEKSTokenAPIVersionAndUsage(t *testing.T) {
	t.Parallel()
	w := newSigninWorld(t)
	v1 := `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}`
	for _, c := range []struct {
		name string
		env  []string
		args []string
		code int
		want string // the apiVersion, or a part of the error
	}{
		{"kubectl asks for v1", []string{"KUBERNETES_EXEC_INFO=" + v1}, nil, 0, "client.authentication.k8s.io/v1"},
		{"--api-version v1", nil, []string{"--api-version", "v1"}, 0, "client.authentication.k8s.io/v1"},
		{"kubectl wins", []string{"KUBERNETES_EXEC_INFO=" + v1}, []string{"--api-version", "v1beta1"}, 0,
			"client.authentication.k8s.io/v1"},
		{"unknown version", nil, []string{"--api-version", "v1alpha1"}, 2, `--api-version "v1alpha1"`},
		{"no cluster", nil, []string{"--cluster-name", ""}, 2, "--cluster-name is required"},
		{"bad cluster", nil, []string{"--cluster-name", "a b"}, 2, "EKS names are letters"},
		{"profile twice", nil, []string{"--profile", "keys"}, 2, "the profile is given twice"},
	} {
		args := append([]string{"eks-token", "plain", "--cache-dir", w.store, "--cluster-name", "prod-1"}, c.args...)
		r := w.xacct(t, c.env, args...)
		if r.code != c.code {
			t.Errorf("%s: exit %d, want %d: %s", c.name, r.code, c.code, r.stderr)
			continue
		}
		if c.code == 0 {
			if ec, _, _ := decodeExecCred(t, c.name, r.stdout); ec.APIVersion != c.want {
				t.Errorf("%s: apiVersion %q, want %q", c.name, ec.APIVersion, c.want)
			}
		} else if !strings.Contains(r.stderr, c.want) || r.stdout != "" {
			t.Errorf("%s: stderr %q, want %q (stdout %q)", c.name, r.stderr, c.want, r.stdout)
		}
	}
}

// tokenLines counts the token command's runs.
func tokenLines(path string) int {
	b, _ := os.ReadFile(path)
	return strings.Count(string(b), "\n")
}
