package ssocache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/smithy-go"
	"golang.org/x/sync/singleflight"

	"github.com/xacct/xacct/internal/recovered"
)

// RefreshWindow is how long before its expiry an access token is
// refreshed: 15 minutes, botocore's own margin, so that boto3 and the AWS
// CLI find a token they need not refresh themselves once xacct has (the
// JS SDK refreshes under 5 minutes left, the Go SDK once expired). With
// the service's 1-hour tokens, a token is refreshed after 45 minutes.
const RefreshWindow = 15 * time.Minute

// RefreshTimeout bounds one refresh (the lock wait, the CreateToken call
// and the write), which runs on a context of its own so that a caller's
// short deadline never cancels the refresh others wait for.
const RefreshTimeout = time.Minute

// OIDCClient is the SSO OIDC operation a refresh makes (*ssooidc.Client).
type OIDCClient interface {
	CreateToken(ctx context.Context, in *ssooidc.CreateTokenInput, optFns ...func(*ssooidc.Options)) (*ssooidc.CreateTokenOutput, error)
}

// Session names a sign-in: the sso-session's name (empty for a legacy
// profile, whose cache key is then its start URL), the start URL and the
// region.
type Session struct {
	Name, StartURL, Region string
}

// Key is what names the session's cache file: its name, or the start URL
// of a legacy profile.
func (s Session) Key() string {
	if s.Name != "" {
		return s.Name
	}
	return s.StartURL
}

// NeedLoginError says that only a new sign-in gives a token: there is
// none, it expired and cannot be refreshed, or the service refused the
// refresh. Why says which, in a clause without secrets or SDK text.
type NeedLoginError struct {
	Why string
}

func (e *NeedLoginError) Error() string { return e.Why }

// Locker takes a cross-process lock by key (a lowercase hexadecimal
// SHA-256), waiting until it is free or ctx ends: xacct's credential
// store (internal/filestore, or any xacct.Store).
type Locker interface {
	Lock(ctx context.Context, key string) (unlock func(), err error)
}

// Cache is the token cache of one directory with its locks. Its methods
// are safe for concurrent use by goroutines and processes.
type Cache struct {
	dir   string           // the token cache directory; read-only
	locks Locker           // where the sessions' locks live; nil: in this process only; read-only
	oidc  OIDCClient       // read-only
	now   func() time.Time // read-only
	group singleflight.Group
}

// New returns the cache in dir ("" for DefaultDir) whose refreshes lock in
// locks (xacct's store, not dir, which other tools own; nil: a lock of
// this process only, for a program without a store) and call oidc; now is
// the clock (nil: time.Now).
func New(dir string, locks Locker, oidc OIDCClient, now func() time.Time) (*Cache, error) {
	if dir == "" {
		var err error
		if dir, err = DefaultDir(); err != nil {
			return nil, err
		}
	}
	if now == nil {
		now = time.Now
	}
	return &Cache{dir: dir, locks: locks, oidc: oidc, now: now}, nil
}

// Path returns the session's cache file.
func (c *Cache) Path(s Session) string { return Path(c.dir, s.Key()) }

// Load reads the session's cache file (see Load).
func (c *Cache) Load(s Session) (*Token, error) { return Load(c.Path(s)) }

// Lock takes the session's cross-process lock, the same for every process
// of the user: the store's lock of the SHA-256 of the cache key (a file in
// the store directory). Without a store, the lock is this process's, for
// the file: the caches of every profile of the session, built apart,
// still refresh one at a time.
func (c *Cache) Lock(ctx context.Context, s Session) (unlock func(), err error) {
	if c.locks == nil {
		return processLock(ctx, c.Path(s))
	}
	sum := sha256.Sum256([]byte("xacct sso token\x00" + s.Key()))
	return c.locks.Lock(ctx, hex.EncodeToString(sum[:]))
}

// processLocks are the locks of processLock, by cache file; a lock is a
// channel of one slot, so that a wait can end with its context.
var processLocks struct {
	mu sync.Mutex // guards m
	m  map[string]chan struct{}
}

