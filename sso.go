package xacct

// Signing in to IAM Identity Center (SSO): the API. The flows live in
// internal/ssologin, the token cache and its locked refresh in
// internal/ssocache.

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct/internal/awsprofile"
	"github.com/xacct/xacct/internal/ssologin"
)

// SSOLoginOptions are LoginSSO's options; all are optional.
type SSOLoginOptions struct {
	// OpenURL shows the person where to sign in: url, and userCode for
	// the device flow (the code the page asks for; "" in the default
	// flow, whose URL carries everything). Nil: the URL and code are
	// printed to standard error.
	OpenURL func(ctx context.Context, url, userCode string) error
	// DeviceCode chooses the device authorization flow, for a machine
	// without a browser: the person opens the URL anywhere and approves
	// the code. Default: the authorization code flow with PKCE and a
	// redirect to a loopback port of this machine, as AWS CLI v2 does.
	DeviceCode bool
	// Force signs in even when the session has a valid token (or one that
	// a refresh renews). Default: LoginSSO returns nil without a sign-in
	// then.
	Force bool
	// HTTPClient calls the SSO OIDC service. Nil: the SDK's default.
	HTTPClient aws.HTTPClient
	// Endpoint is a base endpoint for the SSO OIDC service (a fake's URL
	// in tests). Empty: the SDK's resolution for the profile
	// (AWS_ENDPOINT_URL_SSO_OIDC, AWS_ENDPOINT_URL, endpoint_url), else
	// https://oidc.REGION.amazonaws.com.
	Endpoint string
	// Now is the clock that token expiries are computed on; Sleep waits
	// between the device flow's polls (at the interval the service asks,
	// 5 seconds more after each SlowDown). Nil: time.Now, a timer.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// ConfigFiles and CredentialsFiles are the shared files, as in
	// Options. TokenCacheDir is the token cache ("": ~/.aws/sso/cache,
	// where every SDK and the AWS CLI look); StoreDir is where the
	// session's lock lives ("": xacct's store directory, as NewFileStore).
	ConfigFiles, CredentialsFiles []string
	TokenCacheDir, StoreDir       string
}

// LoginSSO signs in to the IAM Identity Center session that profile's
// chain starts at (directly, or through source_profile; an sso_session,
// or a legacy profile's sso_start_url), and writes the session's token to
// the token cache exactly as AWS CLI v2 does, so that the AWS CLI and
// every SDK use it. The client registration is kept in that file and
// reused until it expires. The file is written under the session's lock,
// beside the store's entries, so that a concurrent refresh never loses
// it; a failed sign-in leaves the file as it was.
//
// Errors are one line without secrets: a profile whose chain does not
// start at SSO is a *ProfileError; a refused sign-in says why.
func LoginSSO(ctx context.Context, profile string, optFns ...func(*SSOLoginOptions)) error {
	var o SSOLoginOptions
	for _, fn := range optFns {
		fn(&o)
	}
	plan, err := PlanProfile(ctx, profile, func(po *Options) {
		po.ConfigFiles, po.CredentialsFiles = o.ConfigFiles, o.CredentialsFiles
	})
	if err != nil {
		return err
	}
	if plan.Base.Kind != awsprofile.KindSSO {
		return &ProfileError{Profile: plan.Profile, Err: fmt.Errorf("the chain starts at %s (profile %s), "+
			"not an IAM Identity Center session: there is nothing to sign in to", plan.Base.Kind, plan.Base.Profile)}
	}
	base, err := ssologin.ReadBase(ctx, plan.Base.Profile, plan.ConfigFiles, plan.CredentialsFiles)
	if err != nil {
		return &ProfileError{Profile: plan.Profile, Err: err}
	}
	err = base.SignIn(ctx, ssologin.Options{OpenURL: o.OpenURL, DeviceCode: o.DeviceCode, Force: o.Force,
		HTTPClient: o.HTTPClient, Endpoint: o.Endpoint, Now: o.Now, Sleep: o.Sleep,
		TokenCacheDir: o.TokenCacheDir, StoreDir: o.StoreDir})
	if err != nil {
		return fmt.Errorf("xacct: sign-in for profile %s: %w", plan.Profile, err)
	}
	return nil
}
