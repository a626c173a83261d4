package xacct

// Tests of the defects found under injected faults: each failed before its
// fix.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/xacct/xacct/internal/backoff"
	"github.com/xacct/xacct/internal/fakeclock"
	"github.com/xacct/xacct/internal/testutil"
)

// With nothing valid cached, a failed fetch is followed by a backoff too:
// the callers of that time get the last error at once, saying when the
// next attempt is, instead of each round of callers starting a fetch.
func TestCacheBacksOffWhenNothingValidIsCached(t *testing.T) {
	t.Parallel()
	clk := newClock()
	var down atomic.Bool
	down.Store(true)
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		if down.Load() {
			return aws.Credentials{}, apiError("Throttling", "Rate exceeded")
		}
		return creds(n, clk.Now().Add(time.Hour)), nil
	}}
	c := NewCache(p, withClock(clk))

	// 256 readers without pause while the simulated clock stands still: one
	// call, whatever the number of rounds.
	parallel(256, func(int) {
		for range 50 {
			_, err := c.Retrieve(context.Background())
			if err == nil || !strings.Contains(err.Error(), "Rate exceeded") {
				t.Errorf("Retrieve during the outage = %v, want the Throttling error", err)
				return
			}
		}
	})
	if n := p.calls.Load(); n != 1 {
		t.Fatalf("%d provider calls at one instant after a failure, want 1", n)
	}
	_, err := c.Retrieve(context.Background())
	if !strings.Contains(err.Error(), "no new attempt before 2026-01-02T03:04:") ||
		!strings.Contains(err.Error(), "backing off after 1 failed attempt") {
		t.Errorf("error while backing off = %q; want when the next attempt is", err)
	}
	var be *backoff.Error
	if !errors.As(err, &be) || testutil.ErrorCode(err) != "Throttling" {
		t.Errorf("error %v: want the backoff wrapping the STS error", err)
	}

	// Each backoff period of the outage makes one call; the delays grow.
	for want := int32(2); want <= 6; want++ {
		clk.Advance(backoff.Max)
		parallel(64, func(int) { c.Retrieve(context.Background()) })
		if n := p.calls.Load(); n != want {
			t.Fatalf("after %d backoff periods: %d calls, want %d", want-1, n, want)
		}
	}

	// The outage ends: the first caller after the backoff gets credentials.
	down.Store(false)
	clk.Advance(backoff.Max)
	if cr, err := c.Retrieve(context.Background()); err != nil || cr.AccessKeyID != "AKID7" {
		t.Fatalf("Retrieve after the outage = %q, %v; want AKID7", cr.AccessKeyID, err)
	}
}

// Invalidate forces a fetch, even while the cache backs off.
func TestInvalidateForcesAFetchDuringBackoff(t *testing.T) {
	t.Parallel()
	clk := newClock()
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		if n == 1 {
			return aws.Credentials{}, errors.New("connection reset")
		}
		return creds(n, clk.Now().Add(time.Hour)), nil
	}}
	c := NewCache(p, withClock(clk))
	if _, err := c.Retrieve(context.Background()); err == nil {
		t.Fatal("want the first fetch's error")
	}
	if _, err := c.Retrieve(context.Background()); err == nil || p.calls.Load() != 1 {
		t.Fatalf("during the backoff: %v after %d calls; want the error without a call", err, p.calls.Load())
	}
	c.Invalidate()
	if cr, err := c.Retrieve(context.Background()); err != nil || cr.AccessKeyID != "AKID2" {
		t.Fatalf("after Invalidate: %q, %v; want AKID2", cr.AccessKeyID, err)
	}
}

// A fetch begun before Invalidate records nothing when it fails: its
// failure must not hold back the fetch that Invalidate asked for.
func TestCacheInvalidateDuringFailingFetchDiscardsTheFailure(t *testing.T) {
	t.Parallel()
	clk := newClock()
	release := make(chan struct{})
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		if n == 1 {
			<-release
			return aws.Credentials{}, apiError("AccessDenied", "not authorized")
		}
		return creds(n, clk.Now().Add(time.Hour)), nil
	}}
	c := NewCache(p, withClock(clk))
	first := make(chan error)
	go func() { _, err := c.Retrieve(context.Background()); first <- err }()
	eventually(t, "first call", func() bool { return p.calls.Load() == 1 })
	c.Invalidate()
	close(release)
	if err := <-first; testutil.ErrorCode(err) != "AccessDenied" {
		t.Fatalf("the waiter of the old fetch got %v, want its AccessDenied", err)
	}
	if cr, err := c.Retrieve(context.Background()); err != nil || cr.AccessKeyID != "AKID2" {
		t.Fatalf("Retrieve after Invalidate = %q, %v; want a new fetch (AKID2), not the old failure", cr.AccessKeyID, err)
	}
}

