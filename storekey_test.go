package xacct

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Every input of a store key decides it: changing any one alone, the
// run-time requester included, gives another key.
func TestSessionKeyCoversEveryInput(t *testing.T) {
	t.Parallel()
	base := sessionKey{Kind: "assume-role", Endpoint: "https://sts.us-east-1.amazonaws.com", Region: "us-east-1",
		Requester: fingerprint(aws.Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: testSecret}),
		RoleARN:   roleB, SessionName: "s", ExternalID: "e", MFASerial: "m", DurationSeconds: 3600, Policy: "{}",
		PolicyARNs: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}, Tags: []string{"a=b"},
		TransitiveTagKeys: []string{"a"}, SourceIdentity: "alice"}
	seen := map[string]string{base.key(): "base"}
	v := reflect.ValueOf(&base).Elem()
	for i := range v.NumField() {
		k := base
		f := reflect.ValueOf(&k).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString(f.String() + "x")
		case reflect.Int32:
			f.SetInt(f.Int() + 1)
		case reflect.Slice:
			f.Set(reflect.Append(reflect.ValueOf([]string(nil)), reflect.ValueOf("x")))
		default:
			t.Fatalf("field %s of kind %s: teach this test to change it", v.Type().Field(i).Name, f.Kind())
		}
		name := v.Type().Field(i).Name
		if prev, dup := seen[k.key()]; dup {
			t.Errorf("changing %s alone gives the key of %s", name, prev)
		}
		seen[k.key()] = name
		if !isKey(k.key()) {
			t.Errorf("%s: %q is not a key", name, k.key())
		}
	}
	if again := base; again.key() != base.key() {
		t.Error("one session has two keys")
	}
	creds := aws.Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: testSecret, SessionToken: testToken}
	ids := map[string]string{fingerprint(creds): "base"}
	for name, c := range map[string]aws.Credentials{
		"access key ID": {AccessKeyID: "AKIAEXAMPLF", SecretAccessKey: testSecret, SessionToken: testToken},
		"secret":        {AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: testSecret + "x", SessionToken: testToken},
		"session token": {AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: testSecret, SessionToken: testToken + "x"},
		"boundaries":    {AccessKeyID: "AKIAEXAMPLE" + testSecret[:1], SecretAccessKey: testSecret[1:], SessionToken: testToken},
	} {
		if prev, dup := ids[fingerprint(c)]; dup {
			t.Errorf("changing the %s gives the identity of %s", name, prev)
		}
		ids[fingerprint(c)] = name
	}
}

// A tag's key and value are apart in the key: "=" may be in either, and
// {team=ops: x} gives other principal tags than {team: ops=x}.
func TestSessionKeyTellsTagsApart(t *testing.T) {
	t.Parallel()
	key := func(tags map[string]string) string {
		r := withDefaults(Role{ARN: roleB, SessionName: "ss", Tags: tags})
		if err := validateRole(r, false); err != nil {
			t.Fatal(err)
		}
		return sessionKey{Kind: "assume-role", RoleARN: r.ARN, Tags: tagList(assumeRoleInput(r).Tags)}.key()
	}
	if key(map[string]string{"team=ops": "x"}) == key(map[string]string{"team": "ops=x"}) {
		t.Error("tags {team=ops: x} and {team: ops=x} share a key")
	}
}

// An entry dated in the future is damaged: it is not served, and
// Invalidate still forces a fetch.
func TestStoreEntryFromTheFutureIsAMiss(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	store := newStore(t)
	c, err := AssumeRole(staticConfig(), Role{ARN: roleB, SessionName: "ss"}, withFake(f), func(o *Options) { o.Store = store })
	if err != nil {
		t.Fatal(err)
	}
	keys, err := c.StoreKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	future := entryFor(f.clk.Now().Add(3 * time.Hour)) // fetched two hours from now
	store.Save(context.Background(), keys[0], future)
	creds, err := c.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID == future.Credentials.AccessKeyID {
		t.Fatalf("Retrieve = %s, %v; want new credentials, not the entry dated in the future", creds.AccessKeyID, err)
	}
	store.Save(context.Background(), keys[0], future)
	c.Invalidate()
	if _, err := c.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := f.callsFor(roleB); n != 2 {
		t.Errorf("%d AssumeRole calls; want 2: the first fetch and the one after Invalidate", n)
	}
}

