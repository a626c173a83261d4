package awsprofile

// An SSO base's provider: the portal's role credentials on the session's
// token, which internal/ssocache refreshes under a lock that every
// process of the user shares (never the SDK's ssocreds, whose refreshes
// race between processes and lose the session).

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/xacct/xacct/internal/ssocache"
	"github.com/xacct/xacct/internal/ssorole"
)

// ssoRoleProvider builds the SSO role's provider on the token cache of
// ~/.aws/sso/cache. The portal's and the OIDC service's clients are the
// SDK's, configured from cfg in the session's region, so that the SDK's
// endpoint resolution applies (AWS_ENDPOINT_URL_SSO, _SSO_OIDC,
// AWS_ENDPOINT_URL, endpoint_url, services sections).
func (b *Base) ssoRoleProvider(ctx context.Context, cfg aws.Config, env Env) (aws.CredentialsProvider, error) {
	s := b.sc
	session := ssocache.Session{StartURL: s.SSOStartURL, Region: s.SSORegion}
	if s.SSOSession != nil {
		session = ssocache.Session{Name: s.SSOSession.Name, StartURL: s.SSOSession.SSOStartURL, Region: s.SSOSession.SSORegion}
	}
	sc := cfg.Copy()
	sc.Region = session.Region
	sc.Credentials = aws.AnonymousCredentials{} // the portal and the OIDC service take a token, not a signature
	tokens, err := ssocache.New("", env.Locks, ssooidc.NewFromConfig(sc), env.Now)
	if err != nil {
		return nil, b.fail(b.Key, err, "")
	}
	portal := sso.NewFromConfig(sc)
	return &ssorole.Provider{Tokens: tokens, Session: session, Portal: portal, Endpoint: ssorole.Endpoint(ctx, portal),
		AccountID: s.SSOAccountID, RoleName: s.SSORoleName}, nil
}
