package xaccttest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/xaccttest"
)

// A scenario built in code: a user in account A, a role in account B that
// trusts account A with an External ID. The test then checks the real
// trust relationship: without the External ID STS refuses, with it STS
// allows, and the call record says why.
func ExampleNewServer() {
	srv := xaccttest.NewServer()
	defer srv.Close()
	err := srv.AddUser("111111111111", "ci", xaccttest.User{
		AccessKeyID: "AKIAEXAMPLECI0000001", SecretAccessKey: "ci-secret",
		Policies: []json.RawMessage{json.RawMessage(`{"Version": "2012-10-17", "Statement": {
			"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::222222222222:role/Vendor"}}`)},
	})
	if err != nil {
		log.Fatal(err)
	}
	err = srv.AddRole("222222222222", "Vendor", xaccttest.Role{
		Trust: json.RawMessage(`{"Version": "2012-10-17", "Statement": {
			"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "sts:AssumeRole",
			"Condition": {"StringEquals": {"sts:ExternalId": "vendor-42"}}}}`),
	})
	if err != nil {
		log.Fatal(err)
	}

	cfg := srv.Config("AKIAEXAMPLECI0000001", "ci-secret", "")
	for _, ext := range []string{"", "vendor-42"} {
		role := xacct.Role{ARN: "arn:aws:iam::222222222222:role/Vendor", ExternalID: ext, SessionName: "test"}
		creds, err := xacct.AssumeRole(cfg, role, func(o *xacct.Options) { o.Now = srv.Clock.Now })
		if err != nil {
			log.Fatal(err)
		}
		_, err = creds.Retrieve(context.Background())
		fmt.Printf("External ID %q: allowed=%v\n", ext, err == nil)
	}
	for _, c := range srv.Calls() {
		fmt.Println(c.Action, c.Allowed, c.Reason)
	}
	// Output:
	// External ID "": allowed=false
	// External ID "vendor-42": allowed=true
	// AssumeRole false sts:AssumeRole: trust policy of arn:aws:iam::222222222222:role/Vendor: no statement allows it: trust policy statement 1: condition StringEquals sts:ExternalId fails: the request has no sts:ExternalId
	// AssumeRole true
}

// Any SDK client can use the fake: point its endpoint at URL.
func ExampleServer_Config() {
	sc, err := xaccttest.LoadScenarioFile("testdata/issue.json")
	if err != nil {
		log.Fatal(err)
	}
	srv, err := xaccttest.NewServerWithScenario(sc)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	cfg := srv.Config("AKIAEXAMPLEJENKINS01", "any-string", "")
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(aws.ToString(out.Arn))

	_, err = sts.NewFromConfig(srv.Config("AKIAEXAMPLEJENKINS01", "wrong-secret", "")).
		GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	fmt.Println(err != nil, srv.Calls()[1].ErrorCode)
	// Output:
	// arn:aws:iam::111111111111:user/jenkins
	// true SignatureDoesNotMatch
}
