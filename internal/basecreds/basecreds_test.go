package basecreds

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
)

// The container endpoint's rule, as the SDKs have it: the relative URI on
// the ECS host; a full URI over HTTPS anywhere, over plain HTTP only to a
// loopback or container address.
func TestContainerURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name          string
		relative, uri string
		want, wantErr string
	}{
		{"the relative URI is on the ECS host", "/v2/creds", "", "http://169.254.170.2/v2/creds", ""},
		{"the relative URI wins over the full one", "/v2/creds", "https://example.com/c", "http://169.254.170.2/v2/creds", ""},
		{"HTTPS goes anywhere", "", "https://creds.example.com/c", "https://creds.example.com/c", ""},
		{"plain HTTP to loopback", "", "http://127.0.0.1:8080/c", "http://127.0.0.1:8080/c", ""},
		{"plain HTTP to EKS Pod Identity's address", "", "http://169.254.170.23/v1/credentials", "http://169.254.170.23/v1/credentials", ""},
		{"plain HTTP to IPv6 EKS Pod Identity", "", "http://[fd00:ec2::23]/v1/credentials", "http://[fd00:ec2::23]/v1/credentials", ""},
		{"plain HTTP beyond them is refused", "", "http://10.1.2.3/c", "", "is plain HTTP to 10.1.2.3"},
		{"a host name is checked when the provider is built", "", "http://localhost/c", "http://localhost/c", ""},
		{"no host", "", "http:///c", "", "is not a URL with a host"},
		{"neither variable", "", "", "", "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ContainerURL(config.EnvConfig{ContainerCredentialsRelativePath: tt.relative, ContainerCredentialsEndpoint: tt.uri})
			if got != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("ContainerURL = %q, %v; want %q, an error with %q", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// ReadRegular reads a regular file of at most max bytes, and says what is
// wrong with anything else, without reading past max+1 bytes.
func TestReadRegular(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	small, big := filepath.Join(dir, "small"), filepath.Join(dir, "big")
	for path, n := range map[string]int{small: 10, big: 11} {
		if err := os.WriteFile(path, []byte(strings.Repeat("x", n)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if b, err := ReadRegular(small, 10); err != nil || len(b) != 10 {
		t.Errorf("a file of max bytes: %d bytes, %v", len(b), err)
	}
	var tooLarge *TooLargeError
	if _, err := ReadRegular(big, 10); !errors.As(err, &tooLarge) || tooLarge.Size != 11 || tooLarge.Max != 10 {
		t.Errorf("a file of max+1 bytes: %v; want a TooLargeError of 11 > 10", err)
	}
	if _, err := ReadRegular(dir, 10); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a directory: %v; want it refused as not a regular file", err)
	}
	if _, err := ReadRegular(filepath.Join(dir, "none"), 10); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v; want os.ErrNotExist", err)
	}
}
