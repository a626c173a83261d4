package xacct

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"

	"github.com/xacct/xacct/internal/signin"
)

// descriptor is what a Cache knows about the provider it wraps: what the
// chaining rules, error messages, logs and the prompt protocol need. It is
// fixed when the Cache is built and holds no secrets.
type descriptor struct {
	name   string // for errors, logs and RefreshEvent.Name: a role ARN, an MFA serial, or the provider's type
	caller string // how hints name these credentials when they sign the next hop's STS call
	hop    int    // position in a role chain, from 1; 0 when not a hop

	// temporary credentials are a role or MFA session: STS treats
	// AssumeRole with them as role chaining, capped at one hour.
	temporary bool

	// kind is what session the credentials are, as Cache.SessionKind
	// says it: one of the kind constants, "" when not known.
	kind string

	// interactive: a fetch prompts a person, so it is never started in the
	// background (the prompt would interrupt nobody's work, for nobody).
	interactive bool

	// prompts counts the fetches up to and including this one, along the
	// chain, that may prompt: each gives a fetch Options.MFATimeout more,
	// and a fetch that may prompt is canceled when every caller has left.
	prompts int

	// session is what decides the credentials when a Store keeps them (a
	// hop, an MFA session, a web identity session), but for who asks: the
	// requester, identified at each fetch (storekey.go). nil: not stored.
	session *sessionKey
}

// based is implemented by providers built on other credentials: a hop's
// provider, and *Cache. StoreKeys walks a chain down through it.
type based interface {
	baseProvider() aws.CredentialsProvider
}

// baseOf returns the provider p is built on, or nil.
func baseOf(p aws.CredentialsProvider) aws.CredentialsProvider {
	if b, ok := p.(based); ok {
		return b.baseProvider()
	}
	return nil
}

// describer is implemented by providers that tell a Cache what they are:
// xacct's own providers, and *Cache itself, so that a hop built on a cache
// knows it is the next hop. A Cache looks for it on the provider it wraps,
// as aws.CredentialsCache looks for optional interfaces on its provider.
type describer interface {
	describe() descriptor
}

// describe returns what is known about p: its own description if it has
// one, else what its type tells (the SDK's providers of session
// credentials make the next AssumeRole role chaining).
func describe(p aws.CredentialsProvider) descriptor {
	if d, ok := p.(describer); ok {
		return d.describe()
	}
	d := descriptor{name: fmt.Sprintf("%T", p), caller: "the caller (the credentials of the aws.Config)"}
	switch b := p.(type) {
	case credentials.StaticCredentialsProvider:
		d = static(b.Value)
	case *credentials.StaticCredentialsProvider:
		if b != nil {
			d = static(b.Value)
		}
	}
	if aws.IsCredentialsProvider(p, (*stscreds.AssumeRoleProvider)(nil)) {
		// On whatever credentials: role chaining or not, it does not say.
		d.caller, d.temporary, d.kind = "the SDK's assumed-role credentials", true, ""
	}
	if aws.IsCredentialsProvider(p, (*stscreds.WebIdentityRoleProvider)(nil)) {
		d.caller, d.temporary, d.kind = "the SDK's assumed-role credentials", true, kindRole
	}
	return d
}

// static describes fixed credentials: session credentials make the next
// AssumeRole role chaining.
func static(v aws.Credentials) descriptor {
	d := descriptor{
		name:      "credentials.StaticCredentialsProvider",
		caller:    "the caller (the static credentials of the aws.Config)",
		temporary: v.SessionToken != "",
	}
	if !d.temporary {
		d.kind = kindLongTerm
	}
	return d
}

// The kinds of credentials that Cache.SessionKind tells apart: what the
// console's federation endpoint decides by (console.go).
// Their strings are internal/signin's, whose rules read them.
const (
	kindLongTerm    = signin.KindLongTerm
	kindMFASession  = signin.KindMFASession
	kindRole        = signin.KindRole
	kindRoleChained = signin.KindRoleChained
)

// SessionKind says what kind of credentials c gives, as far as it knows
// from how it was built (no call, no fetch):
//
//   - "long-term": an IAM user's long-term access key, no session;
//   - "mfa-session": an MFA session (MFASession, GetSessionToken);
//   - "role": a role session not obtained by role chaining: a hop on
//     long-term keys or on an EC2 instance's role, a web identity session;
//   - "role-chained": a role session obtained by role chaining: a hop on
//     any temporary credentials (another role, an MFA session);
//   - "federation": a federated user's session (GetFederationToken);
//   - "": not known, such as a session from a credential_process, from
//     a profile's aws_session_token, from SSO, or a hop on those.
//
// The console's federation endpoint decides by it (ConsoleURL): it
// refuses SessionDuration for chained sessions, and every MFA session.
// Any aws.CredentialsProvider may have a SessionKind method of this
// signature to tell ConsoleURL what it gives.
func (c *Cache) SessionKind() string { return c.desc.kind }

// hopKind is the kind of a role session on credentials of base.
func hopKind(base descriptor) string {
	switch {
	case base.temporary:
		return kindRoleChained
	case base.kind != "":
		return kindRole
	}
	return "" // on credentials of unknown kind: chaining or not, nobody can tell
}

// nextHop describes the hop that a provider of this description would be
// the base of: its position and how its hints name the caller.
func (d descriptor) nextHop() (hop int, caller string) {
	if d.hop > 0 {
		return d.hop + 1, fmt.Sprintf("hop %d's session of %s", d.hop, d.name)
	}
	return 1, d.caller
}
