package main

import (
	"os"
	"path/filepath"
	"testing"
)

// Across processes, as an attacker would try it: one credential_process
// command line, whose output depends on the caller's environment, prints
// dev's keys for one program and dev's key ID with another secret for the
// next. The second must be refused by STS, not handed the first's stored
// session of the hop above.
func TestCredentialProcessStoreKeysByWhatTheBasePrints(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t)
	script := filepath.Join(w.dir, "who.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf "+
		`'{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"}\n' "$WHO_KEY" "$WHO_SECRET"`+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(w.dir, "config-who")
	if err := os.WriteFile(config, []byte(w.configText()+"\n[profile who]\ncredential_process = "+script+
		"\nregion = us-east-1\n[profile who-plain]\nrole_arn = "+plainRole+
		"\nsource_profile = who\nrole_session_name = tools\nregion = us-east-1\nservices = fake\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	as := func(secret string) result {
		cmd := w.command("credential-process", "--profile", "who-plain", "--cache-dir", w.store)
		cmd.Env = append(cmd.Env, "AWS_CONFIG_FILE="+config, "WHO_KEY="+devKey, "WHO_SECRET="+secret)
		return runCmd(t, cmd, "")
	}
	if r := as(devSecret); r.code != 0 {
		t.Fatalf("dev's keys: exit %d\n%s", r.code, r.stderr)
	}
	if r := as("not-" + devSecret); r.code == 0 {
		t.Errorf("dev's key ID with another secret got a session (%d STS calls): want STS's refusal", w.stsCalls())
	}
	if r := as(devSecret); r.code != 0 {
		t.Fatalf("dev's keys again: exit %d\n%s", r.code, r.stderr)
	}
	if n := w.stsCalls(); n != 2 {
		t.Errorf("%d STS calls; want 2: dev's, the refused one, and dev's again from the store", n)
	}
}
