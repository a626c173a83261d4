package xacct

// Faults at the edges of the store step: an unlock that hangs or panics, a
// fetch begun before Invalidate, callers who leave while a Store is slow,
// and an MFA hop whose code takes longer than its base has left.

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

// unlockFaultStore is a Store whose unlock blocks until release is closed
// (a FileStore's close(2) on a hung NFS mount), or panics.
type unlockFaultStore struct {
	Store
	release chan struct{}
	panics  bool
}

func (s *unlockFaultStore) Lock(ctx context.Context, key string) (func(), error) {
	unlock, err := s.Store.Lock(ctx, key)
	if err != nil {
		return nil, err
	}
	return func() {
		if s.panics {
			panic("unlock failed")
		}
		<-s.release
		unlock()
	}, nil
}

// an unlock that hangs wedges Retrieve(context.Background())
// for ever (callStore's `defer unlock()` is not bounded).
func TestStoreUnlockThatHangsDoesNotWedge(t *testing.T) {
	t.Parallel()
	f := &fakeSTS{clk: newClock()}
	store := &unlockFaultStore{Store: newStore(t), release: make(chan struct{})}
	t.Cleanup(func() { close(store.release) })
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
			t.Fatalf("Retrieve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Retrieve(context.Background()) wedged by a Store whose unlock hangs (RefreshTimeout 300ms)")
	}
}

// an unlock that panics ends the process (it runs inside
// singleflight, outside every recover), though storeCall turns a panic of
// Load, Lock or Save into an error. Run in a child process.
func TestStoreUnlockThatPanicsDoesNotCrash(t *testing.T) {
	if os.Getenv("XACCT_REVIEW2_CHILD") == "1" {
		f := &fakeSTS{clk: newClock()}
		store := &unlockFaultStore{Store: newStore(t), panics: true}
		c, err := AssumeRole(staticConfig(), Role{ARN: roleB, SessionName: "ss"}, withFake(f), func(o *Options) { o.Store = store })
		if err != nil {
			t.Fatal(err)
		}
		c.Retrieve(context.Background())
		time.Sleep(200 * time.Millisecond) // singleflight re-panics on a goroutine of its own
		return
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestStoreUnlockThatPanicsDoesNotCrash$", "-test.count=1")
	cmd.Env = append(os.Environ(), "XACCT_REVIEW2_CHILD=1")
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
	c, err := AssumeRole(staticConfig(), Role{ARN: roleB, SessionName: "ss"}, withFake(f), func(o *Options) {
		o.Store = newStore(t)
		o.NewSTSClient = func(aws.Config) STSClient { return slow }
	})
	if err != nil {
		t.Fatal(err)
	}
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
