//go:build unix

package xacct_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xacct/xacct"
)

// A token file that is a FIFO is refused at once, not read (which would
// block until a writer came), and before any call.
func TestWebIdentityTokenFileFIFOIsRefused(t *testing.T) {
	t.Parallel()
	srv, cfg := webIdentityWorld(t)
	tokenFile, files := webIdentityFiles(t, "")
	if err := syscall.Mkfifo(tokenFile, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		c, err := xacct.FromProfile(context.Background(), cfg, "ci", files, func(o *xacct.Options) { o.Now = srv.Clock.Now })
		if err == nil {
			_, err = c.Retrieve(context.Background())
		}
		done <- err
	}()
	select {
	case err := <-done:
		var pe *xacct.ProfileError
		if !errors.As(err, &pe) || pe.Key != "web_identity_token_file" || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("a FIFO token file: %v; want a ProfileError on web_identity_token_file", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("reading a FIFO token file blocked")
	}
	if n := srv.CallCount("AssumeRoleWithWebIdentity"); n != 0 {
		t.Errorf("%d calls with a refused token file", n)
	}
	os.Remove(tokenFile)
}
