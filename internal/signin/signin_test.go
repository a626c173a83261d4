package signin

import (
	"strings"
	"testing"
	"time"
)

func TestPlanFor(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		kind  string
		asked time.Duration
		want  Plan
		err   string
	}{
		{"a role gets the default SessionDuration", KindRole, 0, Plan{Duration: time.Hour}, ""},
		{"a role gets what is asked", KindRole, 12 * time.Hour, Plan{Duration: 12 * time.Hour}, ""},
		{"a role's console session is at most 12h", KindRole, 13 * time.Hour, Plan{}, "15m0s to 12h0m0s"},
		{"at least 15m", KindRole, 14 * time.Minute, Plan{}, "15m0s to 12h0m0s"},
		{"whole seconds", KindRole, time.Hour + time.Millisecond, Plan{}, "whole seconds"},
		{"a chained session gets none", KindRoleChained, 0, Plan{}, ""},
		{"a chained session refuses one", KindRoleChained, time.Hour, Plan{}, "role chaining"},
		{"a federated session refuses one", KindFederation, time.Hour, Plan{}, "GetFederationToken"},
		{"long-term keys federate, 1h by default", KindLongTerm, 0, Plan{Federate: true, Duration: time.Hour}, ""},
		{"long-term keys federate up to 36h", KindLongTerm, 36 * time.Hour, Plan{Federate: true, Duration: 36 * time.Hour}, ""},
		{"not beyond", KindLongTerm, 37 * time.Hour, Plan{}, "GetFederationToken session's length"},
		{"an MFA session is refused", KindMFASession, 0, Plan{}, "role_arn and mfa_serial"},
		{"an unknown session gets none by default", "", 0, Plan{}, ""},
		{"an unknown session gets what is asked", "", 2 * time.Hour, Plan{Duration: 2 * time.Hour}, ""},
	} {
		got, err := PlanFor(c.kind, c.asked, "F")
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.HasPrefix(err.Error(), "F ") && c.kind != KindMFASession {
				t.Errorf("%s: %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
}

func TestDestinationAndEndpoint(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ partition, region, dest, want, err string }{
		{"aws", "eu-west-1", "", "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1", ""},
		{"aws-us-gov", "us-gov-east-1", "ec2", "https://console.amazonaws-us-gov.com/ec2/home?region=us-gov-east-1", ""},
		{"aws-cn", "cn-north-1", "https://console.amazonaws.cn/s3/", "https://console.amazonaws.cn/s3/", ""},
		{"aws", "eu-west-1", "https://console.amazonaws.cn/", "", "not on the console of partition aws"},
		{"aws", "eu-west-1", "http://eu-west-1.console.aws.amazon.com/", "", "nor an https URL"},
		{"aws", "eu-west-1", "https://evil.com/?x=.aws.amazon.com", "", "not on the console"},
		{"aws-iso", "us-iso-east-1", "", "", "no console"},
	} {
		got, err := Destination(c.partition, c.region, c.dest)
		if got != c.want || (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("Destination(%s, %s, %q) = %q, %v; want %q, %q", c.partition, c.region, c.dest, got, err, c.want, c.err)
		}
	}
	for _, e := range []string{"ftp://x/federation", "http://signin.example.com/federation", "https://x/federation?a=b", "federation"} {
		if CheckEndpoint(e) == nil {
			t.Errorf("CheckEndpoint(%q) accepted it", e)
		}
	}
	for _, e := range []string{"https://signin.aws.amazon.com/federation", "http://127.0.0.1:8080/federation", "http://[::1]:1/federation"} {
		if err := CheckEndpoint(e); err != nil {
			t.Errorf("CheckEndpoint(%q): %v", e, err)
		}
	}
}
