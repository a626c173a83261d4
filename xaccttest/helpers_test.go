package xaccttest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

const (
	crossRole     = "arn:aws:iam::222222222222:role/CrossAccountRole"
	jenkinsMFA    = "arn:aws:iam::111111111111:mfa/jenkins"
	jenkinsKey    = "AKIAEXAMPLEJENKINS01"
	jenkinsSecret = "any-string"
)

// doc builds a policy document from one statement.
func doc(statement string) json.RawMessage {
	return json.RawMessage(`{"Version":"2012-10-17","Statement":` + statement + `}`)
}

// trustAccount111 trusts account 111111111111 with sts:AssumeRole.
var trustAccount111 = doc(`{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}`)

// allowAssumeAny allows sts:AssumeRole on every role.
var allowAssumeAny = doc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}`)

// world starts the scenario plus roles for the other rules.
func world(t testing.TB) *Server {
	t.Helper()
	sc, err := LoadScenarioFile("testdata/issue.json")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServerWithScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	must(t, srv.AddUser("111111111111", "alice", User{
		AccessKeyID: "AKIAEXAMPLEALICE0001", SecretAccessKey: "alice-secret", MFATOTPSecret: "JBSWY3DPEHPK3PXQ",
		Policies: []json.RawMessage{
			allowAssumeAny,
			doc(`{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"arn:aws:iam::222222222222:role/Forbidden"}`),
		},
	}))
	must(t, srv.AddUser("111111111111", "nopolicy", User{AccessKeyID: "AKIAEXAMPLENOPOLICY1", SecretAccessKey: "s"}))
	must(t, srv.AddRole("222222222222", "Forbidden", Role{Trust: trustAccount111}))
	must(t, srv.AddRole("222222222222", "Long", Role{
		Trust: trustAccount111, MaxSessionDurationSeconds: 43200, Path: "/ops/",
		Policies: []json.RawMessage{allowAssumeAny},
	}))
	must(t, srv.AddRole("333333333333", "MFAChained", Role{Trust: doc(`{"Effect":"Allow",
		"Principal":{"AWS":"arn:aws:iam::222222222222:role/NeedsMFA"},"Action":"sts:AssumeRole",
		"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`)}))
	must(t, srv.AddRole("222222222222", "NeedsMFA", Role{
		Trust: doc(`{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole",
			"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}`),
		Policies: []json.RawMessage{allowAssumeAny},
	}))
	must(t, srv.AddRole("111111111111", "SameAccount", Role{Trust: doc(`{"Effect":"Allow",
		"Principal":{"AWS":"arn:aws:iam::111111111111:user/nopolicy"},"Action":"sts:AssumeRole"}`)}))
	must(t, srv.AddRole("333333333333", "Deploy", Role{Trust: doc(`{"Effect":"Allow",
		"Principal":{"AWS":"arn:aws:iam::222222222222:role/ops/Long"},"Action":"sts:AssumeRole"}`)}))
	return srv
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// client is an STS client with the access key of a scenario user.
func client(t testing.TB, srv *Server, account, user string) *sts.Client {
	t.Helper()
	cfg, err := srv.UserConfig(account, user)
	if err != nil {
		t.Fatal(err)
	}
	return sts.NewFromConfig(cfg)
}

// keyClient is an STS client with the given credentials, trying once.
func keyClient(srv *Server, key, secret, token string) *sts.Client {
	return sts.NewFromConfig(srv.Config(key, secret, token), func(o *sts.Options) { o.RetryMaxAttempts = 1 })
}

// sessionClient is an STS client with the credentials STS issued.
func sessionClient(srv *Server, c *types.Credentials) *sts.Client {
	return sts.NewFromConfig(srv.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken))
}

// code returns the error code and HTTP status of err ("" and 200 for nil).
func code(err error) (string, int) {
	if err == nil {
		return "", 200
	}
	var apiErr smithy.APIError
	var re *awshttp.ResponseError
	c, status := "?", 0
	if errors.As(err, &apiErr) {
		c = apiErr.ErrorCode()
	}
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return c, status
}

func assume(c *sts.Client, role, ext string, opt ...func(*sts.AssumeRoleInput)) (*sts.AssumeRoleOutput, error) {
	in := &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("test")}
	if ext != "" {
		in.ExternalId = aws.String(ext)
	}
	for _, o := range opt {
		o(in)
	}
	return c.AssumeRole(context.Background(), in)
}

func duration(s int32) func(*sts.AssumeRoleInput) {
	return func(in *sts.AssumeRoleInput) { in.DurationSeconds = aws.Int32(s) }
}

// lastCall returns the newest call in the record.
func lastCall(t testing.TB, srv *Server) Call {
	t.Helper()
	calls := srv.Calls()
	if len(calls) == 0 {
		t.Fatal("no call recorded")
	}
	return calls[len(calls)-1]
}
