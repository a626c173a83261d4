package xacct

import (
	"context"
	"encoding/json"
	"errors"
	"io"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
)

// maxSSOTokenFile bounds what is read of a cached SSO token: a few
// hundred bytes, in a file that other tools write.
const maxSSOTokenFile = 1 << 20

// ssoProvider is an SSO base that identifies itself by the access token
// that `aws sso login` cached, with the start URL, account and role: the
// token decides whose role credentials the portal returns (it does not
// name its user), and reading it costs no call to the portal.
type ssoProvider struct {
	*profileProvider
	tokenFile string // the SDK's cache file of the session's token; "": unknown
}

// ssoTokenFile names the SDK's cache file of s's SSO token: by the
// session's name, or by the start URL for a legacy profile.
func ssoTokenFile(s *config.SharedConfig) string {
	key := s.SSOStartURL
	if s.SSOSession != nil {
		key = s.SSOSession.Name
	}
	path, err := ssocreds.StandardCachedTokenFilepath(key)
	if err != nil {
		return ""
	}
	return path
}

// identity digests the cached token with what it is used for. Without a
// readable token it fails, and the base is identified by the credentials
// the portal returns (whose own failure says what to do).
func (p *ssoProvider) identity(ctx context.Context) (string, error) {
	if p.tokenFile == "" {
		return "", errors.New("no SSO token cache file")
	}
	f, err := openRegular(p.tokenFile)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var tok struct {
		AccessToken string `json:"accessToken"`
	}
	if err := json.NewDecoder(io.LimitReader(f, maxSSOTokenFile)).Decode(&tok); err != nil {
		return "", err
	}
	if tok.AccessToken == "" {
		return "", errors.New("the SSO token cache file has no accessToken")
	}
	s := p.base.sc
	startURL := s.SSOStartURL
	if s.SSOSession != nil {
		startURL = s.SSOSession.SSOStartURL
	}
	return "sso-token:" + digest(storeKeyScheme+"/sso", startURL, s.SSOAccountID, s.SSORoleName, tok.AccessToken), nil
}
