package main

// for-each-account's children and their credential endpoint: by default
// each child gets an endpoint path and token of its own account, on one
// listener for the run, so that a child that outlives its session keeps
// working; --env-credentials gives fixed keys in the environment instead.

import (
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct"
)

// envCredentialsHelp is the help of for-each-account's --env-credentials.
const envCredentialsHelp = "give each command fixed credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and " +
	"AWS_SESSION_TOKEN, valid for the session only, instead of a credential endpoint of its account that refreshes them"

// startForEachEndpoint starts the run's endpoint and writes the private
// copies of the shared files that every child reads; nil with
// --env-credentials.
func startForEachEndpoint(envCredentials bool) (*endpoint, *sharedCopies, error) {
	if envCredentials {
		return nil, nil, nil
	}
	ep, err := startEndpoint("127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	copies, err := ep.sharedCopies()
	if err != nil {
		ep.close()
		return nil, nil, err
	}
	return ep, copies, nil
}

// childEnv returns the environment of a's command, what to redact from
// its output, and what to call when it has ended.
func (r *forEach) childEnv(a xacct.Account, cfg aws.Config, creds aws.Credentials) ([]string, redactor, func(), error) {
	red := newRedactor(creds)
	extra := []string{"XACCT_ACCOUNT_ID=" + a.ID, "XACCT_ACCOUNT_NAME=" + a.Name}
	if r.ep == nil {
		return append(credentialEnv(os.Environ(), creds, r.region), extra...), red, func() {}, nil
	}
	cl, err := r.ep.add(cfg.Credentials, r.profile)
	if err != nil {
		return nil, nil, nil, err
	}
	// The token is in the environment too: a command that prints it
	// shows it redacted.
	return append(endpointEnv(os.Environ(), cl, r.copies, r.region), extra...), append(red, cl.token), cl.remove, nil
}
