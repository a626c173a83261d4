package main

import (
	"bytes"
	"errors"
	"testing"
)

// Notices are one line each, say what the message does not, and leave out
// Debug lines and every line the library does not mark as a notice: the
// fetch failures a command reports itself among them.
func TestNoticeLogger(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	log := newNoticeLogger(&b)
	const role = "arn:aws:iam::222222222222:role/Admin"
	log.Info("xacct: waiting for another xacct process to refresh "+role, "provider", role, "waiting_for", "lock", "notice", true)
	log.Warn("xacct: credential store: save failed", "provider", role, "error", errors.New("read-only\nfile system"), "notice", true)
	log.Debug("xacct: refreshing credentials", "provider", role, "notice", true)
	log.Warn("xacct: refreshing credentials failed", "provider", role, "error", errors.New("AccessDenied"))
	log.Info("xacct: not for a person", "notice", false)
	log.WithGroup("g").Info("xacct: a notice key in a group is another key", "notice", true)
	log.With("store", "/tmp/s").Info("xacct: hello", "notice", true)
	log.With("notice", true).Info("xacct: marked by With")
	want := "xacct: waiting for another xacct process to refresh " + role + "\n" +
		"xacct: credential store: save failed (provider=" + role + ", error=read-only file system)\n" +
		"xacct: hello (store=/tmp/s)\n" +
		"xacct: marked by With\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// A lock wait's notice says what lockWait says of it, given the name of
// the credentials; the library's words when it says nothing. Other
// notices are as they are.
func TestLockNoticeLogger(t *testing.T) {
	t.Parallel()
	const role = "arn:aws:iam::222222222222:role/Admin"
	var b bytes.Buffer
	says := "xacct: waiting for an MFA code being typed in another terminal (pid 42), for " + role
	asked := ""
	log := newLockNoticeLogger(&b, func(name string) string {
		asked = name
		return says
	})
	log.Info("xacct: waiting for another xacct process to refresh "+role, "provider", role, "waiting_for", "lock", "notice", true)
	says = ""
	log.Info("xacct: waiting for another xacct process to refresh "+role, "provider", role, "waiting_for", "lock", "notice", true)
	log.Info("xacct: hello", "provider", role, "notice", true)
	want := "xacct: waiting for an MFA code being typed in another terminal (pid 42), for " + role + "\n" +
		"xacct: waiting for another xacct process to refresh " + role + "\n" +
		"xacct: hello (provider=" + role + ")\n"
	if b.String() != want || asked != role {
		t.Errorf("got\n%s\nwant\n%s(asked for %q)", b.String(), want, asked)
	}
}
