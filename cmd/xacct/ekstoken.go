package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/xacct/xacct"
)

func init() {
	register(command{
		name:    "eks-token",
		summary: "print an EKS cluster's ExecCredential for kubectl: PROFILE --cluster-name NAME [--region R]",
		run:     runEKSToken,
		// kubectl reads its answer: with kubectl gone, nobody will.
		withCaller: true,
	})
}

const eksTokenUsage = `usage: xacct eks-token PROFILE --cluster-name NAME [--region R] [--api-version V]
                       [--cache-dir D | --no-cache] [--token-command CMD] [--min-remaining DUR]
                       [--duration DUR]

Prints the ExecCredential that kubectl reads from a kubeconfig's exec entry,
as 'aws eks get-token' prints it: a bearer token for the EKS cluster NAME,
signed with the credentials of profile PROFILE (or --profile P; flags go
before or after it). --cluster is --cluster-name.

  users:
  - name: prod
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1beta1
        command: xacct
        args: [eks-token, prod, --cluster-name, prod-1]

The profile's chain goes through the credential store, as for
credential-process: while its session lasts, a call makes no STS call and
asks for no MFA code, whichever process fetched the session. The token is
signed locally for the regional STS endpoint of --region (default: the
profile's region), and kubectl may use it for 14 minutes.

The ExecCredential's apiVersion is the one kubectl asks for in
KUBERNETES_EXEC_INFO, else --api-version: v1beta1 (the default) or v1.

Exit status: as credential-process: 0 success; 2 bad usage or
configuration; 3 STS or the chain's base refused or failed; 4 an MFA code
was needed and none could be had; 5 another xacct process kept refreshing
the credentials past the deadline; 130 interrupted.

`

// execAPIGroup is the API group of ExecCredential.
const execAPIGroup = "client.authentication.k8s.io/"

// execInfoMaxBytes bounds KUBERNETES_EXEC_INFO: kubectl's is a few
// hundred bytes (a cluster's CA included, a few kilobytes).
const execInfoMaxBytes = 64 << 10

// execCredential is an ExecCredential, its keys in the order of 'aws eks
// get-token'.
type execCredential struct {
	Kind       string         `json:"kind"`
	APIVersion string         `json:"apiVersion"`
	Spec       struct{}       `json:"spec"`
	Status     map[string]any `json:"status"`
}

func runEKSToken(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	r := &credentialRun{name: "xacct eks-token", stderr: stderr, timeout: credentialProcessTimeout}
	var cluster, apiVersion string
	fs, code, done := r.parse(ctx, args, flagSpec{usage: eksTokenUsage, shared: allSharedFlags, positional: true,
		own: func(fs *flag.FlagSet) {
			fs.StringVar(&cluster, "cluster-name", "", "the EKS cluster's name (or ID, for a local cluster on Outposts)")
			fs.StringVar(&cluster, "cluster", "", "the same as --cluster-name")
			fs.StringVar(&apiVersion, "api-version", "v1beta1", "the ExecCredential's apiVersion when KUBERNETES_EXEC_INFO "+
				"does not say: v1beta1 or v1")
		}})
	if done {
		return code
	}
	if err := unexpectedArgs(fs); err != nil {
		return r.fail(ctx, err)
	}
	version, err := execAPIVersion(os.Getenv("KUBERNETES_EXEC_INFO"), apiVersion)
	if err == nil && cluster == "" {
		err = failf(exitConfig, "", "--cluster-name is required: the EKS cluster whose authenticator reads the token")
	}
	if err != nil {
		return r.fail(ctx, err)
	}
	if _, err := r.get(ctx); err != nil {
		return r.fail(ctx, err)
	}
	// --region (a shared flag) is the config's: the token is for its STS
	// endpoint, the cluster's region.
	tok, err := xacct.NewEKSToken(ctx, r.cfg, cluster)
	if err != nil {
		return r.fail(ctx, &exitError{code: exitConfig, err: err})
	}
	out := execCredential{Kind: "ExecCredential", APIVersion: version, Status: map[string]any{
		"expirationTimestamp": tok.Expires.UTC().Format(time.RFC3339), "token": tok.Value,
	}}
	b, _ := json.MarshalIndent(out, "", "    ")
	if _, err := stdout.Write(append(b, '\n')); err != nil {
		report(stderr, r.name, fmt.Errorf("writing the ExecCredential to stdout: %w", err))
		return exitFailure
	}
	return 0
}

// execAPIVersion is the ExecCredential's apiVersion: KUBERNETES_EXEC_INFO's
// (kubectl's) when it is set, else the flag's.
func execAPIVersion(execInfo, flagValue string) (string, error) {
	if execInfo != "" {
		var info struct {
			APIVersion string `json:"apiVersion"`
		}
		if len(execInfo) > execInfoMaxBytes || json.Unmarshal([]byte(execInfo), &info) != nil || info.APIVersion == "" {
			return "", failf(exitConfig, "", "KUBERNETES_EXEC_INFO is not kubectl's JSON with an apiVersion")
		}
		return checkAPIVersion(info.APIVersion, "KUBERNETES_EXEC_INFO's apiVersion")
	}
	return checkAPIVersion(flagValue, "--api-version")
}

func checkAPIVersion(v, what string) (string, error) {
	switch short := strings.TrimPrefix(v, execAPIGroup); short {
	case "v1beta1", "v1":
		return execAPIGroup + short, nil
	}
	return "", failf(exitConfig, "", "%s %q: xacct speaks %sv1beta1 and %sv1", what, v, execAPIGroup, execAPIGroup)
}