// processLock takes this process's lock of path.
func processLock(ctx context.Context, path string) (unlock func(), err error) {
	processLocks.mu.Lock()
	if processLocks.m == nil {
		processLocks.m = map[string]chan struct{}{}
	}
	ch := processLocks.m[path]
	if ch == nil {
		ch = make(chan struct{}, 1)
		processLocks.m[path] = ch
	}
	processLocks.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Token returns the session's access token, valid for at least
// RefreshWindow, else still valid, refreshing it when it is within
// RefreshWindow of its expiry: one goroutine of the process refreshes,
// under the session's lock, after re-reading the file, so that N processes
// at an expired token make one CreateToken call. Its error is a
// *NeedLoginError when only a sign-in helps.
func (c *Cache) Token(ctx context.Context, s Session) (*Token, error) {
	t, err := c.Load(s)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NeedLoginError{Why: "no token is cached for " + describe(s) + ": sign in"}
	}
	if err != nil {
		return nil, err
	}
	if t.ValidFor(c.now(), RefreshWindow) {
		return t, nil
	}
	ch := c.group.DoChan(c.Path(s), func() (any, error) {
		var t *Token
		p, err := recovered.Call(func() (err error) {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), RefreshTimeout)
			defer cancel()
			t, err = c.refresh(rctx, s)
			return err
		})
		if p != nil {
			return nil, fmt.Errorf("refreshing the token of %s: %v", describe(s), p)
		}
		return t, err
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*Token), nil
	}
}

// refresh refreshes the session's token under its lock, unless the file,
// read again once locked, holds a token another process refreshed.
func (c *Cache) refresh(ctx context.Context, s Session) (*Token, error) {
	unlock, err := c.Lock(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("locking the token of %s: %w", describe(s), err)
	}
	defer unlock()
	path := c.Path(s)
	t, err := Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NeedLoginError{Why: "no token is cached for " + describe(s) + ": sign in"}
	}
	if err != nil {
		return nil, err
	}
	now := c.now()
	if t.ValidFor(now, RefreshWindow) {
		return t, nil // another process refreshed it
	}
	if !t.CanRefresh(now) {
		if t.ValidFor(now, 0) {
			return t, nil // valid a while yet; then a sign-in
		}
		return nil, &NeedLoginError{Why: "the token of " + describe(s) + " has expired and cannot be refreshed " +
			"(no refresh token, or the client registration expired)"}
	}
	out, err := c.oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{
		ClientId: aws.String(t.ClientID), ClientSecret: aws.String(t.ClientSecret),
		GrantType: aws.String("refresh_token"), RefreshToken: aws.String(t.RefreshToken)})
	if err != nil {
		if t.ValidFor(now, 0) {
			return t, nil // the token serves until it expires; the next call tries again
		}
		return nil, refreshError(s, err)
	}
	next := *t
	next.AccessToken = aws.ToString(out.AccessToken)
	next.ExpiresAt = now.Add(time.Duration(out.ExpiresIn) * time.Second).Truncate(time.Second)
	if out.RefreshToken != nil {
		next.RefreshToken = *out.RefreshToken // rotated: written before the lock is released
	}
	if err := Save(path, &next); err != nil {
		return nil, err
	}
	return &next, nil
}

// refreshError turns a refused refresh into a *NeedLoginError, by the
// service's error code, and any other failure into an error that names
// the session and the code, without the SDK's text.
func refreshError(s Session, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "InvalidGrantException", "ExpiredTokenException", "InvalidClientException", "UnauthorizedClientException",
			"AccessDeniedException":
			return &NeedLoginError{Why: "the sign-in of " + describe(s) + " has ended: the service refused the refresh (" +
				ae.ErrorCode() + ")"}
		}
		return fmt.Errorf("refreshing the token of %s: SSO OIDC answered %s", describe(s), ae.ErrorCode())
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("refreshing the token of %s: no answer within %v", describe(s), RefreshTimeout)
	}
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		err = oe.Err // the cause, without the SDK's operation prefix
	}
	return fmt.Errorf("refreshing the token of %s: %v", describe(s), err)
}

// describe names a session in messages.
func describe(s Session) string {
	if s.Name != "" {
		return "sso-session " + s.Name
	}
	return "start URL " + s.StartURL
}