// A provider that ignores its context holds nobody past the fetch's
// timeout, and does not wedge the cache.
func TestCacheProviderThatIgnoresItsContext(t *testing.T) {
	t.Parallel()
	clk := newClock()
	hang := make(chan struct{})
	defer close(hang) // the hung calls end with the test
	p := &provider{fn: func(ctx context.Context, n int) (aws.Credentials, error) {
		if n == 1 || n == 3 {
			<-hang // ignores ctx
		}
		return creds(n, clk.Now().Add(time.Hour)), nil
	}}
	var logs syncBuffer
	c := NewCache(p, withClock(clk), noJitter, func(o *Options) {
		o.RefreshTimeout = 50 * time.Millisecond
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})

	// A caller with no deadline of its own stops waiting at the timeout.
	start := time.Now()
	_, err := c.Retrieve(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "did not return") {
		t.Fatalf("Retrieve = %v; want the fetch's deadline", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("the caller waited %v for a hung provider with a 50ms RefreshTimeout", took)
	}
	// After the backoff, the next caller starts a fetch of its own: the hung
	// one holds nothing.
	clk.Advance(backoff.Max)
	if cr, err := c.Retrieve(context.Background()); err != nil || cr.AccessKeyID != "AKID2" {
		t.Fatalf("the next caller: %q, %v; want a new fetch (AKID2)", cr.AccessKeyID, err)
	}

	// A hung background refresh ends at its timeout too; due callers then
	// fetch anew instead of joining it.
	clk.Advance(55 * time.Minute) // stale: the background refresh is call 3, which hangs
	if cr, _ := c.Retrieve(context.Background()); cr.AccessKeyID != "AKID2" {
		t.Fatalf("stale: %q, want the cached AKID2", cr.AccessKeyID)
	}
	eventually(t, "the hung background refresh to be given up", func() bool { return !c.bgRunning.Load() })
	clk.Advance(4*time.Minute + 30*time.Second) // due, and past the backoff
	if cr, err := c.Retrieve(context.Background()); err != nil || cr.AccessKeyID != "AKID4" {
		t.Fatalf("due after a hung background refresh: %q, %v; want AKID4", cr.AccessKeyID, err)
	}
	if n := strings.Count(logs.String(), "it is left running"); n != 2 {
		t.Errorf("%d log lines about hung providers for 2 hung calls, want 2:\n%s", n, logs.String())
	}
}

// Every answer is checked before it is cached: an incomplete one would
// fail every request signed with it for the whole session.
func TestIncompleteAnswersAreNotCached(t *testing.T) {
	t.Parallel()
	full := func(clk *fakeclock.Clock) *types.Credentials {
		return &types.Credentials{
			AccessKeyId: aws.String("ASIAFULL"), SecretAccessKey: aws.String(testSecret),
			SessionToken: aws.String(testToken), Expiration: aws.Time(clk.Now().Add(time.Hour)),
		}
	}
	for _, tt := range []struct {
		name  string
		edit  func(*types.Credentials)
		wants string
	}{
		{"no session token", func(c *types.Credentials) { c.SessionToken = nil }, "without SessionToken"},
		{"empty session token", func(c *types.Credentials) { c.SessionToken = aws.String("") }, "without SessionToken"},
		{"no access key", func(c *types.Credentials) { c.AccessKeyId = nil }, "without AccessKeyId"},
		{"no secret", func(c *types.Credentials) { c.SecretAccessKey = nil }, "without SecretAccessKey"},
		{"no expiration", func(c *types.Credentials) { c.Expiration = nil }, "without Expiration"},
		{"two parts missing", func(c *types.Credentials) { c.Expiration, c.SessionToken = nil, nil }, "without SessionToken, Expiration"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			var calls atomic.Int32
			answer := func() *types.Credentials {
				cr := full(clk)
				if calls.Add(1) == 1 {
					tt.edit(cr)
				}
				return cr
			}
			for _, build := range []func(aws.Config, func(*Options)) (*Cache, error){
				func(cfg aws.Config, o func(*Options)) (*Cache, error) { return AssumeRole(cfg, Role{ARN: roleB}, o) },
				func(cfg aws.Config, o func(*Options)) (*Cache, error) {
					return MFASession(cfg, serialFor(t), uniqueCodes(), o)
				},
			} {
				calls.Store(0)
				c, err := build(baseConfig(), func(o *Options) {
					o.Now = clk.Now
					o.devices = newDevices()
					o.NewSTSClient = func(aws.Config) STSClient { return answering(answer) }
				})
				if err != nil {
					t.Fatal(err)
				}
				_, err = c.Retrieve(context.Background())
				if err == nil || !strings.Contains(err.Error(), "STS answered with incomplete credentials, "+tt.wants) {
					t.Fatalf("Retrieve = %v; want an error saying what is missing (%s)", err, tt.wants)
				}
				if strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), testToken) {
					t.Fatalf("secret in %v", err)
				}
				clk.Advance(backoff.Max)
				if cr, err := c.Retrieve(context.Background()); err != nil || cr.AccessKeyID != "ASIAFULL" {
					t.Fatalf("next Retrieve = %q, %v; want the complete answer, fetched anew", cr.AccessKeyID, err)
				}
			}
		})
	}
}

