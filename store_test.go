package xacct

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// staticConfig has long-term keys, which have a stable identity: hops on
// them can be stored.
func staticConfig() aws.Config {
	cfg := baseConfig()
	cfg.Credentials = credentials.NewStaticCredentialsProvider("AKIAEXAMPLEBASE", testSecret, "")
	return cfg
}

// storedHop is the hop to roleB on staticConfig's keys, kept in store, as a
// program builds it.
func storedHop(t testing.TB, f *fakeSTS, store Store, optFns ...func(*Options)) *Cache {
	t.Helper()
	c, err := AssumeRole(staticConfig(), Role{ARN: roleB, SessionName: "ss"},
		append([]func(*Options){withFake(f), func(o *Options) { o.Store = store }}, optFns...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A process is the caches a program builds: each "process" here builds
// its own chain on one FileStore, as separate programs would.
func TestStoreSharesSessionsBetweenProcesses(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	store := newStore(t)
	p := &prompter{}
	process := func() *Cache {
		o := func(o *Options) { o.Store = store; o.MFA = p.token }
		session, err := MFASession(staticConfig(), serialFor(t), p.token, withFake(f), o)
		if err != nil {
			t.Fatal(err)
		}
		cfg := staticConfig()
		cfg.Credentials = session
		c, err := Chain(cfg, []Role{{ARN: roleB, SessionName: "ss"}, {ARN: roleC, SessionName: "ss"}}, withFake(f), o)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// 16 processes at once, each with 16 goroutines: one call of each kind.
	procs := make([]*Cache, 16)
	for i := range procs {
		procs[i] = process()
	}
	parallel(256, func(i int) {
		if _, err := procs[i%16].Retrieve(context.Background()); err != nil {
			t.Error(err)
		}
	})
	if s, b, c, n := f.sessions.Load(), f.callsFor(roleB), f.callsFor(roleC), p.calls.Load(); s != 1 || b != 1 || c != 1 || n != 1 {
		t.Fatalf("16 processes: %d GetSessionToken, %d and %d AssumeRole, %d prompts; want 1 of each", s, b, c, n)
	}
	// 16 more, one after another: no call, no prompt.
	for range 16 {
		if _, err := process().Retrieve(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.n.Load() + f.sessions.Load() + p.calls.Load(); n != 4 {
		t.Fatalf("16 later processes made %d calls and prompts in all, want none more", n-4)
	}
	if keys, err := procs[0].StoreKeys(context.Background()); err != nil || len(keys) != 3 {
		t.Errorf("StoreKeys = %v, %v; want the 2 hops and the session", keys, err)
	}

	// The last hop comes due: one process refreshes it, the others find it.
	f.clk.Advance(55 * time.Minute)
	parallel(64, func(i int) { procs[i%16].Retrieve(context.Background()) })
	for _, c := range procs {
		settle(t, c)
	}
	if n := f.callsFor(roleC); n != 2 {
		t.Errorf("hop 2 refreshed %d times by 16 processes, want once (2 calls in all)", n)
	}
}

// A background refresh that finds a valid MFA session in the store uses
// it; without one, it still never prompts.
func TestStoreBackgroundRefreshNeverPrompts(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	store := newStore(t)
	p := &prompter{}
	serial := serialFor(t)
	build := func() (*Cache, *Cache) {
		o := func(o *Options) { o.Store = store }
		session, err := MFASession(staticConfig(), serial, p.token, withFake(f), o, noJitter,
			func(o *Options) { o.SessionDuration = time.Hour })
		if err != nil {
			t.Fatal(err)
		}
		cfg := staticConfig()
		cfg.Credentials = session
		hop, err := AssumeRole(cfg, Role{ARN: roleB, SessionName: "ss", Duration: 15 * time.Minute}, withFake(f), o, noJitter)
		if err != nil {
			t.Fatal(err)
		}
		return session, hop
	}
	_, hopA := build()
	if _, err := hopA.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, hopB := build()
	if _, err := hopB.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := p.calls.Load(); n != 1 {
		t.Fatalf("%d prompts for two processes, want 1", n)
	}
	// The session ends at 1h. Process A's caller renews it (a prompt);
	// process B's hop, refreshing in the background, finds it in the store.
	f.clk.Advance(time.Hour)
	if _, err := hopA.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(12 * time.Minute) // B's hop session (from 0:00) is stale at 0:12; A's at 1:12 is fresh
	hopB.Retrieve(context.Background())
	settle(t, hopB)
	if n := p.calls.Load(); n != 2 {
		t.Fatalf("%d prompts, want 2: one per session, none from a background refresh", n)
	}
	if cr, _ := hopB.Retrieve(context.Background()); !strings.HasPrefix(cr.AccessKeyID, "ASIA") || f.sessions.Load() != 2 {
		t.Fatalf("B's hop: %q after %d sessions", cr.AccessKeyID, f.sessions.Load())
	}
}

// Invalidate forces a new fetch even when the store holds an entry: the
// entry the caller invalidated is not read back.
func TestStoreInvalidateSkipsOlderEntries(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	store := newStore(t)
	c := storedHop(t, f, store)
	first, _ := c.Retrieve(context.Background())
	c.Invalidate()
	f.clk.Advance(time.Second)
	second, err := c.Retrieve(context.Background())
	if err != nil || second.AccessKeyID == first.AccessKeyID || f.n.Load() != 2 {
		t.Fatalf("after Invalidate: %q (first %q), %v, %d calls; want a new fetch", second.AccessKeyID, first.AccessKeyID, err, f.n.Load())
	}
}

// A store that fails never fails a Retrieve that can succeed without it.
func TestStoreFailuresAreBypassed(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	var logs syncBuffer
	c := storedHop(t, f, brokenStore{}, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	if _, err := c.Retrieve(context.Background()); err != nil {
		t.Fatalf("Retrieve with a broken store: %v", err)
	}
	for _, want := range []string{"credential store: load failed", "credential store: lock failed"} {
		if !strings.Contains(logs.String(), want) || !strings.Contains(logs.String(), "level=WARN") {
			t.Errorf("log lacks %q at Warn:\n%s", want, logs.String())
		}
	}
}

// Credentials of a provider that xacct does not know are identified by
// what they are: hops on them are stored, under a key that another
// provider's credentials never find.
func TestStoreIdentifiesUnknownProvidersByTheirCredentials(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	store := &countingStore{Store: newStore(t)}
	hop := func(cfg aws.Config) *Cache {
		c, err := AssumeRole(cfg, Role{ARN: roleB, SessionName: "ss"}, withFake(f), func(o *Options) { o.Store = store })
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ctx := context.Background()
	first, again := hop(baseConfig()), hop(baseConfig())
	other := baseConfig()
	other.Credentials = credentials.NewStaticCredentialsProvider("AKIAEXAMPLEOTHER", testSecret, "")
	for _, c := range []*Cache{first, again, hop(other)} {
		if _, err := c.Retrieve(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.callsFor(roleB); n != 2 {
		t.Errorf("%d AssumeRole calls for two callers of one identity and one of another; want 2", n)
	}
	k1, err1 := first.StoreKeys(ctx)
	k2, err2 := again.StoreKeys(ctx)
	if err1 != nil || err2 != nil || len(k1) != 1 || k1[0] != k2[0] {
		t.Errorf("StoreKeys = %v, %v and %v, %v; want one key, the same", k1, err1, k2, err2)
	}
}

// Store keys tell apart everything that decides the credentials.
func TestStoreKeysDiffer(t *testing.T) {
	t.Parallel()
	keyOf := func(cfg aws.Config, r Role) string {
		c, err := AssumeRole(cfg, r)
		if err != nil {
			t.Fatal(err)
		}
		k, err := c.StoreKeys(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return k[0]
	}
	base := Role{ARN: roleB, SessionName: "ss"}
	other := staticConfig()
	other.Credentials = credentials.NewStaticCredentialsProvider("AKIAEXAMPLEOTHER", testSecret, "")
	fake := staticConfig()
	fake.BaseEndpoint = aws.String("http://127.0.0.1:8080")
	seen := map[string]string{keyOf(staticConfig(), base): "base"}
	for name, k := range map[string]string{
		"another caller":   keyOf(other, base),
		"another endpoint": keyOf(fake, base),
		"external ID":      keyOf(staticConfig(), Role{ARN: roleB, SessionName: "ss", ExternalID: "ext-1"}),
		"session name":     keyOf(staticConfig(), Role{ARN: roleB, SessionName: "tt"}),
		"duration":         keyOf(staticConfig(), Role{ARN: roleB, SessionName: "ss", Duration: 2 * time.Hour}),
		"tags":             keyOf(staticConfig(), Role{ARN: roleB, SessionName: "ss", Tags: map[string]string{"a": "b"}}),
		"policy":           keyOf(staticConfig(), Role{ARN: roleB, SessionName: "ss", Policy: `{"Version":"2012-10-17"}`}),
		"source identity":  keyOf(staticConfig(), Role{ARN: roleB, SessionName: "ss", SourceIdentity: "alice"}),
	} {
		if prev, dup := seen[k]; dup {
			t.Errorf("%s and %s share a key", name, prev)
		}
		seen[k] = name
		if !isKey(k) || strings.Contains(k, "AKIA") {
			t.Errorf("%s: key %q", name, k)
		}
	}
	if first, again := keyOf(staticConfig(), base), keyOf(staticConfig(), base); first != again {
		t.Error("the same role has two keys")
	}
}

// brokenStore fails every call.
type brokenStore struct{}

var errBroken = errors.New("disk full")

func (brokenStore) Load(context.Context, string) (*StoredCredentials, error) { return nil, errBroken }
func (brokenStore) Save(context.Context, string, *StoredCredentials) error   { return errBroken }
func (brokenStore) Lock(context.Context, string) (func(), error)             { return nil, errBroken }
func (brokenStore) Delete(context.Context, string) error                     { return errBroken }
func (brokenStore) List(context.Context) ([]*StoredCredentials, error)       { return nil, errBroken }

// countingStore counts the calls made to a Store.
type countingStore struct {
	Store
	calls atomic.Int32
}

func (s *countingStore) Load(ctx context.Context, k string) (*StoredCredentials, error) {
	s.calls.Add(1)
	return s.Store.Load(ctx, k)
}

func (s *countingStore) Lock(ctx context.Context, k string) (func(), error) {
	s.calls.Add(1)
	return s.Store.Lock(ctx, k)
}

// The endpoint in a key is the one the SDK's client calls, however it was
// named: a services section or AWS_ENDPOINT_URL_STS (config sources) counts
// as much as BaseEndpoint.
func TestStoreKeyEndpoint(t *testing.T) {
	t.Parallel()
	region := staticConfig()
	base := staticConfig()
	base.BaseEndpoint = aws.String("http://127.0.0.1:8080")
	service := staticConfig()
	service.ConfigSources = []any{endpointSource{url: "http://127.0.0.1:9090"}}
	fips := staticConfig()
	fips.ConfigSources = []any{endpointSource{fips: true}}
	for _, tt := range []struct {
		name string
		cfg  aws.Config
		want string
	}{
		{"the region's endpoint", region, "https://sts.us-east-1.amazonaws.com"},
		{"BaseEndpoint", base, "http://127.0.0.1:8080"},
		{"a service's own endpoint (AWS_ENDPOINT_URL_STS, services)", service, "http://127.0.0.1:9090"},
		{"FIPS", fips, "https://sts-fips.us-east-1.amazonaws.com"},
	} {
		if got := endpointOf(tt.cfg); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// endpointSource is a config source, as config.LoadDefaultConfig keeps in
// aws.Config.ConfigSources, with an STS endpoint or FIPS.
type endpointSource struct {
	url  string
	fips bool
}

func (s endpointSource) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	return s.url, s.url != "" && sdkID == "STS", nil
}

func (s endpointSource) GetUseFIPSEndpoint(context.Context) (aws.FIPSEndpointState, bool, error) {
	if s.fips {
		return aws.FIPSEndpointStateEnabled, true, nil
	}
	return aws.FIPSEndpointStateUnset, false, nil
}

// A provider that ignores its context keeps nothing else with it: the
// store's lock is let go at the fetch's deadline, so the next fetch of
// this process calls the provider again instead of waiting for the lock.
func TestStoreLockIsNotHeldByAHungProvider(t *testing.T) {
	t.Parallel()
	clk := newClock()
	hang := make(chan struct{})
	defer close(hang)
	var calls atomic.Int32
	client := answering(func() *types.Credentials {
		if calls.Add(1) == 1 {
			<-hang // ignores its context
		}
		return &types.Credentials{AccessKeyId: aws.String("ASIAOK"), SecretAccessKey: aws.String(testSecret),
			SessionToken: aws.String(testToken), Expiration: aws.Time(clk.Now().Add(time.Hour))}
	})
	c, err := AssumeRole(staticConfig(), Role{ARN: roleB, SessionName: "ss"}, func(o *Options) {
		o.Now, o.Store, o.RefreshTimeout = clk.Now, newStore(t), 50*time.Millisecond
		o.NewSTSClient = func(aws.Config) STSClient { return client }
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Retrieve(context.Background()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the hung fetch: %v", err)
	}
	c.Invalidate()
	if cr, err := c.Retrieve(context.Background()); err != nil || cr.AccessKeyID != "ASIAOK" || errors.Is(err, ErrStoreLockWait) {
		t.Fatalf("the next fetch: %q, %v; want the provider called again, not a wait for the hung one's lock", cr.AccessKeyID, err)
	}
}

// Credentials found fresh in the store are cached fresh: the entry that
// decided it is the one kept, jitter and all, so no background refresh
// starts the moment they arrive.
func TestStoreCredentialsAreCachedAsTheyWereJudged(t *testing.T) {
	t.Parallel()
	clk := newClock()
	store := newStore(t)
	sc := entryFor(clk.Now().Add(11 * time.Minute)) // 1h credentials, 49m old: inside the jitter of their refresh
	for range 40 {
		c, err := AssumeRole(staticConfig(), Role{ARN: roleB, SessionName: "ss"}, func(o *Options) {
			o.Now, o.Store = clk.Now, store
			o.NewSTSClient = func(aws.Config) STSClient { return answering(func() *types.Credentials { return nil }) }
		})
		if err != nil {
			t.Fatal(err)
		}
		k, err := c.StoreKeys(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		store.Save(context.Background(), k[0], sc)
		out, ok, _ := c.loadFresh(context.Background(), k[0])
		if ok && out.entry.state(clk.Now()) != fresh {
			t.Fatal("credentials judged fresh were cached stale")
		}
	}
}

// A cache around a stored cache, with options, leaves the store to the
// inner one (NewCache refuses Options.Store): both locking one key would
// wait on each other. It keeps the inner cache's key.
func TestStoreCacheOfAStoredCache(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	store := newStore(t)
	withStore := func(o *Options) { o.Store, o.RefreshTimeout = store, time.Second }
	inner, err := AssumeRole(staticConfig(), Role{ARN: roleB, SessionName: "ss"}, withFake(f), withStore)
	if err != nil {
		t.Fatal(err)
	}
	outer := NewCache(inner, func(o *Options) { o.Now, o.RefreshTimeout = f.clk.Now, time.Second })
	if _, err := outer.Retrieve(context.Background()); err != nil {
		t.Fatalf("Retrieve through a cache of a stored cache: %v", err)
	}
	keys, err := outer.StoreKeys(context.Background())
	want, _ := inner.StoreKeys(context.Background())
	if err != nil || len(keys) != 1 || keys[0] != want[0] {
		t.Errorf("StoreKeys = %v, %v; want the inner cache's key once", keys, err)
	}
}
