package awsprofile

// What a chain shows of its base: its kind, where it is written and what
// it is, with no key or token (a credential_process's command line is
// configuration, shown as written).

import (
	"fmt"
	"strings"
)

// describe fills in the fields that show the base, with no key or token.
func (b *Base) describe() {
	b.File, b.Line = b.at.File, b.at.Line
	b.Chaining, b.ChainingWhy = b.hop1()
	b.Temporary = b.chaining == ChainingYes
	s := b.sc
	switch b.Kind {
	case KindStaticKeys, KindSessionKeys:
		b.Detail = "access key " + lastFour(s.Credentials.AccessKeyID)
		if src := strings.TrimPrefix(s.Credentials.Source, "SharedConfigCredentials: "); src != s.Credentials.Source && src != "" {
			b.File = src // the SDK knows which file the keys came from
		}
	case KindEnvironment:
		b.Detail = "AWS_ACCESS_KEY_ID " + lastFour(b.env.Credentials.AccessKeyID) + " from the environment"
	case KindEC2Metadata:
		b.Detail = "the instance's role, from the instance metadata service (IMDS)"
	case KindECSContainer:
		b.Detail = "the container's role, from " + b.containerURL
	case KindProcess:
		b.Detail = "runs: " + s.CredentialProcess
		b.Command = s.CredentialProcess
	case KindWebIdentity:
		b.Detail = fmt.Sprintf("role %s with the token in %s, session %s, %v",
			b.WebRole.ARN, b.TokenFile, b.WebRole.SessionName, b.WebRole.Duration)
	case KindSSO:
		region, startURL, session := s.SSORegion, s.SSOStartURL, ""
		if s.SSOSession != nil {
			region, startURL, session = s.SSOSession.SSORegion, s.SSOSession.SSOStartURL, ", sso-session "+s.SSOSessionName
		}
		b.Detail = fmt.Sprintf("account %s, role %s, start URL %s, region %s%s; on the token that xacct login (or aws sso login) cached",
			s.SSOAccountID, s.SSORoleName, startURL, region, session)
	case KindLogin:
		b.Detail = "login session " + s.LoginSession + "; reads the token that `aws login` cached"
	}
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
