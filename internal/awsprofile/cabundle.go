package awsprofile

// AWS_CA_BUNDLE's certificates, parsed on the first request instead of
// when the configuration loads. The SDK parses a bundle in
// LoadDefaultConfig, about 40 µs a certificate: 6 ms for a system bundle
// of 144, which corporate machines often name in AWS_CA_BUNDLE. A
// credential_process answered from the store makes no request, and would
// pay that on every call for nothing.

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/xacct/xacct/internal/basecreds"
)

// maxCABundleBytes bounds the read of a CA bundle: a system bundle of
// every public root is about 220 KB.
const maxCABundleBytes = 16 << 20

// placeholderPEM is a certificate that the SDK parses in place of the
// bundle (it refuses a bundle without one). The client it goes into is
// replaced by a lazyCAClient before anything sends a request, so it
// trusts nothing.
const placeholderPEM = `-----BEGIN CERTIFICATE-----
MIIBEDCBw6ADAgECAgEBMAUGAytlcDAyMTAwLgYDVQQDEyd4YWNjdCBwbGFjZWhv
bGRlciwgdHJ1c3RlZCBieSBubyBjbGllbnQwHhcNMjYwMTAxMDAwMDAwWhcNMjYw
MTAyMDAwMDAwWjAyMTAwLgYDVQQDEyd4YWNjdCBwbGFjZWhvbGRlciwgdHJ1c3Rl
ZCBieSBubyBjbGllbnQwKjAFBgMrZXADIQCYVu+PjVs0SL2TA6RMvk4mMZn5DJ5C
/X/wHd0bVhqAgTAFBgMrZXADQQBUq69qamN1W/J2a2Yd8WhwjJA5I8aU3xZXr/8W
cxz6c6aLLhqA8DOHb7rgMiwo5CLClQGfJ+ybioEPCXxcWscK
-----END CERTIFICATE-----
`

// deferCABundle returns the load option that keeps the SDK from parsing
// AWS_CA_BUNDLE, and the client to put in the loaded configuration, which
// parses it on its first request; nil and nil when the variable is unset
// or names no regular file (the SDK then says what is wrong, as usual).
// AWS_CA_BUNDLE wins over a profile's ca_bundle in the SDK too.
func deferCABundle() (func(*config.LoadOptions) error, aws.HTTPClient) {
	path := os.Getenv("AWS_CA_BUNDLE")
	if path == "" {
		return nil, nil
	}
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return nil, nil
	}
	return config.WithCustomCABundle(bytes.NewReader([]byte(placeholderPEM))), &lazyCAClient{path: path}
}

// lazyCAClient is the SDK's default HTTP client with path's certificates
// as its only roots (as the SDK builds it for a bundle), made on the first
// request. It is safe for concurrent use.
type lazyCAClient struct {
	path   string
	once   sync.Once
	client aws.HTTPClient // set once by build
	err    error          // set once by build
}

// Do sends req through the client, building it first.
func (c *lazyCAClient) Do(req *http.Request) (*http.Response, error) {
	c.once.Do(c.build)
	if c.err != nil {
		return nil, c.err
	}
	return c.client.Do(req)
}

func (c *lazyCAClient) build() {
	pem, err := basecreds.ReadRegular(c.path, maxCABundleBytes)
	if err != nil {
		c.err = fmt.Errorf("AWS_CA_BUNDLE %s: %w", c.path, err)
		return
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		c.err = fmt.Errorf("AWS_CA_BUNDLE %s holds no PEM certificate: it must name a file of CA certificates "+
			"(-----BEGIN CERTIFICATE----- blocks)", c.path)
		return
	}
	c.client = awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		tr.TLSClientConfig.RootCAs = pool
	})
}
