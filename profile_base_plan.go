package xacct

// What the plan shows of a base: its kind, where it is written and what
// it is, with no key or token (a credential_process's command line is
// configuration, shown as written).

import (
	"fmt"
	"strings"
	"time"
)

// planBase describes the base for the plan, with no key or token.
func (c *profileChain) planBase() PlanBase {
	b := c.base
	pb := PlanBase{
		Kind: b.kind, Profile: b.profile, Key: b.key, File: b.at.File, Line: b.at.Line, MFASerial: b.mfaSerial,
	}
	pb.Chaining, pb.ChainingWhy = b.hop1()
	if b.mfaSerial != "" {
		pb.SessionSeconds = int(b.session / time.Second)
	}
	s := b.sc
	switch b.kind {
	case BaseStaticKeys, BaseSessionKeys:
		pb.Detail = "access key " + lastFour(s.Credentials.AccessKeyID)
		if src := strings.TrimPrefix(s.Credentials.Source, "SharedConfigCredentials: "); src != s.Credentials.Source && src != "" {
			pb.File = src // the SDK knows which file the keys came from
		}
	case BaseEnvironment:
		pb.Detail = "AWS_ACCESS_KEY_ID " + lastFour(b.env.Credentials.AccessKeyID) + " from the environment"
	case BaseEC2Metadata:
		pb.Detail = "the instance's role, from the instance metadata service (IMDS)"
	case BaseECSContainer:
		pb.Detail = "the container's role, from " + b.containerURL
	case BaseProcess:
		pb.Detail = "runs: " + s.CredentialProcess
		pb.Command = s.CredentialProcess
	case BaseWebIdentity:
		pb.Detail = fmt.Sprintf("role %s with the token in %s, session %s, %v",
			b.web.ARN, s.WebIdentityTokenFile, b.web.SessionName, b.web.Duration)
	case BaseSSO:
		region, startURL, session := s.SSORegion, s.SSOStartURL, ""
		if s.SSOSession != nil {
			region, startURL, session = s.SSOSession.SSORegion, s.SSOSession.SSOStartURL, ", sso-session "+s.SSOSessionName
		}
		pb.Detail = fmt.Sprintf("account %s, role %s, start URL %s, region %s%s; reads the token that `aws sso login` cached",
			s.SSOAccountID, s.SSORoleName, startURL, region, session)
	case BaseLogin:
		pb.Detail = "login session " + s.LoginSession + "; reads the token that `aws login` cached"
	}
	return pb
}

// lastFour shows the end of an access key ID, and no more.
func lastFour(id string) string {
	if len(id) <= 4 {
		return "…"
	}
	return "…" + id[len(id)-4:]
}

// programName is the first word of a command line, unquoted.
func programName(cmd string) string {
	cmd = strings.TrimSpace(cmd)
	if cmd != "" && (cmd[0] == '"' || cmd[0] == '\'') {
		if i := strings.IndexByte(cmd[1:], cmd[0]); i >= 0 {
			return cmd[1 : i+1]
		}
	}
	name, _, _ := strings.Cut(cmd, " ")
	return name
}
