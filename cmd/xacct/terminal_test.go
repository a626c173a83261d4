package main

import (
	"bytes"
	"errors"
	"testing"
)

// Notices are one line each, say what the message does not, and leave out
// Debug lines and the fetch failures a command reports itself.
func TestNoticeLogger(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	log := newNoticeLogger(&b)
	const role = "arn:aws:iam::222222222222:role/Admin"
	log.Info("xacct: waiting for another xacct process to refresh "+role, "provider", role)
	log.Warn("xacct: credential store: save failed", "provider", role, "error", errors.New("read-only\nfile system"))
	log.Debug("xacct: refreshing credentials", "provider", role)
	log.Warn(fetchFailed, "provider", role, "error", errors.New("AccessDenied"))
	log.With("store", "/tmp/s").Info("xacct: hello")
	want := "xacct: waiting for another xacct process to refresh " + role + "\n" +
		"xacct: credential store: save failed (provider=" + role + ", error=read-only file system)\n" +
		"xacct: hello (store=/tmp/s)\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
