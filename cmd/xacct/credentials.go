package main

// Getting a profile's credentials for a command: the steps that
// credential-process, exec and login share, in order, each failure with
// its exit code. Everything that can be refused before the network is.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/awsprofile"
)

// personCodeTimeout is how long a person at an interactive command (exec,
// env, login) has to type an MFA code: time to find the phone, unlock it
// and open the app. credential-process has less (--timeout): the program
// that runs it gives it a minute or so.
const personCodeTimeout = 5 * time.Minute

// credentialRun gets one profile's credentials for one command.
type credentialRun struct {
	name   string // the command, as its errors start: "xacct exec"
	flags  profileFlags
	stderr io.Writer

	// needsStore: the command fails without a store (login, whose purpose
	// it is); the others go on without one, with a notice.
	needsStore bool
	// seeThrough: a profile that wraps xacct credential-process is
	// followed to the profile it resolves (wrapped.go).
	seeThrough bool

	// timeout bounds the whole fetch: lock waits, prompts and STS calls.
	// Zero: the library's own bounds (Options.RefreshTimeout, plus
	// MFATimeout per prompting step).
	timeout time.Duration

	// Set by get, for the command's use after it.
	plan  *xacct.ProfilePlan
	cfg   aws.Config       // the profile's config: region, endpoints
	cache *xacct.Cache     // cfg.Credentials: the chain's last step
	store *xacct.FileStore // nil with --no-cache, or when none could be had
	w     watch

	terminal bool       // codes are asked for on the terminal
	tries    *codeTries // the codes typed at it
}

// get returns the credentials of the profile, with at least
// --min-remaining left. ctx bounds it; a failure is an error with an exit
// code (exitCodeOf).
func (r *credentialRun) get(ctx context.Context) (aws.Credentials, error) {
	if err := r.flags.check(); err != nil {
		return aws.Credentials{}, err
	}
	if r.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.timeout)
		defer cancel()
	}
	if r.seeThrough {
		followWrapper(ctx, r.stderr, r.name, &r.flags)
	}
	setRegion(r.flags.region, r.flags.profile)
	plan, err := xacct.PlanProfile(ctx, r.flags.profile)
	if err != nil {
		return aws.Credentials{}, &exitError{code: exitConfig, err: err}
	}
	if plan, err = r.withDuration(ctx, plan); err != nil {
		return aws.Credentials{}, err
	}
	r.plan = plan
	if err := enterProfile(plan.Profile); err != nil {
		return aws.Credentials{}, err
	}
	if err := checkLifetime(plan, r.flags.minRemaining); err != nil {
		return aws.Credentials{}, err
	}
	notices, closeNotices := noticeWriter(r.stderr)
	defer closeNotices()
	store, err := r.openStore(notices)
	if err != nil {
		return aws.Credentials{}, err
	}

	r.tries = &codeTries{sent: map[string]bool{}, out: notices}
	for try := 1; ; try++ {
		r.tries.begin()
		if err := r.load(ctx, store, notices); err != nil {
			return aws.Credentials{}, err
		}
		creds, err := r.fresh(ctx)
		if err == nil {
			return creds, nil
		}
		if try == maxCodeTries || !r.terminal || !r.tries.refused(err) {
			defer r.w.settle(time.Second)
			return aws.Credentials{}, r.relay(r.explain(ctx, err))
		}
		// A new chain: the old one backs off from its failure
		// (Options.ErrorTTL); the store has nothing of the refused call.
		fmt.Fprintf(notices, "xacct: the MFA code was refused: wrong, or already used; wait for the next code "+
			"(try %d of %d)\n", try+1, maxCodeTries)
	}
}

