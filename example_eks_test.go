package xacct_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/xaccttest"
)

// A token for an EKS cluster, signed with a role's session, and checked as
// the cluster's authenticator checks it.
func ExampleNewEKSToken() {
	srv, cfg := fakeAWS() // jenkins, in account 111111111111
	defer srv.Close()
	hop, err := xacct.AssumeRole(cfg, xacct.Role{ARN: crossRole, ExternalID: "ext-123", SessionName: "deploy"})
	if err != nil {
		log.Fatal(err)
	}
	cfg.Credentials = hop
	tok, err := xacct.NewEKSToken(context.Background(), cfg, "prod-1")
	if err != nil {
		log.Fatal(err)
	}
	arn, err := srv.VerifyEKSToken(tok.Value, "prod-1")
	fmt.Println(arn, err)
	_, err = srv.VerifyEKSToken(tok.Value, "prod-2")
	fmt.Println("for another cluster:", strings.Contains(fmt.Sprint(err), "SignatureDoesNotMatch"))
	// Output:
	// arn:aws:sts::222222222222:assumed-role/CrossAccountRole/deploy <nil>
	// for another cluster: true
}

// A console sign-in URL for a role's session, from the fake's federation
// endpoint; the login step redirects to the console home of the region.
func ExampleConsoleURL() {
	srv, cfg := fakeAWS()
	defer srv.Close()
	hop, err := xacct.AssumeRole(cfg, xacct.Role{ARN: crossRole, ExternalID: "ext-123"})
	if err != nil {
		log.Fatal(err)
	}
	cfg.Credentials = hop
	login, err := xacct.ConsoleURL(context.Background(), cfg, func(o *xacct.ConsoleOptions) {
		o.Endpoint = srv.URL + xaccttest.FederationPath
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(hop.SessionKind())
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(login)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Location"))
	// Output:
	// role
	// 302 https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1
}
