// Package rolereq turns an xacct.Role into an AssumeRole request: its
// defaults, its checks by STS's rules, and the request itself, built once
// per hop. Role here has xacct.Role's fields, so that one converts to the
// other; xacct.Role holds their documentation.
package rolereq

import (
	"cmp"
	"maps"
	"os"
	"os/user"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/xacct/xacct/internal/validate"
)

// Role is xacct.Role's fields, in its order.
type Role struct {
	ARN               string
	SessionName       string
	ExternalID        string
	Duration          time.Duration
	MFASerial         string
	Policy            string
	PolicyARNs        []string
	Tags              map[string]string
	TransitiveTagKeys []string
	SourceIdentity    string
}

// DefaultSessionName says who calls, as CloudTrail and the assumed-role
// ARN show it: "xacct-<user>", the login name (sessionUser), cut to STS's
// RoleSessionName rule ([\w+=,.@-]{2,64}: another character becomes '-').
func DefaultSessionName() string {
	return validate.SanitizeSessionName("xacct-" + sessionUser(os.Getenv, user.Current))
}

// sessionUser is the login name: $USER, else $LOGNAME (cron, some
// containers), else $USERNAME (Windows), else the operating system's name
// of the process's user; "unknown" when none is known (a container run
// under a UID with no passwd entry).
func sessionUser(getenv func(string) string, current func() (*user.User, error)) string {
	if name := cmp.Or(getenv("USER"), getenv("LOGNAME"), getenv("USERNAME")); name != "" {
		return name
	}
	if u, err := current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

// WithDefaults fills in the session name and duration (defaultDuration),
// and copies what the caller could change later.
func WithDefaults(r Role, defaultDuration time.Duration) Role {
	if r.SessionName == "" {
		r.SessionName = DefaultSessionName()
	}
	if r.Duration == 0 {
		r.Duration = defaultDuration
	}
	// Copy what the caller could change under us later.
	r.PolicyARNs = slices.Clone(r.PolicyARNs)
	r.TransitiveTagKeys = slices.Clone(r.TransitiveTagKeys)
	r.Tags = maps.Clone(r.Tags)
	return r
}

// Validate checks every field by STS's rules, chaining saying whether the
// one-hour cap applies.
func Validate(r Role, chaining bool) error {
	for _, err := range []error{
		validate.RoleARN(r.ARN),
		validate.SessionName(r.SessionName),
		validate.ExternalID(r.ExternalID),
		validate.Duration(r.Duration, chaining),
		serial(r.MFASerial),
		validate.Policy(r.Policy),
		validate.PolicyARNs(r.PolicyARNs),
		validate.Tags(r.Tags, r.TransitiveTagKeys),
		validate.SourceIdentity(r.SourceIdentity),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

func serial(s string) error {
	if s == "" {
		return nil
	}
	return validate.SerialNumber("MFASerial", s)
}

// Input builds the AssumeRole request of a validated role, once: each
// call copies it and adds the MFA code.
func Input(r Role) *sts.AssumeRoleInput {
	in := &sts.AssumeRoleInput{
		RoleArn:           aws.String(r.ARN),
		RoleSessionName:   aws.String(r.SessionName),
		DurationSeconds:   aws.Int32(int32(r.Duration / time.Second)),
		ExternalId:        optional(r.ExternalID),
		Policy:            optional(r.Policy),
		SourceIdentity:    optional(r.SourceIdentity),
		SerialNumber:      optional(r.MFASerial),
		TransitiveTagKeys: r.TransitiveTagKeys,
	}
	for _, a := range r.PolicyARNs {
		in.PolicyArns = append(in.PolicyArns, types.PolicyDescriptorType{Arn: aws.String(a)})
	}
	for _, k := range slices.Sorted(maps.Keys(r.Tags)) {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(r.Tags[k])})
	}
	return in
}

// TagList is tags as key, value, key, value..., in the request's order:
// each a string of its own in the key (never "key=value": "=" may be in
// either, and {a=b: c} is not {a: b=c}).
func TagList(tags []types.Tag) []string {
	var out []string
	for _, t := range tags {
		out = append(out, aws.ToString(t.Key), aws.ToString(t.Value))
	}
	return out
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
