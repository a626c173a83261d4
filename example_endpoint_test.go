package xacct_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/xacct/xacct"
)

// A credential endpoint for programs in any language: serve a chain with
// CredentialsHandler on loopback, and give the programs
// AWS_CONTAINER_CREDENTIALS_FULL_URI and the token (in the file that
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names). Here the client is
// plain HTTP, as an SDK's would be.
func ExampleCredentialsHandler() {
	srv, cfg := fakeAWS()
	defer srv.Close()
	creds, err := xacct.Chain(cfg, []xacct.Role{{ARN: crossRole, ExternalID: "ext-123"}, {ARN: deployRole}})
	if err != nil {
		log.Fatal(err)
	}
	const token = "a-random-token-of-32-bytes-or-so" // crypto/rand in real use
	endpoint := httptest.NewServer(xacct.CredentialsHandler(creds, token))
	defer endpoint.Close()

	req, _ := http.NewRequest(http.MethodGet, endpoint.URL, nil)
	req.Header.Set("Authorization", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct{ AccessKeyId, Expiration, AccountId string }
	json.NewDecoder(resp.Body).Decode(&answer)
	fmt.Println(resp.StatusCode, resp.Header.Get("Cache-Control"), answer.AccountId, strings.HasSuffix(answer.Expiration, "Z"))

	resp, err = http.Get(endpoint.URL) // no token
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output:
	// 200 no-store 333333333333 true
	// 401
}
