package filestore

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Entry is one set of credentials as its file holds them. Its formatted
// forms show no secret.
type Entry struct {
	Key             string    // the entry's key; set by Load and List, never written
	Kind            string    // what the credentials are: "assume-role", "mfa-session", ...
	Name            string    // the role ARN or MFA serial they are for; never a secret
	AccessKeyID     string    // required
	SecretAccessKey string    // required
	SessionToken    string    // empty for long-term keys
	AccountID       string    // optional
	Expires         time.Time // zero: the credentials never expire
	Fetched         time.Time // when they were fetched; required
}

// Format makes every verb print the entry without its secrets.
func (e Entry) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "filestore.Entry{Key:%s Kind:%s Name:%s AccessKeyID:%s}", e.Key, e.Kind, e.Name, e.AccessKeyID)
}

// The file format of an entry. fileFormat and fileVersion mark xacct's
// files: a file without them is foreign, and a miss.
const (
	fileFormat  = "xacct-credentials"
	fileVersion = 1
	maxFileSize = 64 << 10 // far above any entry; a larger file is not one of ours
)

// The names of a key's files: key + entryExt holds the entry, key +
// lockExt is its lock, and key + "." + random + tempExt a save under way.
const (
	entryExt = ".json"
	lockExt  = ".lock"
	tempExt  = ".tmp"
)

// storeFile is the JSON form of an entry. Times are RFC 3339 in UTC.
type storeFile struct {
	Format          string    `json:"format"`
	Version         int       `json:"version"`
	Kind            string    `json:"kind"`
	Name            string    `json:"name"`
	AccessKeyID     string    `json:"access_key_id"`
	SecretAccessKey string    `json:"secret_access_key"`
	SessionToken    string    `json:"session_token,omitempty"`
	AccountID       string    `json:"account_id,omitempty"`
	Expiration      time.Time `json:"expiration"` // zero: never expires
	Fetched         time.Time `json:"fetched"`
}

// ValidKey reports whether s is a store key: 64 lowercase hexadecimal
// digits (a SHA-256). Only such keys name files, so that none can name a
// file outside the directory.
func ValidKey(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// EntryPath returns the path of key's entry file in the store directory
// dir, for tests and tools that look at the files themselves.
func EntryPath(dir, key string) string { return filepath.Join(dir, key+entryExt) }

// TempPath returns the path of a temporary file that a save of key in dir
// writes before its rename, with random standing for the random part of
// its name: for tests that leave one behind as a killed writer would.
func TempPath(dir, key, random string) string { return filepath.Join(dir, key+"."+random+tempExt) }

// encode returns the file form of e.
func encode(e *Entry) ([]byte, error) {
	b, err := json.Marshal(storeFile{
		Format: fileFormat, Version: fileVersion, Kind: e.Kind, Name: e.Name,
		AccessKeyID: e.AccessKeyID, SecretAccessKey: e.SecretAccessKey,
		SessionToken: e.SessionToken, AccountID: e.AccountID,
		Expiration: e.Expires.UTC(), Fetched: e.Fetched.UTC(),
	})
	if err != nil {
		return nil, fmt.Errorf("encoding the entry of %s: %w", e.Name, err)
	}
	return append(b, '\n'), nil
}

// decode returns the entry of a file's bytes; false when they are not a
// complete entry of ours.
func decode(b []byte) (Entry, bool) {
	var f storeFile
	if json.Unmarshal(b, &f) != nil || f.Format != fileFormat || f.Version != fileVersion ||
		f.AccessKeyID == "" || f.SecretAccessKey == "" || f.Fetched.IsZero() {
		return Entry{}, false
	}
	return Entry{
		Kind: f.Kind, Name: f.Name, AccessKeyID: f.AccessKeyID, SecretAccessKey: f.SecretAccessKey,
		SessionToken: f.SessionToken, AccountID: f.AccountID, Expires: f.Expiration, Fetched: f.Fetched,
	}, true
}

// entryKey returns the key of the directory entry name if it is an entry
// file.
func entryKey(name string) (string, bool) {
	key, ok := strings.CutSuffix(name, entryExt)
	return key, ok && ValidKey(key)
}

// isTempName reports whether name is that of a temporary file of Save:
// a key, a dot, os.CreateTemp's random part, tempExt.
func isTempName(name string) bool {
	if !strings.HasSuffix(name, tempExt) || len(name) <= 64+len("."+tempExt) {
		return false
	}
	return name[64] == '.' && ValidKey(name[:64])
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
