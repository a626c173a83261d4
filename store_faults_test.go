package xacct

// Faults at the edges of the store step: a Store that hangs in any call,
// an unlock that panics, a fetch begun before Invalidate, callers who
// leave while a Store is slow, and an MFA hop whose code takes longer than
// its base has left.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// hangingStore is a Store whose chosen call (hang: "load", "lock",
// "save" or "unlock") ignores its context and returns only when release
// is closed, as on a hung network file system; with panics, its unlock
// panics. Its unlocks are counted.
type hangingStore struct {
	Store
	hang     string
	panics   bool
	release  chan struct{}
	unlocked atomic.Int32
	busy     atomic.Int32 // the calls that may hang, until they return
}

func (s *hangingStore) wait(op string) {
	if s.hang == op {
		<-s.release
	}
}

// held counts a call that may hang, so that a test ends after it (a save
// released at cleanup would write into a directory being removed).
func (s *hangingStore) held(op string) func() {
	if s.hang != op {
		return func() {}
	}
	s.busy.Add(1)
	return func() { s.busy.Add(-1) }
}

// settle waits (a bounded while) for the released calls to return.
func (s *hangingStore) settle() {
	for deadline := time.Now().Add(5 * time.Second); s.busy.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
}

func (s *hangingStore) Load(ctx context.Context, key string) (*StoredCredentials, error) {
	defer s.held("load")()
	s.wait("load")
	return s.Store.Load(ctx, key)
}

func (s *hangingStore) Save(ctx context.Context, key string, sc *StoredCredentials) error {
	defer s.held("save")()
	s.wait("save")
	return s.Store.Save(ctx, key, sc)
}

func (s *hangingStore) Lock(ctx context.Context, key string) (func(), error) {
	s.wait("lock")
	unlock, err := s.Store.Lock(context.Background(), key)
	if err != nil {
		return nil, err
	}
	return func() {
		if s.panics {
			panic("unlock failed")
		}
		s.wait("unlock")
		s.unlocked.Add(1)
		unlock()
	}, nil
}

// retrieveWithin retrieves c's credentials with no deadline of the
// caller's, failing the test if that takes more than d: a wedged cache.
func retrieveWithin(t *testing.T, c *Cache, d time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { _, err := c.Retrieve(context.Background()); done <- err }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("Retrieve(context.Background()) still waiting after %v", d)
		return nil
	}
}

