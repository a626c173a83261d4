package xacct

// FileStore's own tests: the adapter's conversions, the prefix of its
// errors and the Store contract's ctx error. The files themselves (format,
// checks, locks, sweep) are tested in internal/filestore.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct/internal/filestore"
)

// key is a store key of the test's own.
func key(name string) string { return sessionKey{Kind: "test", RoleARN: name}.Key() }

// isKey reports whether s is a key the store takes.
var isKey = filestore.ValidKey

func entryFor(exp time.Time) *StoredCredentials {
	return &StoredCredentials{
		Kind: "assume-role", Name: roleB, Fetched: exp.Add(-time.Hour),
		Credentials: aws.Credentials{AccessKeyID: "ASIASTORED", SecretAccessKey: testSecret, SessionToken: testToken,
			CanExpire: true, Expires: exp},
	}
}

func newStore(t *testing.T) *FileStore {
	t.Helper()
	s, err := NewFileStore(filepath.Join(t.TempDir(), "xacct"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// What Save takes, Load and List give back, with the key and the store as
// the credentials' source; credentials that never expire stay so.
func TestFileStoreRoundTrip(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	k, forever := key(t.Name()), key(t.Name()+" forever")
	if sc, err := s.Load(ctx, k); sc != nil || err != nil {
		t.Fatalf("Load of nothing = %v, %v; want nil, nil", sc, err)
	}
	if list, err := s.List(ctx); list != nil || err != nil {
		t.Fatalf("List of nothing = %v, %v; want nil, nil", list, err)
	}
	if err := s.Save(ctx, k, entryFor(exp)); err != nil {
		t.Fatal(err)
	}
	sc, err := s.Load(ctx, k)
	if err != nil || sc == nil {
		t.Fatalf("Load = %v, %v", sc, err)
	}
	c := sc.Credentials
	if sc.Key != k || sc.Kind != "assume-role" || sc.Name != roleB || c.AccessKeyID != "ASIASTORED" ||
		c.SecretAccessKey != testSecret || c.SessionToken != testToken || !c.CanExpire || !c.Expires.Equal(exp) ||
		c.Source != "xacct.FileStore" || !sc.Fetched.Equal(exp.Add(-time.Hour)) {
		t.Fatalf("Load = %+v", sc)
	}
	keys := entryFor(exp)
	keys.Credentials.CanExpire, keys.Credentials.AccountID = false, "111111111111"
	if err := s.Save(ctx, forever, keys); err != nil {
		t.Fatal(err)
	}
	if sc, err := s.Load(ctx, forever); err != nil || sc == nil || sc.Credentials.CanExpire ||
		!sc.Credentials.Expires.IsZero() || sc.Credentials.AccountID != "111111111111" {
		t.Fatalf("Load of credentials that never expire = %+v, %v", sc, err)
	}
	list, err := s.List(ctx)
	if err != nil || len(list) != 2 || list[0].Key != min(k, forever) || list[1].Key != max(k, forever) {
		t.Fatalf("List = %v, %v", list, err)
	}
	if err := s.Delete(ctx, k); err != nil {
		t.Fatal(err)
	}
	if sc, _ := s.Load(ctx, k); sc != nil {
		t.Fatal("entry still there after Delete")
	}
	if err := s.Delete(ctx, k); err != nil {
		t.Fatalf("Delete of nothing: %v", err)
	}
}

// Every error says it is the credential store's, but a Lock that waited
// until its ctx ended returns ctx's error itself, as the Store contract
// says; Skipped's words need no prefix, as a tool prints them after its
// own name.
func TestFileStoreErrors(t *testing.T) {
	t.Parallel()
	const prefix = "xacct: credential store: "
	ctx := context.Background()
	s := newStore(t)
	for what, err := range map[string]error{
		"Load":   func() error { _, err := s.Load(ctx, "../../etc/passwd"); return err }(),
		"Save":   s.Save(ctx, "", entryFor(time.Now())),
		"Lock":   func() error { _, err := s.Lock(ctx, strings.Repeat("A", 64)); return err }(),
		"Delete": s.Delete(ctx, strings.Repeat("a", 63)),
	} {
		if err == nil || !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), "is not a store key") {
			t.Errorf("%s of a bad key = %v", what, err)
		}
	}
	open := filepath.Join(t.TempDir(), "open")
	os.Mkdir(open, 0o700)
	os.Chmod(open, 0o777)
	if _, err := NewFileStore(open); err == nil ||
		!strings.HasPrefix(err.Error(), prefix+open+" has mode 0777: group or others may write it") {
		t.Errorf("0777 directory: %v", err)
	}

	k := key(t.Name())
	unlock, err := s.Lock(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	wait, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := s.Lock(wait, k); err != context.DeadlineExceeded {
		t.Errorf("second Lock while held = %v, want DeadlineExceeded", err)
	}
	unlock()

	path := filestore.EntryPath(s.Dir(), k)
	os.WriteFile(path, []byte("{}"), 0o600)
	if _, err := s.Load(ctx, k); err != nil {
		t.Errorf("Load of a foreign file = %v, want a miss", err)
	}
	// List leaves it out; the files' owner (internal/filestore) says why.
	if list, err := s.List(ctx); err != nil || len(list) != 0 {
		t.Errorf("List = %v, %v; want the foreign file left out", list, err)
	}
}

func TestStoredCredentialsFormatNoSecrets(t *testing.T) {
	t.Parallel()
	sc := entryFor(time.Now())
	for _, v := range []any{sc, *sc, []*StoredCredentials{sc}, map[string]StoredCredentials{"a": *sc}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, testSecret) || strings.Contains(out, testToken) {
				t.Errorf("%s shows a secret: %s", verb, out)
			}
		}
	}
}
