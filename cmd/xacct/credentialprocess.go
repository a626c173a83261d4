package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"
)

func init() {
	register(command{
		name:    "credential-process",
		summary: "print a profile's credentials for credential_process: --profile P [--cache-dir D | --no-cache]",
		run:     runCredentialProcess,
		// Its caller reads its answer: with the caller gone, nobody will.
		withCaller: true,
	})
}

const credentialProcessUsage = `usage: xacct credential-process [PROFILE | --profile P] [--cache-dir D | --no-cache]
                                [--token-command CMD] [--min-remaining DUR] [--timeout DUR] [--region R]
                                [--duration DUR]

Prints the credentials of profile P as one line of the JSON that the AWS
SDKs and the AWS CLI read from a credential_process, and nothing else on
stdout:

  [profile prod]
  credential_process = xacct credential-process --profile prod-chain

Every xacct process shares one session per hop and per MFA session through
the credential store (--cache-dir): processes started together make one STS
call per hop between them, and one MFA prompt. A process that finds what it
needs in the store asks nobody. Without a store directory it can use (no
home, a read-only one, one others may write), the credentials still come,
with one notice that names the directory and why.

MFA codes are asked for on the terminal (/dev/tty); without one,
--token-command is run; without that, a chain that needs a code fails at
once: run 'xacct login --profile P' in a terminal first. Notices for a
person ("waiting for another xacct process ...") go to the terminal too,
else to stderr. Errors are one line on stderr.

The whole run takes at most --timeout (50s), inside the minute that the Go
SDK gives a credential_process before it kills it; a longer one (up to
15m) suits callers that wait, such as the AWS CLI. When no code came in
time, run 'xacct login PROFILE' in a terminal first. Interactive commands
(exec, env, login) give a person 5 minutes to type a code.

Exit status: 0 success; 1 the credentials could not be written to stdout;
2 bad usage or configuration (a flag, the profile, a credential_process
that calls xacct for the same profile); 3 STS or the
chain's base refused or failed; 4 an MFA code was needed and none could be
had; 5 another xacct process kept refreshing the same credentials past the
deadline; 130 interrupted (SIGINT, SIGTERM).

`

// credentialProcessTimeout is the default of --timeout, which bounds a
// run of credential-process: the Go SDK kills a credential_process after
// a minute (processcreds.DefaultTimeout), and the process needs some of
// that to start and to exit, and to say why it failed.
const credentialProcessTimeout = 50 * time.Second

// maxCredentialProcessTimeout bounds --timeout: a caller that waits
// longer than the Go SDK (botocore waits as long as it takes) still
// wants an answer in the end.
const maxCredentialProcessTimeout = 15 * time.Minute

// processCredentials is the JSON of a credential_process: Version 1, the
// keys, and for temporary credentials the token and their expiry in
// RFC 3339.
type processCredentials struct {
	Version         int    `json:"Version"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken,omitempty"`
	Expiration      string `json:"Expiration,omitempty"`
}

func runCredentialProcess(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	r := &credentialRun{name: "xacct credential-process", stderr: stderr, timeout: credentialProcessTimeout}
	if _, code, done := r.parse(ctx, args, flagSpec{usage: credentialProcessUsage, shared: allSharedFlags,
		own: func(fs *flag.FlagSet) {
			fs.DurationVar(&r.timeout, "timeout", credentialProcessTimeout, "give up after this long, waiting for "+
				"another xacct process, an MFA code or STS (above 55s, a program on the Go SDK kills it first: "+
				"it waits a minute)")
		}}); done {
		return code
	}
	if r.timeout <= 0 || r.timeout > maxCredentialProcessTimeout {
		return r.fail(ctx, failf(exitConfig, "", "--timeout %v: want more than 0 and at most %v (the default, %v, "+
			"stays inside the minute that programs on the Go SDK give a credential_process)",
			r.timeout, maxCredentialProcessTimeout, credentialProcessTimeout))
	}
	if r.flags.profile == "" {
		// The SDK that runs credential_process passes its own AWS_PROFILE
		// on: the profile that holds this credential_process, whose
		// credentials are being asked for.
		return r.fail(ctx, failf(exitConfig, "credential_process = xacct credential-process --profile <the profile of the chain>",
			"--profile is required: AWS_PROFILE, which the caller passes on, names the profile whose "+
				"credential_process this is, not the chain to resolve"))
	}
	creds, err := r.get(ctx)
	if err != nil {
		return r.fail(ctx, err)
	}
	out := processCredentials{Version: 1, AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey,
		SessionToken: creds.SessionToken}
	if creds.CanExpire {
		out.Expiration = creds.Expires.UTC().Format(time.RFC3339)
	}
	line, err := json.Marshal(out)
	if err == nil {
		_, err = stdout.Write(append(line, '\n'))
	}
	if err != nil {
		report(stderr, r.name, fmt.Errorf("writing the credentials to stdout: %w", err))
		return exitFailure
	}
	return 0
}
