package ssologin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/smithy-go"
)

// LoopbackTimeout bounds the wait for the browser's redirect: 10 minutes,
// as long as the service keeps a sign-in waiting.
const LoopbackTimeout = 10 * time.Minute

// slowDownStep is what RFC 8628 adds to the interval on each slow_down.
const slowDownStep = 5 * time.Second

// device runs the device authorization flow: it shows the URL and code,
// then polls at the interval the service asks, waiting out
// AuthorizationPending and slowing down on SlowDown, until the person
// approves or the device code expires.
func (c Config) device(ctx context.Context, reg Registration) (*ssooidc.CreateTokenOutput, error) {
	dev, err := c.OIDC.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
		ClientId: aws.String(reg.ClientID), ClientSecret: aws.String(reg.ClientSecret), StartUrl: aws.String(c.Session.StartURL)})
	if err != nil {
		return nil, serviceError("starting the device authorization", err)
	}
	link := aws.ToString(dev.VerificationUriComplete)
	if link == "" {
		link = aws.ToString(dev.VerificationUri)
	}
	if err := c.OpenURL(ctx, link, aws.ToString(dev.UserCode)); err != nil {
		return nil, err
	}
	interval := max(time.Duration(dev.Interval)*time.Second, time.Second)
	in := &ssooidc.CreateTokenInput{ClientId: aws.String(reg.ClientID), ClientSecret: aws.String(reg.ClientSecret),
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode}
	// The service says ExpiredToken once the code expires; a minute past
	// that on the clock, the flow ends even if it never does.
	deadline := c.Now().Add(time.Duration(dev.ExpiresIn)*time.Second + time.Minute)
	for {
		if c.Now().After(deadline) {
			return nil, &Error{Why: "the device code expired before the sign-in was approved: sign in again"}
		}
		if err := c.Sleep(ctx, interval); err != nil {
			return nil, err
		}
		tok, err := c.OIDC.CreateToken(ctx, in)
		var ae smithy.APIError
		switch {
		case err == nil:
			return tok, nil
		case !errors.As(err, &ae):
			return nil, serviceError("waiting for the sign-in", err)
		case ae.ErrorCode() == "AuthorizationPendingException":
		case ae.ErrorCode() == "SlowDownException":
			interval += slowDownStep
		case ae.ErrorCode() == "ExpiredTokenException":
			return nil, &Error{Why: "the device code expired before the sign-in was approved: sign in again, " +
				"and approve within " + strconv.Itoa(int(dev.ExpiresIn/60)) + " minutes"}
		default:
			return nil, serviceError("waiting for the sign-in", err)
		}
	}
}

// loopback runs the authorization code flow with PKCE: it listens on a
// loopback port, opens the authorize URL, and redeems the code that the
// browser brings back with the verifier only this process knows.
func (c Config) loopback(ctx context.Context, reg Registration) (*ssooidc.CreateTokenOutput, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on a loopback port for the sign-in's redirect: %w", err)
	}
	defer ln.Close()
	redirect := fmt.Sprintf("http://127.0.0.1:%d/oauth/callback", ln.Addr().(*net.TCPAddr).Port)
	verifier, state := randomString(64), randomString(32)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	codes := make(chan callback, 1)
	srv := &http.Server{Handler: callbackHandler(state, codes), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	if err := c.OpenURL(ctx, c.authorizeURL(reg, redirect, state, challenge), ""); err != nil {
		return nil, err
	}
	wait := time.NewTimer(LoopbackTimeout)
	defer wait.Stop()
	var cb callback
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-wait.C:
		return nil, &Error{Why: fmt.Sprintf("no sign-in came back within %v: sign in again "+
			"(or use the device code flow on a machine without a browser)", LoopbackTimeout)}
	case cb = <-codes:
	}
	if cb.err != "" {
		return nil, &Error{Why: "the sign-in was refused: " + cb.err}
	}
	tok, err := c.OIDC.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: aws.String(reg.ClientID),
		ClientSecret: aws.String(reg.ClientSecret), GrantType: aws.String("authorization_code"),
		Code: aws.String(cb.code), RedirectUri: aws.String(redirect), CodeVerifier: aws.String(verifier)})
	if err != nil {
		return nil, serviceError("redeeming the authorization code", err)
	}
	return tok, nil
}

// callback is what the browser's redirect brought: a code, or an error.
type callback struct{ code, err string }

// callbackHandler takes the first redirect whose state matches (any other
// is a request this sign-in did not start, refused) and answers the
// browser with a page saying it may close.
func callbackHandler(state string, codes chan<- callback) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != "/oauth/callback" || q.Get("state") != state {
			http.Error(w, "xacct: not the sign-in this process started", http.StatusBadRequest)
			return
		}
		cb := callback{code: q.Get("code")}
		if e := q.Get("error"); e != "" || cb.code == "" {
			cb.err = clip(e + " " + q.Get("error_description"))
		}
		select {
		case codes <- cb:
			fmt.Fprintln(w, "xacct: signed in. You may close this window.")
		default:
			http.Error(w, "xacct: this sign-in is complete already", http.StatusConflict)
		}
	})
}

// randomString returns n URL-safe random characters (PKCE verifiers are
// 43 to 128 of them).
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// serviceError describes a failed OIDC call by its error code, or the
// cause when the service did not answer.
func serviceError(doing string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		why := doing + ": the SSO OIDC service answered " + ae.ErrorCode()
		switch ae.ErrorCode() {
		case "InvalidGrantException":
			why += " (the code or its PKCE verifier was refused)"
		case "InvalidClientException":
			why += " (the client registration is unknown or expired)"
		}
		return &Error{Why: why}
	}
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		err = oe.Err
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// clip bounds what the browser's redirect put in an error message.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
