package xacct

import (
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Defaults for Options. Each is a named value with the reason for it, so a
// reader of a log or a timeline can tell which rule fired.
const (
	// DefaultRefreshWindow is the longest refresh window the adaptive default
	// uses. The window is a quarter of the credentials' lifetime, at most
	// this: one-hour credentials start refreshing at minute 50, 15-minute
	// credentials at 11m15s. Ten minutes leaves room for several retries with
	// backoff before anyone has to wait, even through a short STS outage.
	DefaultRefreshWindow = 10 * time.Minute

	// DefaultBlockingWindow is how long before expiry callers stop accepting
	// the cached credentials and wait for new ones, capped at a tenth of the
	// lifetime (one-hour credentials: the last minute). Credentials handed
	// out later than this might expire while a request signed with them is
	// still being retried by the SDK.
	DefaultBlockingWindow = time.Minute

	// DefaultRefreshTimeout bounds one fetch, whoever started it. It is
	// longer than the SDK's default retries take (three attempts with up to
	// 20s backoff) so that the retryer, not this timeout, gives up first.
	DefaultRefreshTimeout = time.Minute

	// DefaultErrorTTL is the shortest backoff after an error that retrying
	// cannot fix (AccessDenied, a malformed policy, a disabled region): for
	// that long the error is returned without calling the provider again.
	// Long enough that a thousand goroutines behind a wrong trust policy
	// make a handful of STS calls, short enough that a fixed policy is
	// picked up within seconds.
	DefaultErrorTTL = 10 * time.Second

	// DefaultMFATimeout bounds a single MFA prompt: an unanswered prompt must
	// not hold every caller of a cache forever.
	DefaultMFATimeout = 2 * time.Minute

	// DefaultDuration is the session length asked of STS when Role.Duration
	// is zero: the longest that role chaining allows, and the default
	// MaxSessionDuration of an IAM role.
	DefaultDuration = time.Hour
)

// NoticeAttr is the key of the log attribute (NoticeAttr, true) that marks
// the lines of Options.Logger meant for a person at a terminal: a wait for
// another process's lock, a store that fails, a provider left hanging.
// Tools show those and keep the rest for logs.
const NoticeAttr = "notice"

// Options configures AssumeRole, Chain, NewCache, MFASession, LoadConfig,
// FromProfile and PlanProfile (and, through FanOutOptions.HopOptions, the
// hops of a fan-out). Pass functions that set fields (optFns
// ...func(*Options)), as with the AWS SDK; each constructor applies them to
// its own copy and resolves the defaults once, so an Options value is
// never shared or written after construction.
type Options struct {
	// MFA supplies MFA token codes. Required when a Role has MFASerial.
	MFA TokenFunc

	// RefreshWindow is how long before expiry a background refresh starts;
	// callers keep getting the cached credentials meanwhile. Zero picks an
	// adaptive default: a quarter of the credentials' lifetime, at most
	// DefaultRefreshWindow. Any value is capped at half the lifetime, so
	// that fresh credentials are never due for refresh the moment they
	// arrive: with RefreshWindow 30m and 15-minute credentials, the refresh
	// starts 7m30s before expiry.
	RefreshWindow time.Duration

	// BlockingWindow is how long before expiry callers wait for new
	// credentials instead of taking the cached ones. Zero: DefaultBlockingWindow,
	// capped at a tenth of the lifetime. Negative: callers wait only once
	// the credentials have expired.
	BlockingWindow time.Duration

	// RefreshJitter makes each refresh start earlier by a random amount up to
	// this, never later, so that a fleet of processes started together does
	// not refresh in the same second. Zero: a fifth of the refresh window.
	// Negative: no jitter.
	RefreshJitter time.Duration

	// RefreshTimeout bounds one fetch of new credentials. It does not depend
	// on any caller's context: a caller that gives up stops waiting, and the
	// fetch goes on for the others. Zero: DefaultRefreshTimeout.
	RefreshTimeout time.Duration

	// ErrorTTL is the shortest backoff after an error that retrying will
	// not fix (AccessDenied, a malformed policy, a disabled region): for
	// that long no new fetch is made, and callers without valid credentials
	// get the error at once. Zero: DefaultErrorTTL. Negative: such errors
	// back off like any other failure (5s, doubling to 2m, with jitter).
	ErrorTTL time.Duration

	// MFATimeout bounds each call of a TokenFunc. Zero: DefaultMFATimeout.
	MFATimeout time.Duration

	// SessionDuration is the lifetime of MFASession credentials: 15m to 36h.
	// Zero: DefaultSessionDuration (12h). MFASession, LoadConfig and
	// FromProfile use it; AssumeRole and Chain refuse it (a hop's length is
	// Role.Duration).
	SessionDuration time.Duration

	// LastHopDuration, when set, is the session length of a profile's last
	// hop (its role_arn), in place of its duration_seconds: 15m to 12h, 1h
	// at most when role chaining. PlanProfile, LoadConfig and FromProfile
	// use it; the others refuse it.
	LastHopDuration time.Duration

	// Now is the clock. Nil: time.Now. Tests inject a fake clock here (the
	// xaccttest fake STS has one) to step through expiry and refresh in
	// simulated time.
	Now func() time.Time

	// Logger receives refreshes and failures at Debug and Warn level. It
	// never receives secrets. Lines meant for a person at a terminal (a
	// wait for another process's lock, a store that fails, a provider left
	// hanging) carry the attribute NoticeAttr=true, for tools to show them.
	// Nil: no logging.
	Logger *slog.Logger

	// OnRefresh, when set, is called after every fetch of new credentials
	// with its outcome: for metrics, logs and tests. It runs on the fetching
	// goroutine, so it must not block.
	OnRefresh func(RefreshEvent)

	// NewSTSClient builds the STS client a hop calls, from the caller's
	// aws.Config with the hop's base credentials already set in
	// cfg.Credentials. Nil: sts.NewFromConfig(cfg). Set it to add
	// middleware, or to put a test double in place of STS. The client must
	// apply the per-call option functions, as *sts.Client does: a stored
	// hop's call is signed through them with the very credentials its
	// store key was made for.
	NewSTSClient func(cfg aws.Config) STSClient

	// ConfigFiles are the shared config files that LoadConfig and
	// FromProfile read, in order, as config.LoadSharedConfigProfile takes
	// them. Nil: AWS_CONFIG_FILE, else ~/.aws/config. AssumeRole, Chain and
	// MFASession, which read no profile, refuse it.
	ConfigFiles []string

	// CredentialsFiles are the shared credentials files that LoadConfig and
	// FromProfile read, in order. Nil: AWS_SHARED_CREDENTIALS_FILE, else
	// ~/.aws/credentials. AssumeRole, Chain and MFASession refuse it.
	CredentialsFiles []string

	// Store, when set, keeps credentials across processes: every hop and
	// MFA session reads it before calling STS and writes what STS gives,
	// under a lock per key, so that processes started together make one
	// call and one prompt per session between them. See Store and
	// FileStore. Nil: credentials live in this process only.
	Store Store

	// storeHungAt is when Store last did not return in time (UnixNano on
	// the Now clock; 0: never), shared by the caches built with these
	// options (storecall.go).
	storeHungAt *atomic.Int64

	// devices is the MFA device registry of the prompt protocol. Nil: the
	// process-wide one. Tests set their own, so that they can run in
	// parallel.
	devices *devices
}

// appliedOptions applies optFns to a fresh Options, with no defaults: what
// the caller set.
func appliedOptions(optFns []func(*Options)) *Options {
	var o Options
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	return &o
}

// resolveOptions applies optFns to a fresh Options and fills in defaults.
func resolveOptions(optFns []func(*Options)) Options {
	o := *appliedOptions(optFns)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RefreshTimeout <= 0 {
		o.RefreshTimeout = DefaultRefreshTimeout
	}
	if o.ErrorTTL == 0 {
		o.ErrorTTL = DefaultErrorTTL
	}
	if o.MFATimeout <= 0 {
		o.MFATimeout = DefaultMFATimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.storeHungAt == nil {
		o.storeHungAt = new(atomic.Int64)
	}
	if o.devices == nil {
		o.devices = processDevices
	}
	if o.NewSTSClient == nil {
		o.NewSTSClient = func(cfg aws.Config) STSClient { return sts.NewFromConfig(cfg) }
	}
	return o
}
