package xacct_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/xaccttest"
)

// decodeToken returns the presigned URL inside an EKS token.
func decodeToken(t *testing.T, token string) *url.URL {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(token, "k8s-aws-v1."))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// encodeToken makes a token of u.
func encodeToken(u *url.URL) string {
	return "k8s-aws-v1." + base64.RawURLEncoding.EncodeToString([]byte(u.String()))
}

func TestEKSTokenAcceptedByTheAuthenticator(t *testing.T) {
	t.Parallel()
	srv, alice := world(t)
	hop, err := xacct.AssumeRole(alice, xacct.Role{ARN: adminRole, SessionName: "eks", MFASerial: aliceMFA},
		func(o *xacct.Options) { o.Now, o.MFA = srv.Clock.Now, srv.TokenFunc() })
	if err != nil {
		t.Fatal(err)
	}
	admin := with(alice, hop)
	before := srv.Clock.Now()
	tok, err := xacct.NewEKSToken(context.Background(), admin, "prod-1")
	if err != nil {
		t.Fatal(err)
	}
	arn, err := srv.VerifyEKSToken(tok.Value, "prod-1")
	if err != nil || arn != "arn:aws:sts::222222222222:assumed-role/Admin/eks" {
		t.Fatalf("VerifyEKSToken = %q, %v", arn, err)
	}
	u := decodeToken(t, tok.Value)
	q := u.Query()
	if q.Get("X-Amz-Expires") != "60" || q.Get("X-Amz-SignedHeaders") != "host;x-k8s-aws-id" ||
		q.Get("Action") != "GetCallerIdentity" || q.Get("Version") != "2011-06-15" || q.Get("X-Amz-Security-Token") == "" {
		t.Errorf("query %v", q)
	}
	if strings.Contains(tok.Value, "=") {
		t.Errorf("token has padding: %s", tok.Value)
	}
	// Expires: 14 minutes after signing (the fake's clock is real time, to the second).
	if d := tok.Expires.Sub(before); d < 13*time.Minute || d > 15*time.Minute {
		t.Errorf("Expires %v after signing, want 14m", d)
	}
}

func TestEKSTokenRefusedAsTheAuthenticatorRefuses(t *testing.T) {
	t.Parallel()
	srv, alice := world(t)
	tok, err := xacct.NewEKSToken(context.Background(), alice, "prod-1")
	if err != nil {
		t.Fatal(err)
	}
	tamper := func(k, v string) string {
		u := decodeToken(t, tok.Value)
		q := u.Query()
		q.Set(k, v)
		u.RawQuery = q.Encode()
		return encodeToken(u)
	}
	for _, c := range []struct{ name, token, cluster, want string }{
		{"another cluster", tok.Value, "prod-2", "SignatureDoesNotMatch"},
		{"no prefix", strings.TrimPrefix(tok.Value, "k8s-aws-v1."), "prod-1", "does not start with"},
		{"padded base64", tok.Value + "==", "prod-1", "base64url"},
		{"tampered expiry within range", tamper("X-Amz-Expires", "900"), "prod-1", "SignatureDoesNotMatch"},
		{"expiry out of range", tamper("X-Amz-Expires", "901"), "prod-1", "X-Amz-Expires"},
		{"another action", tamper("Action", "GetSessionToken"), "prod-1", "not GetCallerIdentity"},
		{"extra parameter", tamper("DurationSeconds", "900"), "prod-1", "does not allow"},
		{"cluster header unsigned", tamper("X-Amz-SignedHeaders", "host"), "prod-1", "x-k8s-aws-id"},
		{"tampered date", tamper("X-Amz-Date", srv.Clock.Now().Add(time.Minute).UTC().Format("20060102T150405Z")), "prod-1",
			"SignatureDoesNotMatch"},
	} {
		_, err := srv.VerifyEKSToken(c.token, c.cluster)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
	}
	other := decodeToken(t, tok.Value)
	other.Scheme, other.Host = "https", "sts.evil.example.com"
	if _, err := srv.VerifyEKSToken(encodeToken(other), "prod-1"); err == nil || !strings.Contains(err.Error(), "not an STS endpoint") {
		t.Errorf("a token for another host: %v", err)
	}
	// 15 minutes after signing, the authenticator refuses the token.
	srv.Clock.Advance(15*time.Minute + time.Second)
	if _, err := srv.VerifyEKSToken(tok.Value, "prod-1"); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("a token 15m old: %v", err)
	}
}

