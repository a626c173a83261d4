package basecreds

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// instanceRoleAt is an InstanceRole whose metadata service is url.
func instanceRoleAt(url string, timeout time.Duration) *InstanceRole {
	p := newInstanceRole(aws.Config{Region: "us-east-1"}, url)
	p.timeout = timeout
	return p
}

func TestInstanceRoleProbe(t *testing.T) {
	t.Parallel()
	roleCreds := `{"Code":"Success","AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"secret","Token":"token",` +
		`"Expiration":"` + time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}`
	imdsWith := func(roles func(w http.ResponseWriter)) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
				w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
				w.Write([]byte("imds-token"))
			case r.URL.Path == "/latest/meta-data/iam/security-credentials/":
				roles(w)
			case r.URL.Path == "/latest/meta-data/iam/security-credentials/web":
				w.Write([]byte(roleCreds))
			default:
				http.NotFound(w, r)
			}
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never answers
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })

	for _, c := range []struct {
		name, url, want string
	}{
		{"an instance with a role", imdsWith(func(w http.ResponseWriter) { w.Write([]byte("web\n")) }).URL, ""},
		{"no role", imdsWith(func(w http.ResponseWriter) { http.Error(w, "", http.StatusNotFound) }).URL,
			"this EC2 instance has no role (no instance profile)"},
		{"an empty role list", imdsWith(func(w http.ResponseWriter) {}).URL,
			"this EC2 instance has no role (no instance profile)"},
		{"busy once: the SDK's retry gets it", imdsWith(busyOnce()).URL, ""},
		{"refused", imdsWith(func(w http.ResponseWriter) { http.Error(w, "", http.StatusForbidden) }).URL,
			"the instance metadata service refused the request (HTTP 403)"},
		{"no answer: a laptop", "http://" + silent.Addr().String(),
			"no instance metadata service answered within 200ms"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			v, err := instanceRoleAt(c.url, 200*time.Millisecond).Retrieve(context.Background())
			switch {
			case c.want == "" && (err != nil || v.AccessKeyID != "ASIAEXAMPLE"):
				t.Fatalf("Retrieve = %v, %v; want the role's credentials", v.AccessKeyID, err)
			case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want)):
				t.Fatalf("err = %v, want %q", err, c.want)
			case time.Since(start) > 5*time.Second:
				t.Fatalf("took %v: the probe's bound is 200ms", time.Since(start))
			}
			if err != nil && strings.Contains(err.Error(), "operation error") {
				t.Errorf("err %q shows the SDK's text", err)
			}
		})
	}
}

// busyOnce answers the role list 503 once, then the role's name.
func busyOnce() func(w http.ResponseWriter) {
	var calls atomic.Int32
	return func(w http.ResponseWriter) {
		if calls.Add(1) == 1 {
			http.Error(w, "", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("web\n"))
	}
}

// TestInstanceRoleDisabled: AWS_EC2_METADATA_DISABLED=true is said as
// such, without a probe.
func TestInstanceRoleDisabled(t *testing.T) {
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	_, err := instanceRoleAt("http://127.0.0.1:1", time.Second).Retrieve(context.Background())
	if err == nil || err.Error() != "the instance metadata service is turned off here (AWS_EC2_METADATA_DISABLED=true)" {
		t.Fatalf("err = %v", err)
	}
}