// NewCache checks the answers of any provider, by what it describes.
func TestCacheChecksAnyProvidersAnswer(t *testing.T) {
	t.Parallel()
	clk := newClock()
	for _, tt := range []struct {
		name  string
		creds aws.Credentials
		want  string
	}{
		{"no key", aws.Credentials{SecretAccessKey: "s"}, "without an access key ID"},
		{"no secret", aws.Credentials{AccessKeyID: "AKID"}, "without a secret access key"},
		{"expiry missing", aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "s", CanExpire: true}, "without an expiry"},
		{"expired", aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "s", CanExpire: true,
			Expires: clk.Now().Add(-time.Minute)}, "expired at 2026-01-02T03:03:05Z"},
	} {
		c := NewCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return tt.creds, nil
		}), withClock(clk))
		if _, err := c.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

// What xacct reads of an STS answer is bounded: a 200 MB stream fails the
// call instead of filling memory.
func TestSTSAnswersAreBounded(t *testing.T) {
	t.Parallel()
	var written atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // else the client's request write may fail, closing the connection
		w.Header().Set("Content-Type", "text/xml")
		w.Write([]byte(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><X>`))
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for range 200 << 20 / len(chunk) {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	cfg := baseConfig()
	cfg.BaseEndpoint = aws.String(srv.URL)
	cfg.RetryMaxAttempts = 1
	// Now and then (1 run in 30, seen under -race) Go's HTTP transport
	// drops a connection that streams this much before the limit is
	// reached ("use of closed network connection"): a few tries tell that
	// apart from a missing limit.
	var err error
	for range 5 {
		var c *Cache
		if c, err = AssumeRole(cfg, Role{ARN: roleB}); err != nil {
			t.Fatal(err)
		}
		_, err = c.Retrieve(context.Background())
		if err != nil && strings.Contains(err.Error(), "larger than 1048576 bytes, which no STS answer is") {
			break
		}
	}
	if err == nil || !strings.Contains(err.Error(), "larger than 1048576 bytes, which no STS answer is") {
		t.Fatalf("Retrieve = %v; want the answer limit", err)
	}
	srv.CloseClientConnections()
	if n := written.Load(); n > 64<<20 {
		t.Errorf("the server wrote %d MB before the client stopped reading", n>>20)
	}
}

// Every xacct error is as careful in %#v and %+v as in Error(): no secret,
// no panic value.
func TestErrorsFormatNoSecrets(t *testing.T) {
	t.Parallel()
	inner := fmt.Errorf("wrapped: %w", &panicError{provider: "p", valueType: "string"})
	secretPanic := NewCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		panic("the secret is " + testSecret)
	}))
	_, panicked := secretPanic.Retrieve(context.Background())
	for _, err := range []error{
		panicked,
		&HopError{Hop: 1, RoleARN: roleB, Err: panicked, Hint: "h"},
		&SessionError{SerialNumber: "arn:aws:iam::111111111111:mfa/a", Err: inner},
		&backoff.Error{Err: panicked, Failures: 2, RetryAt: time.Now()},
		fmt.Errorf("outer: %w", panicked),
	} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			if out := fmt.Sprintf(verb, err); strings.Contains(out, testSecret) || strings.Contains(out, "the secret") {
				t.Errorf("%s of %T shows the panic value: %s", verb, err, out)
			}
		}
	}
	if !strings.Contains(panicked.Error(), "panicked (value of type string)") {
		t.Errorf("panic error %q: want the value's type", panicked)
	}
}

// answering is an STSClient whose every answer comes from answer.
type answering func() *types.Credentials

func (a answering) AssumeRole(context.Context, *sts.AssumeRoleInput, ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	return &sts.AssumeRoleOutput{Credentials: a()}, nil
}

func (a answering) GetSessionToken(context.Context, *sts.GetSessionTokenInput, ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error) {
	return &sts.GetSessionTokenOutput{Credentials: a()}, nil
}

// syncBuffer is a bytes.Buffer for a logger written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
