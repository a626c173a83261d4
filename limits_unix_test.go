//go:build unix

package xacct_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/xacct/xacct"
)

// A FIFO or a device as a shared file is refused at once, before it is
// opened for a read that would block (a FIFO with no writer) or never end
// (/dev/zero), with an error naming the file, its kind and the rule.
func TestSharedFilesThatAreNotRegularAreRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo, creds := filepath.Join(dir, "fifo"), filepath.Join(dir, "credentials")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(creds, []byte("[a]\naws_access_key_id = AKIAEXAMPLE000000001\naws_secret_access_key = s\n"), 0o600)
	// A load blocked in opening the FIFO ends when a writer opens it.
	unblock := func() {
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	}
	for _, tt := range []struct{ name, config, credentials, bad, want string }{
		{"a FIFO config file", fifo, creds, fifo, "a named pipe (FIFO)"},
		{"a FIFO credentials file", creds, fifo, fifo, "a named pipe (FIFO)"},
		{"/dev/zero as the config file", "/dev/zero", creds, "/dev/zero", "a character device"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := loadWithin(t, tt.config, tt.credentials, unblock)
			wantSharedFileError(t, err, tt.bad, tt.want)
		})
	}
}

// AWS_CONFIG_FILE=/dev/zero is refused at once, as Options.ConfigFiles is.
// Not parallel: it sets the environment.
func TestDevZeroAsAWSConfigFile(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", "/dev/zero")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "credentials"))
	done := make(chan error, 1)
	go func() {
		_, err := xacct.PlanProfile(context.Background(), "a")
		done <- err
	}()
	select {
	case err := <-done:
		wantSharedFileError(t, err, "/dev/zero", "a character device")
	case <-time.After(10 * time.Second):
		t.Fatal("PlanProfile did not return in 10 s")
	}
}
