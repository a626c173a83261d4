package main

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestCredentialEnv(t *testing.T) {
	t.Parallel()
	creds := aws.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "s3cr3t", SessionToken: "t0k3n",
		CanExpire: true, Expires: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	env := []string{"PATH=/bin", "AWS_PROFILE=admin", "AWS_ACCESS_KEY_ID=AKIAOLD", "AWS_SECRET_ACCESS_KEY=old",
		"AWS_SESSION_TOKEN=old", "AWS_WEB_IDENTITY_TOKEN_FILE=/t", "AWS_ROLE_ARN=arn", "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://x",
		"AWS_REGION=eu-west-1", "AWS_ENDPOINT_URL_STS=http://127.0.0.1:1", "AWS_MAX_ATTEMPTS=5"}
	got := credentialEnv(env, creds, "eu-west-1")
	want := []string{"PATH=/bin", "AWS_ENDPOINT_URL_STS=http://127.0.0.1:1", "AWS_MAX_ATTEMPTS=5",
		"AWS_ACCESS_KEY_ID=ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY=s3cr3t", "AWS_SESSION_TOKEN=t0k3n",
		"AWS_CREDENTIAL_EXPIRATION=2026-01-02T03:04:05Z", "AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if env[2] != "AWS_ACCESS_KEY_ID=AKIAOLD" {
		t.Error("credentialEnv changed its input")
	}
	// The account goes with the keys; the caller's older names and account go.
	creds.AccountID = "333333333333"
	got = credentialEnv([]string{"AWS_ACCESS_KEY=AKIAOLD", "AWS_SECRET_KEY=old", "AWS_ACCOUNT_ID=111111111111"}, creds, "")
	want = []string{"AWS_ACCESS_KEY_ID=ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY=s3cr3t", "AWS_SESSION_TOKEN=t0k3n",
		"AWS_CREDENTIAL_EXPIRATION=2026-01-02T03:04:05Z", "AWS_ACCOUNT_ID=333333333333"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// Long-term keys: no token, no expiry; no region: the child's own.
	got = credentialEnv([]string{"AWS_REGION=ap-south-1"}, aws.Credentials{AccessKeyID: "AKIA", SecretAccessKey: "s"}, "")
	if want := []string{"AWS_REGION=ap-south-1", "AWS_ACCESS_KEY_ID=AKIA", "AWS_SECRET_ACCESS_KEY=s"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLineWriter(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var out bytes.Buffer
	red := newRedactor(aws.Credentials{AccessKeyID: "ASIAKEEP", SecretAccessKey: "s3cr3t", SessionToken: "t0k3n"})
	w := &lineWriter{mu: &mu, out: &out, prefix: "[222222222222] ", redact: red, keep: 2}
	for _, chunk := range []string{"one s3c", "r3t\ntwo\nthree t0k3n ASIAKEEP\nfou", "r"} {
		w.Write([]byte(chunk))
	}
	w.Close()
	if want := "[222222222222] one [redacted by xacct]\n[222222222222] two\n" +
		"[222222222222] three [redacted by xacct] ASIAKEEP\n[222222222222] four\n"; out.String() != want {
		t.Errorf("out %q, want %q", out.String(), want)
	}
	if got := w.Tail(100); got != "three [redacted by xacct] ASIAKEEP\nfour" {
		t.Errorf("tail %q", got)
	}
	if got := w.Tail(8); got != "…EEP\nfour" {
		t.Errorf("tail of 8 bytes %q", got)
	}
	// A line without end is passed on in pieces of maxLine.
	long := &lineWriter{redact: red, keep: 3}
	long.Write([]byte(strings.Repeat("x", maxLine+10)))
	long.Close()
	if len(long.tail) != 2 || len(long.tail[0]) != maxLine || len(long.tail[1]) != 10 {
		t.Errorf("long line kept as %d pieces", len(long.tail))
	}
}

// A secret that spans the end of a maxLine piece is redacted whole: the
// piece ends before it.
func TestLineWriterSecretAcrossPieces(t *testing.T) {
	t.Parallel()
	red := newRedactor(aws.Credentials{SecretAccessKey: "s3cr3t", SessionToken: "t0k3n"})
	for _, at := range []int{1, 3, 5} { // bytes of the secret in the first piece
		w := &lineWriter{redact: red, keep: 3}
		w.Write([]byte(strings.Repeat("x", maxLine-at)))
		w.Write([]byte("s3cr3t and t0k3n\n"))
		w.Close()
		got := string(bytes.Join(w.tail, nil))
		if want := strings.Repeat("x", maxLine-at) + redacted + " and " + redacted; len(w.tail) != 2 ||
			len(w.tail[0]) != maxLine-at || got != want {
			t.Errorf("%d bytes of the secret before the split: %d pieces, ending %q", at, len(w.tail), got[len(got)-60:])
		}
	}
}