// load builds the profile's chain (r.cfg, r.cache) on store, and refuses
// it before any network call when it needs a code that cannot be had.
func (r *credentialRun) load(ctx context.Context, store xacct.Store, notices io.Writer) error {
	terminal, tokenArgs := hasTerminal(), r.flags.tokenArgs()
	r.terminal = terminal
	r.w.setStore(r.storeDir(), askingKind(terminal))
	token := mfaSource(terminal, tokenArgs, r.plan.Profile)
	if terminal {
		token = sameDeviceHint(r.tries.wrap(token), r.plan, store, notices, time.Now)
	}
	// The chain of the plan, resolved once (get); building it makes no
	// network call.
	var err error
	r.cfg, err = r.plan.Config(ctx, func(o *xacct.Options) {
		if store != nil {
			o.Store = watchedStore{Store: store, w: &r.w}
		}
		o.MFA = r.w.token(token)
		o.Logger = newLockNoticeLogger(notices, r.w.lockWaitNotice)
		if r.timeout > 0 {
			o.RefreshTimeout, o.MFATimeout = r.timeout, r.timeout
		} else {
			o.MFATimeout = personCodeTimeout
		}
	})
	if err != nil {
		return &exitError{code: exitConfig, err: err}
	}
	var ok bool
	if r.cache, ok = r.cfg.Credentials.(*xacct.Cache); !ok {
		return fmt.Errorf("ProfilePlan.Config gave credentials of type %T, not *xacct.Cache", r.cfg.Credentials)
	}
	if !terminal && tokenArgs == nil && firstSerial(r.plan) != "" {
		if serial := needsCode(ctx, r.plan, store); serial != "" {
			return &mfaError{err: errNoCode(r.plan.Profile, serial)}
		}
	}
	return nil
}

// openStore opens the store of the flags, as r.store and as the Store to
// use: nil with --no-cache, or when none can be had, which fails a command
// that needs one (login) and is a notice for the others (see needsStore).
func (r *credentialRun) openStore(notices io.Writer) (xacct.Store, error) {
	var err error
	if r.store, err = r.flags.openStore(); err != nil {
		if r.needsStore {
			return nil, storeUnavailable(err)
		}
		noStoreNotice(notices, err)
	}
	if r.store == nil {
		return nil, nil // a nil interface, not a nil *FileStore
	}
	return r.store, nil
}

// storeDir is the store's directory; "" without a store.
func (r *credentialRun) storeDir() string {
	if r.store == nil {
		return ""
	}
	return r.store.Dir()
}

// fresh returns the cache's credentials if they have --min-remaining
// left; else it fetches new ones, once. The cache refreshes ahead of
// expiry on its own windows (the last ten minutes of an hour), and the
// store may hold credentials another process fetched a while ago: either
// may have less left than the caller needs.
func (r *credentialRun) fresh(ctx context.Context) (aws.Credentials, error) {
	creds, err := r.cache.Retrieve(ctx)
	if err != nil || r.lasts(creds) {
		return creds, err
	}
	// Invalidate makes the next fetch skip the store's entries from
	// before it: a new AssumeRole (or session) of the last step only.
	r.cache.Invalidate()
	if creds, err = r.cache.Retrieve(ctx); err != nil || r.lasts(creds) {
		return creds, err
	}
	return aws.Credentials{}, failf(exitCredentials, "lower --min-remaining, or raise duration_seconds of the profile",
		"profile %s: new credentials expire at %s, in %v, less than --min-remaining %v",
		r.plan.Profile, creds.Expires.UTC().Format(time.RFC3339), time.Until(creds.Expires).Round(time.Second),
		r.flags.minRemaining)
}

func (r *credentialRun) lasts(c aws.Credentials) bool {
	return !c.CanExpire || time.Until(c.Expires) >= r.flags.minRemaining
}

