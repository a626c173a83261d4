package xacct_test

// The world that the examples and the end-to-end tests run in, as plain
// data: three accounts, their users and roles.
//
//	111111111111  users jenkins, bob, alice (each with a virtual MFA device)
//	222222222222  CrossAccountRole (External ID ext-123), BreakGlass (MFA),
//	              Hub (External ID ext-123, up to 12h), Admin (MFA under 12h old)
//	333333333333  ci/Deploy, trusting CrossAccountRole and Hub

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"log"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xacct/xacct/xaccttest"
)

const (
	crossRole  = "arn:aws:iam::222222222222:role/CrossAccountRole"
	glassRole  = "arn:aws:iam::222222222222:role/BreakGlass"
	hubRole    = "arn:aws:iam::222222222222:role/Hub"
	adminRole  = "arn:aws:iam::222222222222:role/Admin"
	deployRole = "arn:aws:iam::333333333333:role/ci/Deploy"
	aliceMFA   = "arn:aws:iam::111111111111:mfa/alice"
	bobMFA     = "arn:aws:iam::111111111111:mfa/bob"
	jenkinsMFA = "arn:aws:iam::111111111111:mfa/jenkins"
)

func doc(s string) json.RawMessage { return json.RawMessage(s) }

// allow is an identity policy allowing sts:AssumeRole on resource.
func allow(resource string) json.RawMessage {
	return doc(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` +
		resource + `"}}`)
}

// trust is a trust policy letting principal assume the role under condition.
func trust(principal, condition string) json.RawMessage {
	if condition != "" {
		condition = `,"Condition":` + condition
	}
	return doc(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":` + principal +
		`},"Action":"sts:AssumeRole"` + condition + `}}`)
}

// scenario returns the world. Each call gives the MFA devices secrets of
// their own, so that tests running in parallel never share a device's
// codes (xacct remembers the last code of each device, process-wide).
func scenario() *xaccttest.Scenario {
	const mfaPresent = `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`
	return &xaccttest.Scenario{Accounts: map[string]xaccttest.Account{
		"111111111111": {Users: map[string]xaccttest.User{
			"jenkins": {
				AccessKeyID: "AKIAEXAMPLEJENKINS01", SecretAccessKey: "jenkins-secret", MFATOTPSecret: totpSecret(),
				Policies: []json.RawMessage{allow(crossRole), allow(glassRole)},
			},
			"bob": {
				AccessKeyID: "AKIAEXAMPLEBOB000001", SecretAccessKey: "bob-secret", MFATOTPSecret: totpSecret(),
				Policies: []json.RawMessage{allow(glassRole)},
			},
			"alice": {
				AccessKeyID: "AKIAEXAMPLEALICE0001", SecretAccessKey: "alice-secret", MFATOTPSecret: totpSecret(),
				Policies: []json.RawMessage{allow("arn:aws:iam::222222222222:role/*")},
			},
		}},
		"222222222222": {Roles: map[string]xaccttest.Role{
			"CrossAccountRole": {
				Trust:    trust(`"arn:aws:iam::111111111111:root"`, `{"StringEquals":{"sts:ExternalId":"ext-123"}}`),
				Policies: []json.RawMessage{allow(deployRole)},
			},
			"BreakGlass": {Trust: trust(`"arn:aws:iam::111111111111:root"`, mfaPresent)},
			"Hub": {
				Trust:                     trust(`"111111111111"`, `{"StringEquals":{"sts:ExternalId":"ext-123"}}`),
				Policies:                  []json.RawMessage{allow(deployRole)},
				MaxSessionDurationSeconds: 43200,
			},
			"Admin": {Trust: trust(`"arn:aws:iam::111111111111:root"`,
				`{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"43200"}}`)},
		}},
		"333333333333": {Roles: map[string]xaccttest.Role{
			"Deploy": {Path: "/ci/", Trust: trust(`["`+crossRole+`","`+hubRole+`"]`, "")},
		}},
	}}
}

// totpSecret returns a new base32 secret for a virtual MFA device.
func totpSecret() string {
	b := make([]byte, 10)
	rand.Read(b)
	return base32.StdEncoding.EncodeToString(b)
}

// startWorld starts a fake STS serving the world, and returns it with the
// config of user in account 111111111111. In production, cfg comes from
// config.LoadDefaultConfig.
func startWorld(user string) (*xaccttest.Server, aws.Config, error) {
	srv, err := xaccttest.NewServerWithScenario(scenario())
	if err != nil {
		return nil, aws.Config{}, err
	}
	cfg, err := srv.UserConfig("111111111111", user)
	if err != nil {
		srv.Close()
		return nil, aws.Config{}, err
	}
	return srv, cfg, nil
}

// fakeAWS is startWorld for the examples: jenkins' config.
func fakeAWS() (*xaccttest.Server, aws.Config) {
	srv, cfg, err := startWorld("jenkins")
	if err != nil {
		log.Fatal(err)
	}
	return srv, cfg
}

// world is startWorld for the tests: alice's config; the server stops
// with the test.
func world(t *testing.T) (*xaccttest.Server, aws.Config) {
	t.Helper()
	srv, cfg, err := startWorld("alice")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv, cfg
}

// whoAmI returns the ARN that GetCallerIdentity gives cfg's credentials,
// or the error's text.
func whoAmI(cfg aws.Config) string {
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		return err.Error()
	}
	return aws.ToString(out.Arn)
}

// with returns cfg with creds as its credentials.
func with(cfg aws.Config, creds aws.CredentialsProvider) aws.Config {
	cfg.Credentials = creds
	return cfg
}

// waitIdle waits for the background refreshes that reads started to reach
// the fake and be answered, before the test moves the simulated clock.
func waitIdle(t *testing.T, srv *xaccttest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitIdle(ctx, 3*time.Millisecond); err != nil {
		t.Fatalf("the fake STS was never idle: %v", err)
	}
}

// noGoroutineLeft fails the test unless the process is back to before
// goroutines within a few seconds. Tests that call it do not run in
// parallel: they count the whole process's goroutines.
func noGoroutineLeft(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before, %d after:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
