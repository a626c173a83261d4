// Package ssocache owns IAM Identity Center's token cache: the files of
// ~/.aws/sso/cache in the format AWS CLI v2 writes (the name, the 8
// fields, 0600 in a 0700 directory), written by write-and-rename so that
// a crash never leaves a truncated file, read with a bound; and the
// refresh of an expiring access token that is never lost between
// processes: one process at a time refreshes a session's token, under a
// lock beside xacct's credential store, re-reading the file once it holds
// the lock and skipping the call when another process refreshed already.
// Every other package asks it for paths and tokens rather than knowing
// the format.
package ssocache

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xacct/xacct/internal/sharedini"
)

// Token is one cache file: a session's access token, the client
// registration that refreshes it, and the refresh token. It holds secrets:
// formatting it (%v, %+v, %#v, %s) prints what it is without them.
type Token struct {
	StartURL              string
	Region                string
	AccessToken           string
	ExpiresAt             time.Time
	ClientID              string
	ClientSecret          string
	RegistrationExpiresAt time.Time
	RefreshToken          string
}

// fileToken is Token as the AWS CLI v2 writes it: camelCase names, times
// in RFC 3339 UTC to the second.
type fileToken struct {
	StartURL              string `json:"startUrl,omitempty"`
	Region                string `json:"region,omitempty"`
	AccessToken           string `json:"accessToken"`
	ExpiresAt             string `json:"expiresAt"`
	ClientID              string `json:"clientId,omitempty"`
	ClientSecret          string `json:"clientSecret,omitempty"`
	RegistrationExpiresAt string `json:"registrationExpiresAt,omitempty"`
	RefreshToken          string `json:"refreshToken,omitempty"`
}

// timeLayout is how the CLI writes times: "2026-01-02T15:04:05Z".
const timeLayout = "2006-01-02T15:04:05Z"

// MaxFileBytes bounds a cache file read: a token file is about 2 KB; an
// access token is at most a few KB.
const MaxFileBytes = 64 << 10

// Format prints the token without its secrets: the start URL, region and
// expiries, and which secrets it has.
func (t Token) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "ssocache.Token{StartURL: %q, Region: %q, ExpiresAt: %s, RegistrationExpiresAt: %s, "+
		"access token: %t, client: %t, refresh token: %t}", t.StartURL, t.Region,
		t.ExpiresAt.UTC().Format(time.RFC3339), t.RegistrationExpiresAt.UTC().Format(time.RFC3339),
		t.AccessToken != "", t.ClientID != "" && t.ClientSecret != "", t.RefreshToken != "")
}

// ValidFor reports whether the access token is valid for at least d more
// at now.
func (t *Token) ValidFor(now time.Time, d time.Duration) bool {
	return t != nil && t.AccessToken != "" && now.Add(d).Before(t.ExpiresAt)
}

// CanRefresh reports whether the token has what a refresh needs at now:
// a refresh token and a client registration that has not expired.
func (t *Token) CanRefresh(now time.Time) bool {
	return t != nil && t.RefreshToken != "" && t.ClientID != "" && t.ClientSecret != "" &&
		(t.RegistrationExpiresAt.IsZero() || now.Before(t.RegistrationExpiresAt))
}

// DefaultDir returns ~/.aws/sso/cache, where every AWS SDK and the CLI
// look.
func DefaultDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the home directory for ~/.aws/sso/cache: %w", err)
	}
	return filepath.Join(home, ".aws", "sso", "cache"), nil
}

// Path returns the cache file of a session in dir: the SHA-1 of key, in
// hexadecimal, and .json, where key is the sso-session's name (or, for a
// legacy profile with sso_start_url and no sso_session, the start URL), as
// the AWS CLI v2 and the SDKs name it.
func Path(dir, key string) string {
	sum := sha1.Sum([]byte(key))
	return filepath.Join(dir, hex.EncodeToString(sum[:])+".json")
}

// Load reads the cache file at path: a regular file, at most MaxFileBytes,
// opened without blocking. A missing file is an error for which
// errors.Is(err, fs.ErrNotExist) holds. The errors name the file, never a
// secret.
func Load(path string) (*Token, error) {
	f, err := sharedini.OpenNonBlocking(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %s, not a regular file", path, sharedini.FileKind(fi.Mode()))
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(b) > MaxFileBytes {
		return nil, fmt.Errorf("%s is over %d bytes: not a token cache file", path, MaxFileBytes)
	}
	var ft fileToken
	if err := json.Unmarshal(b, &ft); err != nil {
		return nil, fmt.Errorf("%s is not a token cache file (JSON with accessToken and expiresAt)", path)
	}
	t := &Token{StartURL: ft.StartURL, Region: ft.Region, AccessToken: ft.AccessToken, ClientID: ft.ClientID,
		ClientSecret: ft.ClientSecret, RefreshToken: ft.RefreshToken}
	if t.ExpiresAt, err = parseTime(ft.ExpiresAt); err != nil || ft.AccessToken == "" {
		return nil, fmt.Errorf("%s: accessToken or expiresAt is missing or not an RFC 3339 time", path)
	}
	if ft.RegistrationExpiresAt != "" {
		if t.RegistrationExpiresAt, err = parseTime(ft.RegistrationExpiresAt); err != nil {
			return nil, fmt.Errorf("%s: registrationExpiresAt is not an RFC 3339 time", path)
		}
	}
	return t, nil
}

// parseTime reads a time as the CLI (to the second) or an SDK (maybe with
// fractions or an offset) writes it.
func parseTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}

// tempSuffix ends the temporary files of Save, whose names are the cache
// file's, a dot, random hexadecimal digits and this suffix.
const tempSuffix = ".xacct-tmp"

// Save writes t to path as the AWS CLI v2 does (the 8 fields, mode 0600),
// creating its directory with mode 0700: to a temporary file in the same
// directory, synced, then renamed over path, so that a reader sees the old
// file or the new one, never a part. Save is called with the session's
// lock held (Cache.Lock): it first removes the temporary files of path
// that an interrupted Save left behind, which no live writer can own.
func Save(path string, t *Token) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	Sweep(path)
	ft := fileToken{StartURL: t.StartURL, Region: t.Region, AccessToken: t.AccessToken,
		ExpiresAt: t.ExpiresAt.UTC().Format(timeLayout), ClientID: t.ClientID, ClientSecret: t.ClientSecret,
		RefreshToken: t.RefreshToken}
	if !t.RegistrationExpiresAt.IsZero() {
		ft.RegistrationExpiresAt = t.RegistrationExpiresAt.UTC().Format(timeLayout)
	}
	b, err := json.Marshal(ft)
	if err != nil {
		return err
	}
	var rnd [8]byte
	rand.Read(rnd[:])
	tmp := path + "." + hex.EncodeToString(rnd[:]) + tempSuffix
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("writing the token cache in %s: %w", dir, err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// Sweep removes the temporary files that interrupted Saves of path left
// behind. Call it with the session's lock held.
func Sweep(path string) {
	des, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return
	}
	prefix := filepath.Base(path) + "."
	for _, de := range des {
		if n := de.Name(); strings.HasPrefix(n, prefix) && strings.HasSuffix(n, tempSuffix) {
			os.Remove(filepath.Join(filepath.Dir(path), n))
		}
	}
}

// Remove deletes the cache file at path; a missing file is no error.
func Remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
