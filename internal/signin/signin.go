// Package signin speaks to the AWS console's federation endpoint: where
// it is for a partition and region (Endpoint), where the console sends a
// person (Destination), the sign-in token of a session (Token), and the
// login URL that carries it (LoginURL).
package signin

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// partitions are the sign-in and console hosts of each partition that has
// a federation endpoint.
var partitions = map[string]struct{ signin, console, domain string }{
	"aws":        {"signin.aws.amazon.com", "console.aws.amazon.com", "aws.amazon.com"},
	"aws-us-gov": {"signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com", "amazonaws-us-gov.com"},
	"aws-cn":     {"signin.amazonaws.cn", "console.amazonaws.cn", "amazonaws.cn"},
}

// Endpoint returns the federation endpoint of a partition and region:
// https://signin.aws.amazon.com/federation for us-east-1, the region's own
// (https://REGION.signin.aws.amazon.com/federation) for the other regions
// of the aws partition, and the partition's endpoint in GovCloud and China.
func Endpoint(partition, region string) (string, error) {
	p, ok := partitions[partition]
	if !ok {
		return "", fmt.Errorf("partition %s (region %s) has no console federation endpoint that xacct knows: "+
			"set the endpoint (XACCT_SIGNIN_ENDPOINT)", partition, region)
	}
	host := p.signin
	if partition == "aws" && region != "" && region != "us-east-1" {
		host = region + "." + host
	}
	return "https://" + host + "/federation", nil
}

// Destination returns where the console sends a person after sign-in:
// dest itself when it is an https URL on the partition's console domain;
// the console page of a service when it is a service's name ("s3",
// "cloudformation"); the console home of the region when it is empty.
func Destination(partition, region, dest string) (string, error) {
	p, ok := partitions[partition]
	if !ok {
		return "", fmt.Errorf("partition %s has no console that xacct knows", partition)
	}
	console := "https://" + p.console
	if partition == "aws" {
		console = "https://" + region + "." + p.console
	}
	switch {
	case dest == "":
		return console + "/console/home?region=" + url.QueryEscape(region), nil
	case isServiceName(dest):
		return console + "/" + dest + "/home?region=" + url.QueryEscape(region), nil
	}
	u, err := url.Parse(dest)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("destination %q is neither a service's name (letters, digits, '-') "+
			"nor an https URL", dest)
	}
	if h := u.Hostname(); h != p.domain && !strings.HasSuffix(h, "."+p.domain) {
		return "", fmt.Errorf("destination %q is not on the console of partition %s (*.%s)", dest, partition, p.domain)
	}
	return u.String(), nil
}

// isServiceName reports whether s names a console service: 1 to 40 of
// [a-z0-9-], starting with a letter.
func isServiceName(s string) bool {
	if s == "" || len(s) > 40 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
}

// CheckEndpoint checks a federation endpoint given from outside: an
// absolute https URL (http only on a loopback host: a fake), with no
// query, user or fragment.
func CheckEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	switch {
	case err != nil || u.Host == "":
		return fmt.Errorf("%q is not an absolute URL, such as https://signin.aws.amazon.com/federation", endpoint)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return fmt.Errorf("%q has a query, fragment or user: give the federation URL alone", endpoint)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return errors.New("the federation endpoint " + endpoint + " is not https (http is for loopback only)")
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// LoginURL is the URL that signs a person in with a sign-in token and
// sends them to destination; issuer is where the console sends them when
// the session ends. It is a secret for the token's 15 minutes.
func LoginURL(endpoint, issuer, destination, token string) string {
	q := url.Values{"Action": {"login"}, "Destination": {destination}, "SigninToken": {token}}
	if issuer != "" {
		q.Set("Issuer", issuer)
	}
	return endpoint + "?" + q.Encode()
}
