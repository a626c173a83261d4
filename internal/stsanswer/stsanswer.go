// Package stsanswer reads the credentials of an STS answer: every part or
// an error naming what is missing, since session credentials without their
// token or expiry would fail every request signed with them.
package stsanswer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// Credentials turns the credentials of an STS answer into aws.Credentials,
// refusing an answer that lacks any part: session credentials without
// their token or expiry would fail every request signed with them.
func Credentials(c *types.Credentials, source string) (aws.Credentials, error) {
	if c == nil {
		return aws.Credentials{}, errors.New("STS answered without credentials")
	}
	var missing []string
	for _, f := range []struct {
		name string
		ok   bool
	}{
		{"AccessKeyId", c.AccessKeyId != nil && *c.AccessKeyId != ""},
		{"SecretAccessKey", c.SecretAccessKey != nil && *c.SecretAccessKey != ""},
		{"SessionToken", c.SessionToken != nil && *c.SessionToken != ""},
		{"Expiration", c.Expiration != nil && !c.Expiration.IsZero()},
	} {
		if !f.ok {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return aws.Credentials{}, fmt.Errorf("STS answered with incomplete credentials, without %s",
			strings.Join(missing, ", "))
	}
	return aws.Credentials{
		AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken,
		Source: source, CanExpire: true, Expires: *c.Expiration,
	}, nil
}
