package awsprofile

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// callerIdentity is STS's answer to GetCallerIdentity, enough for the SDK.
const callerIdentity = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/dev</Arn><UserId>AIDAEXAMPLE</UserId>
<Account>111111111111</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`

// TestCABundleParsedOnFirstRequest: with AWS_CA_BUNDLE set, the loaded
// configuration has parsed nothing yet, and its first request trusts the
// bundle's certificates, and only them.
func TestCABundleParsedOnFirstRequest(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.Write([]byte(callerIdentity))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	defer srv.Close()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	serverCA := write("server.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	otherCA := write("other.pem", []byte(placeholderPEM))
	notPEM := write("not.pem", []byte("not a certificate\n"))
	config := write("config", []byte("[profile dev]\nregion = us-east-1\nendpoint_url = "+srv.URL+"\n"))
	creds := write("credentials", []byte("[dev]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n"))

	for _, c := range []struct {
		name, bundle string
		check        func(t *testing.T, err error)
	}{
		{"the bundle's CA is trusted", serverCA, func(t *testing.T, err error) {
			if err != nil {
				t.Fatalf("GetCallerIdentity: %v", err)
			}
		}},
		{"the system's roots are not", otherCA, func(t *testing.T, err error) {
			var unknown x509.UnknownAuthorityError
			if !errors.As(err, &unknown) {
				t.Fatalf("err = %v, want an unknown authority", err)
			}
		}},
		{"a file without certificates says so", notPEM, func(t *testing.T, err error) {
			if err == nil || !strings.Contains(err.Error(), "AWS_CA_BUNDLE "+notPEM+" holds no PEM certificate") {
				t.Fatalf("err = %v, want the bundle named", err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("AWS_CA_BUNDLE", c.bundle)
			ctx := context.Background()
			chain, err := Resolve(ctx, Options{Profile: "dev", ConfigFiles: []string{config}, CredentialsFiles: []string{creds}})
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := chain.SDKConfig(ctx)
			if err != nil {
				t.Fatal(err)
			}
			lazy, ok := cfg.HTTPClient.(*lazyCAClient)
			if !ok || lazy.client != nil || lazy.err != nil {
				t.Fatalf("HTTPClient = %T, want a lazyCAClient not built yet", cfg.HTTPClient)
			}
			cfg.Credentials = credentials.NewStaticCredentialsProvider("AKIAEXAMPLE", "secret", "")
			cfg.RetryMaxAttempts = 1
			_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			c.check(t, err)
		})
	}
	t.Run("unset: the SDK's own client", func(t *testing.T) {
		t.Setenv("AWS_CA_BUNDLE", "")
		if opt, client := deferCABundle(); opt != nil || client != nil {
			t.Fatal("deferred a bundle that is not set")
		}
	})
}