// hangingStore is a Store whose chosen method ignores its context and
// returns only when release is closed; a Lock that returns then counts
// its unlock.
type hangingStore struct {
	Store
	hang     string // "load", "lock" or "save"
	release  chan struct{}
	unlocked atomic.Int32
}

func (s *hangingStore) wait(op string) {
	if s.hang == op {
		<-s.release
	}
}

func (s *hangingStore) Load(ctx context.Context, key string) (*StoredCredentials, error) {
	s.wait("load")
	return s.Store.Load(ctx, key)
}

func (s *hangingStore) Save(ctx context.Context, key string, sc *StoredCredentials) error {
	s.wait("save")
	return s.Store.Save(ctx, key, sc)
}

func (s *hangingStore) Lock(ctx context.Context, key string) (func(), error) {
	s.wait("lock")
	unlock, err := s.Store.Lock(context.Background(), key)
	if err != nil {
		return nil, err
	}
	return func() { s.unlocked.Add(1); unlock() }, nil
}

// A Store that hangs in Load, Lock or Save costs a fetch its bound, and
// the credentials still come: no store this time, never a wedged caller.
// A Lock that returns after the fetch gave up on it is unlocked.
func TestStoreThatHangsIsBypassed(t *testing.T) {
	t.Parallel()
	for _, op := range []string{"load", "lock", "save"} {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			f := &fakeSTS{clk: newClock()}
			store := &hangingStore{Store: newStore(t), hang: op, release: make(chan struct{})}
			var once sync.Once
			release := func() { once.Do(func() { close(store.release) }) }
			t.Cleanup(release)
			c, err := AssumeRole(staticConfig(), Role{ARN: roleB, SessionName: "ss"}, withFake(f), func(o *Options) {
				o.Store, o.RefreshTimeout = store, 300*time.Millisecond
			})
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { _, err := c.Retrieve(context.Background()); done <- err }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Retrieve with a store whose %s hangs: %v", op, err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("Retrieve(context.Background()) wedged by a store whose %s hangs", op)
			}
			if n := f.callsFor(roleB); n != 1 {
				t.Errorf("%d AssumeRole calls; want 1", n)
			}
			if op != "lock" {
				return
			}
			release()
			deadline := time.Now().Add(5 * time.Second)
			for store.unlocked.Load() == 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if store.unlocked.Load() != 1 {
				t.Error("the lock taken after the fetch gave up on it was never released")
			}
		})
	}
}

// A hung store leaves the fetch most of its time: a caller whose deadline
// is RefreshTimeout (credential-process's --timeout) still gets the
// credentials, and after the hang the store is skipped for a while.
func TestStoreThatHangsLeavesTheCallerItsTime(t *testing.T) {
	t.Parallel()
	for _, op := range []string{"load", "save"} {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			f := &fakeSTS{clk: newClock()}
			store := &hangingStore{Store: newStore(t), hang: op, release: make(chan struct{})}
			t.Cleanup(func() { close(store.release) })
			var c *Cache
			for range 2 {
				var err error
				c, err = AssumeRole(staticConfig(), Role{ARN: roleB, SessionName: "ss"}, withFake(f), func(o *Options) {
					o.Store, o.RefreshTimeout = store, time.Second
				})
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				_, err = c.Retrieve(ctx)
				cancel()
				if err != nil {
					t.Fatalf("a store whose %s hangs, with the caller's deadline at RefreshTimeout: %v", op, err)
				}
			}
			c.Invalidate()
			start := time.Now()
			if _, err := c.Retrieve(context.Background()); err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > 200*time.Millisecond {
				t.Errorf("a fetch right after the store hung took %v: want the store skipped", took)
			}
		})
	}
}
