package xacct_test

// What xacct reads is bounded: AWS answers, the shared files, and the
// hints that list what the files hold.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/xacct/xacct"
)

// An Organizations answer is read to 1 MiB at most, as STS's are: a 200 MB
// answer fails the listing with the limit's error, and allocates little.
// Not parallel: it counts the whole process's allocations.
func TestOrganizationsAnswersAreBounded(t *testing.T) {
	var written atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // else the client's request write may fail, closing the connection
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Write([]byte(`{"Accounts":[{"Id":"111111111111","Name":"`))
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for range 200 << 20 / len(chunk) {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
		w.Write([]byte(`","State":"ACTIVE"}]}`))
	}))
	defer srv.Close()
	cfg := aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIAEXAMPLE000000001", "secret", ""),
	}
	const want = "larger than 1048576 bytes, which no Organizations answer is"
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	// As in TestSTSAnswersAreBounded, a few tries tell a dropped
	// connection apart from a missing limit.
	var err error
	for range 5 {
		_, err = xacct.Accounts(context.Background(), cfg)
		if err != nil && strings.Contains(err.Error(), want) {
			break
		}
	}
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Accounts = %v; want the answer limit", err)
	}
	if !strings.Contains(err.Error(), "Accounts: ListAccounts") {
		t.Errorf("error %q: want the operation", err)
	}
	srv.CloseClientConnections()
	if n := written.Load(); n > 64<<20 {
		t.Errorf("the server wrote %d MB before the client stopped reading", n>>20)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<20 {
		t.Errorf("the listing allocated %d MB", n>>20)
	}
}

// The hint of an unknown profile lists the first 20 profiles of the files
// and counts the rest: 5,000 profiles make one short line, not 60 KB,
// and a name of 100 KB is cut.
func TestUnknownProfileHintIsBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var b strings.Builder
	for i := range 5000 {
		b.WriteString("[profile p" + strconv.Itoa(10000+i) + "]\nregion = eu-west-1\n")
	}
	b.WriteString("[profile p0" + strings.Repeat("x", 100_000) + "]\n") // a name is cut too
	cfg := filepath.Join(dir, "config")
	os.WriteFile(cfg, []byte(b.String()), 0o600)
	_, err := xacct.PlanProfile(context.Background(), "nope", func(o *xacct.Options) {
		o.ConfigFiles, o.CredentialsFiles = []string{cfg}, []string{filepath.Join(dir, "credentials")}
	})
	if err == nil {
		t.Fatal("PlanProfile of an unknown profile succeeded")
	}
	msg := err.Error()
	if !strings.Contains(msg, "the profiles there: p0xxx") || !strings.Contains(msg, "more bytes), p10000, p10001, ") ||
		!strings.Contains(msg, ", p10018, …and 4,981 more") || strings.Contains(msg, "p10019") {
		t.Errorf("error %q: want the first 20 profiles and a count of the rest", msg)
	}
	if len(msg) > 1000 {
		t.Errorf("the error is %d bytes long", len(msg))
	}
}

// A shared file larger than 16 MiB is refused before it is read, with an
// error naming the file, its size and the rule: config and credentials
// files alike.
func TestLargeSharedFilesAreRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	small, large := filepath.Join(dir, "small"), filepath.Join(dir, "large")
	os.WriteFile(small, []byte("[profile a]\nregion = eu-west-1\n[a]\naws_access_key_id = AKIAEXAMPLE000000001\n"+
		"aws_secret_access_key = s\n"), 0o600)
	pad := strings.Repeat("# padding\n", 17<<20/10+1) // a valid file of 17 MiB: comments
	os.WriteFile(large, []byte("[profile a]\nregion = eu-west-1\n"+pad), 0o600)
	for _, tt := range []struct{ name, config, credentials string }{
		{"config file", large, small},
		{"credentials file", small, large},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := loadWithin(t, tt.config, tt.credentials, nil)
			wantSharedFileError(t, err, large, "17.0 MiB (17,825,8")
		})
	}
}

// loadWithin runs LoadConfig of profile a on the files, and fails the test
// unless it returns within 10 s; unblock, when not nil, then ends the load
// (it is left running otherwise).
func loadWithin(t *testing.T, config, credentials string, unblock func()) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := xacct.LoadConfig(context.Background(), "a", func(o *xacct.Options) {
			o.ConfigFiles, o.CredentialsFiles = []string{config}, []string{credentials}
		})
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		if unblock != nil {
			unblock()
		}
		t.Fatalf("LoadConfig did not return in 10 s")
		return nil
	}
}

// wantSharedFileError fails the test unless err is a ProfileError about
// file that says what it is (want) and the rule.
func wantSharedFileError(t *testing.T, err error, file, want string) {
	t.Helper()
	var pe *xacct.ProfileError
	if !errors.As(err, &pe) || pe.File != file {
		t.Fatalf("got %v; want a ProfileError about %s", err, file)
	}
	for _, w := range []string{file, "the file is " + want, "must be a regular file of at most 16 MiB"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q: want %q", err, w)
		}
	}
}