// A Store that hangs in Load, Lock, Save or unlock costs a fetch its bound, and
// the credentials still come: no store this time, never a wedged caller.
// A Lock that returns after the fetch gave up on it is unlocked.
func TestStoreThatHangsIsBypassed(t *testing.T) {
	t.Parallel()
	for _, op := range []string{"load", "lock", "save", "unlock"} {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			f := &fakeSTS{clk: newClock()}
			store := &hangingStore{Store: newStore(t), hang: op, release: make(chan struct{})}
			var once sync.Once
			release := func() { once.Do(func() { close(store.release) }) }
			t.Cleanup(func() { release(); store.settle() })
			c := storedHop(t, f, store, func(o *Options) { o.RefreshTimeout = 300 * time.Millisecond })
			if err := retrieveWithin(t, c, 10*time.Second); err != nil {
				t.Fatalf("Retrieve with a store whose %s hangs: %v", op, err)
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
			t.Cleanup(func() { close(store.release); store.settle() })
			var c *Cache
			for range 2 {
				c = storedHop(t, f, store, func(o *Options) { o.RefreshTimeout = time.Second })
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				_, err := c.Retrieve(ctx)
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

// An unlock that panics does not end the process, though it runs inside
// singleflight, which re-panics on a goroutine of its own. Run in a child
// process.
func TestStoreUnlockThatPanicsDoesNotCrash(t *testing.T) {
	if os.Getenv("XACCT_TEST_UNLOCK_PANIC_CHILD") == "1" {
		f := &fakeSTS{clk: newClock()}
		store := &hangingStore{Store: newStore(t), panics: true}
		c := storedHop(t, f, store)
		c.Retrieve(context.Background())
		time.Sleep(200 * time.Millisecond) // singleflight re-panics on a goroutine of its own
		return
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestStoreUnlockThatPanicsDoesNotCrash$", "-test.count=1")
	cmd.Env = append(os.Environ(), "XACCT_TEST_UNLOCK_PANIC_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("a Store whose unlock panics crashed the process: %v\n%s", err, out)
	}
}

// slowSTS blocks the first AssumeRole until release is closed.
type slowSTS struct {
	*fakeSTS
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func (s *slowSTS) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	first := false
	s.once.Do(func() { first = true })
	if first {
		close(s.started)
		<-s.release
	}
	return s.fakeSTS.AssumeRole(ctx, in, optFns...)
}

// a fetch begun before Invalidate records nothing in memory,
// but saves its answer to the store stamped with the time it ended; the
// fetch after Invalidate is then served that very answer from the store.
func TestStoreInvalidateIsNotUndoneByTheStore(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	slow := &slowSTS{fakeSTS: f, started: make(chan struct{}), release: make(chan struct{})}
	c := storedHop(t, f, newStore(t), func(o *Options) { o.NewSTSClient = func(aws.Config) STSClient { return slow } })
	first := make(chan aws.Credentials, 1)
	go func() { creds, _ := c.Retrieve(context.Background()); first <- creds }()
	<-slow.started
	c.Invalidate()
	f.clk.Advance(time.Second) // the STS call takes a second
	close(slow.release)
	old := <-first
	second, err := c.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if second.AccessKeyID == old.AccessKeyID {
		t.Errorf("after Invalidate: served %s, the answer of the fetch begun before it (%d AssumeRole calls); want a new fetch",
			second.AccessKeyID, f.callsFor(roleB))
	}
}

// ctxLoadStore's first Load waits for its context, as a Store that
// honours it does while it is slow (a network keyring).
type ctxLoadStore struct {
	Store
	loads   atomic.Int32
	entered chan struct{}
}

func (s *ctxLoadStore) Load(ctx context.Context, key string) (*StoredCredentials, error) {
	if s.loads.Add(1) == 1 {
		close(s.entered)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return s.Store.Load(ctx, key)
}

// a caller who gives up (the fetch is cancelled when every
// waiter of a prompting fetch has left) while a Store's Load honours its
// context is taken for a hung store: every cache built with these
// options skips the store for a minute.
func TestStoreCancelledCallerIsNotAHungStore(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	store := &ctxLoadStore{Store: newStore(t), entered: make(chan struct{})}
	var n atomic.Int32
	token := func(ctx context.Context, req TokenRequest) (string, error) {
		return fmt.Sprintf("%06d", n.Add(1)), nil
	}
	c, err := MFASession(staticConfig(), "arn:aws:iam::111111111111:mfa/alice", token, withFake(f),
		func(o *Options) { o.Store = store })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Retrieve(ctx); close(done) }()
	<-store.entered
	cancel()
	<-done
	time.Sleep(200 * time.Millisecond) // the fetch ends after its caller left
	if _, err := c.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := store.loads.Load(); n < 2 {
		t.Errorf("%d Loads: the store was skipped after a caller cancelled; want it used", n)
	}
}

// expirySTS refuses a call signed with credentials that have expired
// on the fake clock, as STS does; it signs as the SDK does, with the
// per-call options' credentials when given.
type expirySTS struct {
	*fakeSTS
	base aws.CredentialsProvider
}

func (s expirySTS) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	o := sts.Options{Credentials: s.base}
	for _, fn := range optFns {
		fn(&o)
	}
	creds, err := o.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	if creds.CanExpire && !s.clk.Now().Before(creds.Expires) {
		return nil, &smithy.GenericAPIError{Code: "ExpiredToken", Message: "The security token included in the request is expired"}
	}
	return s.fakeSTS.AssumeRole(ctx, in, optFns...)
}

// an MFA hop's call is bound to its base's credentials before
// the prompt; a person who takes longer than the base has left (stale:
// as little as the blocking window, 1 minute, while MFATimeout is 2)
// gets ExpiredToken, where the signer used to fetch them at call time.
func TestStoreMFAHopIsSignedByCredentialsValidAfterThePrompt(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	var prompts atomic.Int32
	slowPerson := atomic.Bool{}
	token := func(ctx context.Context, req TokenRequest) (string, error) {
		if slowPerson.Load() {
			f.clk.Advance(2 * time.Minute) // within MFATimeout
		}
		return fmt.Sprintf("%06d", prompts.Add(1)), nil
	}
	opts := func(o *Options) {
		withFake(f)(o)
		o.MFA = token
		o.RefreshJitter = -1
		o.NewSTSClient = func(cfg aws.Config) STSClient { return expirySTS{f, cfg.Credentials} }
	}
	c, err := Chain(staticConfig(), []Role{
		{ARN: "arn:aws:iam::222222222222:role/A", SessionName: "ss", Duration: 15 * time.Minute},
		{ARN: roleB, SessionName: "ss", Duration: 15 * time.Minute, MFASerial: "arn:aws:iam::111111111111:mfa/alice"},
	}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(13*time.Minute + 30*time.Second) // hop 1 stale, 90s left
	c.Invalidate()
	slowPerson.Store(true)
	if _, err := c.Retrieve(context.Background()); err != nil {
		t.Errorf("an MFA hop whose code took 2 minutes (MFATimeout: 2m): %v", err)
	}
}

var _ = errors.Is