func TestEKSTokenEndpoints(t *testing.T) {
	t.Parallel()
	srv, alice := world(t)
	real := alice
	real.BaseEndpoint = nil // the token is made offline; the fake still verifies it: it knows the secret
	for _, c := range []struct {
		region string
		global bool
		host   string
	}{
		{"eu-west-1", false, "sts.eu-west-1.amazonaws.com"},
		{"us-east-1", false, "sts.us-east-1.amazonaws.com"},
		{"eu-west-1", true, "sts.amazonaws.com"},
		{"us-gov-west-1", false, "sts.us-gov-west-1.amazonaws.com"},
		{"cn-north-1", false, "sts.cn-north-1.amazonaws.com.cn"},
	} {
		tok, err := xacct.NewEKSToken(context.Background(), real, "prod-1", func(o *xacct.EKSTokenOptions) {
			o.Region, o.GlobalEndpoint = c.region, c.global
		})
		if err != nil {
			t.Fatal(err)
		}
		if u := decodeToken(t, tok.Value); u.Host != c.host || u.Scheme != "https" {
			t.Errorf("%s global=%v: URL host %s", c.region, c.global, u.Host)
		}
		if arn, err := srv.VerifyEKSToken(tok.Value, "prod-1"); err != nil || !strings.HasSuffix(arn, ":user/alice") {
			t.Errorf("%s: verify %q, %v", c.host, arn, err)
		}
	}
	_, err := xacct.NewEKSToken(context.Background(), real, "prod-1", func(o *xacct.EKSTokenOptions) {
		o.Region, o.GlobalEndpoint = "us-gov-west-1", true
	})
	if err == nil || !strings.Contains(err.Error(), "no global STS endpoint") {
		t.Errorf("global in GovCloud: %v", err)
	}
}

func TestEKSTokenExpiresWithItsCredentials(t *testing.T) {
	t.Parallel()
	exp := time.Now().Add(5 * time.Minute).Round(time.Second)
	cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.StaticCredentialsProvider{Value: aws.Credentials{
		AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "secret", SessionToken: "token", CanExpire: true, Expires: exp,
	}}}
	tok, err := xacct.NewEKSToken(context.Background(), cfg, "prod-1")
	if err != nil {
		t.Fatal(err)
	}
	if !tok.Expires.Equal(exp) {
		t.Errorf("Expires %v, want the credentials' %v", tok.Expires, exp)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, tok); strings.Contains(s, "k8s-aws-v1") {
			t.Errorf("%s shows the token: %s", verb, s)
		}
	}
}

func TestEKSTokenInputErrors(t *testing.T) {
	t.Parallel()
	cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")}
	noRegion := cfg
	noRegion.Region = ""
	for _, c := range []struct {
		name    string
		cfg     aws.Config
		cluster string
		want    string
	}{
		{"empty cluster", cfg, "", "cluster name is empty"},
		{"bad character", cfg, "prod 1", `has ' ' at 4`},
		{"too long", cfg, strings.Repeat("a", 101), "at most 100"},
		{"no region", noRegion, "prod-1", "cfg.Region or EKSTokenOptions.Region"},
		{"no credentials", aws.Config{Region: "eu-west-1"}, "prod-1", "cfg.Credentials is nil"},
	} {
		_, err := xacct.NewEKSToken(context.Background(), c.cfg, c.cluster)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "xacct: EKS token") {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

var _ = xaccttest.NewServer
