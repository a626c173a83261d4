package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// --output-dir: each account's stdout and stderr in files of their own,
// 0600 in a directory made 0700, with the secrets redacted as on stderr,
// and nothing of the commands on xacct's stderr. --exclude drops an
// account given in --accounts: it gets no line, no file, no AssumeRole.
func TestForEachAccountOutputDirAndExclude(t *testing.T) {
	t.Parallel()
	accounts := []string{"222222222222", "333333333333", "444444444444"}
	srv := fleetServer(t, accounts)
	dir := filepath.Join(t.TempDir(), "runs", "today") // missing: made
	code, lines, stderr, secrets := forEachRun(t, callerEnv(t, srv.URL, ""), "--env-credentials", "--role-name", orgRole,
		"--accounts", strings.Join(accounts, ","), "--exclude", "444444444444", "--output-dir", dir, "--rate", "100")
	if code != 0 || len(lines) != 2 || len(secrets) != 2 {
		t.Fatalf("exit %d, %d lines, %d commands ran; want 0, 2, 2\nstderr:\n%s", code, len(lines), len(secrets), stderr)
	}
	if _, ok := lines["444444444444"]; ok {
		t.Error("the excluded account has a line")
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("--output-dir: %v, %v; want a directory 0700", fi, err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		if fi, err := e.Info(); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want mode 0600", e.Name(), fi, err)
		}
	}
	want := []string{"222222222222.stderr", "222222222222.stdout", "333333333333.stderr", "333333333333.stdout"}
	if !slices.Equal(names, want) {
		t.Errorf("files %v, want %v", names, want)
	}
	for _, id := range accounts[:2] {
		out, _ := os.ReadFile(filepath.Join(dir, id+".stdout"))
		errOut, _ := os.ReadFile(filepath.Join(dir, id+".stderr"))
		if want := "arn:aws:sts::" + id + ":assumed-role/" + orgRole + "/"; !strings.HasPrefix(string(out), want) ||
			strings.Count(string(out), "\n") != 1 {
			t.Errorf("%s.stdout %q; want one line %q...", id, out, want)
		}
		wantErr := "account=" + id + " name= region=us-east-1\nAWS_SECRET_ACCESS_KEY=" + redacted +
			"\nAWS_SESSION_TOKEN=" + redacted + "\n"
		if string(errOut) != wantErr {
			t.Errorf("%s.stderr %q, want %q", id, errOut, wantErr)
		}
		if secrets[id] == "" || strings.Contains(string(out)+string(errOut), secrets[id]) {
			t.Errorf("%s: the secret is empty or in the files", id)
		}
		if l := lines[id]; l.Status != "ok" || !strings.HasSuffix(l.StderrTail, "AWS_SESSION_TOKEN="+redacted) {
			t.Errorf("%s: %+v", id, l)
		}
		if strings.Contains(stderr, "["+id+"]") {
			t.Errorf("xacct's stderr has the output of %s:\n%s", id, stderr)
		}
	}
	if n := srv.CallCount("AssumeRole"); n != 2 {
		t.Errorf("%d AssumeRole calls, want 2", n)
	}
}