// explain makes a failed fetch's error say why it failed when the
// deadline ended it, which the library's error alone cannot say.
func (r *credentialRun) explain(ctx context.Context, err error) error {
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) || r.timeout == 0 {
		return err
	}
	limit := fmt.Sprintf("%v (--timeout)", r.timeout)
	switch code := exitCodeOf(ctx, err, &r.w); code {
	case exitLockTimeout:
		keys, _ := r.cache.StoreKeys(context.WithoutCancel(ctx)) // known by now: the fetch made them
		what := chainNames(r.plan, keys)[r.w.lastLockKey()]
		if what == "" {
			what = "these credentials"
		}
		return failf(code, "try again when it is done; `xacct login "+r.plan.Profile+"` in a terminal "+
			"fetches them for every process", "another xacct process has been refreshing %s all along "+
			"(it may be waiting for an MFA code): gave up after %s", what, limit)
	case exitMFAImpossible:
		return &exitError{code: code, err: &mfaError{err: fmt.Errorf("no MFA code within %s", limit)},
			hint: "run `xacct login " + r.plan.Profile + "` in a terminal first: the programs after it get the " +
				"credentials without a code; or give a longer --timeout"}
	default:
		return failf(code, "", "no credentials within %s: %v", limit, err)
	}
}

// relay gives a failure of the chain's base the exit code of the xacct
// that ran as its credential_process, for the codes that mean the same at
// every depth: a configuration error (a recursion among them), no MFA
// code, a lock held too long. The xacct below has said why on stderr,
// which the SDK passes on.
func (r *credentialRun) relay(err error) error {
	var ee *exec.ExitError
	if r.plan.Base.Kind != awsprofile.KindProcess || !errors.As(err, &ee) {
		return err
	}
	switch code := ee.ExitCode(); code {
	case exitConfig, exitMFAImpossible, exitLockTimeout:
		if words, serr := splitCommand(r.plan.Base.Command); serr == nil && isXacct(words[0]) {
			return &exitError{code: code, err: err}
		}
	}
	return err
}

// isXacct reports whether program names this command: xacct, or the name
// this process runs under.
func isXacct(program string) bool {
	base := strings.TrimSuffix(filepath.Base(program), ".exe")
	return base == "xacct" || base == strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe")
}

// checkLifetime refuses a --min-remaining that the chain's last step can
// never meet: credentials fresh from STS have a little less left than the
// session's length.
func checkLifetime(p *xacct.ProfilePlan, min time.Duration) error {
	var (
		life time.Duration
		what string
	)
	switch {
	case len(p.Hops) > 0:
		h := p.Hops[len(p.Hops)-1]
		life = time.Duration(h.DurationSeconds) * time.Second
		what = fmt.Sprintf("hop %d (profile %s) lasts %v", h.Hop, h.Profile, life)
	case p.Base.MFASerial != "":
		life = time.Duration(p.Base.SessionSeconds) * time.Second
		what = fmt.Sprintf("the MFA session of profile %s lasts %v", p.Base.Profile, life)
	default:
		return nil // long-term keys, or a base whose lifetime only its answer tells
	}
	if min < life {
		return nil
	}
	return failf(exitConfig, "raise duration_seconds, or lower --min-remaining (below 15m, botocore asks for "+
		"credentials again on every call once they have less than 15 minutes left)",
		"--min-remaining %v cannot be met: %s, so its credentials never have %v left", min, what, min)
}

// chainNames names the store keys of a chain by their step. The keys come
// in the order of Cache.StoreKeys: the last hop's first, down to hop 1,
// then the MFA session, then the base when a Store keeps it (a web
// identity's session).
func chainNames(p *xacct.ProfilePlan, keys []string) map[string]string {
	var names []string
	for i := len(p.Hops) - 1; i >= 0; i-- {
		names = append(names, fmt.Sprintf("hop %d (%s)", p.Hops[i].Hop, p.Hops[i].RoleARN))
	}
	if p.Base.MFASerial != "" {
		names = append(names, "the MFA session of "+p.Base.MFASerial)
	}
	if p.Base.Kind == awsprofile.KindWebIdentity {
		names = append(names, "the web identity session of profile "+p.Base.Profile)
	}
	m := map[string]string{}
	for i, k := range keys {
		if i < len(names) {
			m[k] = names[i]
		}
	}
	return m
}
