package fanout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/xacct/xacct/internal/stsrate"
)

var errNotRun = errors.New("not run")

var defaults = Options{Concurrency: 16, STSRate: 10, STSBurst: 1, ThrottleRetries: 8, ThrottleBackoff: 250 * time.Millisecond}

// fakeSTS answers AssumeRole at once, Throttling to the first throttle
// calls, and counts the calls.
type fakeSTS struct {
	calls    atomic.Int64
	throttle int64
}

func (f *fakeSTS) AssumeRole(context.Context, *sts.AssumeRoleInput, ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	if f.calls.Add(1) <= f.throttle {
		return nil, &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
	}
	return &sts.AssumeRoleOutput{}, nil
}

func (f *fakeSTS) GetSessionToken(context.Context, *sts.GetSessionTokenInput, ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error) {
	return &sts.GetSessionTokenOutput{}, nil
}

type account struct{ id, name string }

type result struct {
	a   account
	out Outcome
}

func accountsOf(n int) []account {
	out := make([]account, n)
	for i := range out {
		out[i] = account{id: fmt.Sprint(100000000000 + i), name: fmt.Sprint("acct-", i)}
	}
	return out
}

// world is a fan-out's fake STS and what its Job saw.
type world struct {
	sts        fakeSTS
	newClients atomic.Int64 // NewSTSClient calls
	roles      sync.Map     // role ARN -> true, of every Assume
}

// job is a fan-out whose Assume makes one AssumeRole through the
// fan-out's client, and whose fn does nothing.
func (w *world) job() Job[account, result] {
	return Job[account, result]{
		Options:  Options{RoleName: "Admin", STSRate: 1e6, ThrottleBackoff: time.Microsecond},
		Defaults: defaults,
		Config:   aws.Config{Region: "us-east-1"},
		Fn:       func(context.Context, account, aws.Config) error { return nil },
		Identify: func(a account) (string, string) { return a.id, a.name },
		NewSTSClient: func(aws.Config) stsrate.Client {
			w.newClients.Add(1)
			return &w.sts
		},
		Assume: func(arn string, cfg aws.Config, clients Clients) (aws.CredentialsProvider, error) {
			w.roles.Store(arn, true)
			if _, err := clients.For(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{}); err != nil {
				return nil, err
			}
			return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret-key"}, nil
			}), nil
		},
		Result: func(a account, out Outcome) result { return result{a, out} },
		NotRun: errNotRun,
	}
}

// Many accounts, many workers: one STS client for the fan-out, one
// session per account, every Throttling answer retried, every account's
// role by its ID, and OnResult called once per account, never two at once.
func TestRunMany(t *testing.T) {
	t.Parallel()
	const n, throttled = 300, 7
	w := &world{}
	w.sts.throttle = throttled
	j := w.job()
	j.Options.Concurrency = 12
	var onResult, inFlight, most atomic.Int64
	j.OnResult = func(result) {
		onResult.Add(1)
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		time.Sleep(10 * time.Microsecond)
	}
	var fnCalls atomic.Int64
	j.Fn = func(_ context.Context, _ account, cfg aws.Config) error {
		fnCalls.Add(1)
		if c, err := cfg.Credentials.Retrieve(context.Background()); err != nil || c.AccessKeyID != "AKID" {
			return fmt.Errorf("fn's credentials: %v", err)
		}
		return nil
	}
	s := Run(context.Background(), accountsOf(n), j)
	if s.Succeeded != n || s.Failed != 0 || s.NotRun != 0 {
		t.Fatalf("succeeded %d, failed %d, not run %d; want %d, 0, 0", s.Succeeded, s.Failed, s.NotRun, n)
	}
	if got := w.newClients.Load(); got != 1 {
		t.Errorf("NewSTSClient called %d times, want 1", got)
	}
	if got := w.sts.calls.Load(); got != n+throttled {
		t.Errorf("%d STS calls, want %d (one per account and the throttled retries)", got, n+throttled)
	}
	if fnCalls.Load() != n || onResult.Load() != n || most.Load() != 1 {
		t.Errorf("fn %d calls, OnResult %d calls, at most %d at once; want %d, %d, 1", fnCalls.Load(), onResult.Load(), most.Load(), n, n)
	}
	for i, r := range s.Results {
		want := "arn:aws:iam::" + accountsOf(n)[i].id + ":role/Admin"
		if _, ok := w.roles.Load(want); !ok || r.a != accountsOf(n)[i] || !r.out.Ran || r.out.Sessions != 1 || r.out.Started.IsZero() {
			t.Fatalf("result %d: %+v; want account %v run in %s with one session", i, r, accountsOf(n)[i], want)
		}
	}
}

// A panic in fn or in OnResult fails that account only, with an error
// that names the panic's type and keeps nothing of its value.
func TestRunPanics(t *testing.T) {
	t.Parallel()
	const n = 40
	w := &world{}
	j := w.job()
	j.Fn = func(_ context.Context, a account, _ aws.Config) error {
		if a.name == "acct-3" {
			panic("fn holds secret-key")
		}
		return nil
	}
	var calls atomic.Int64
	j.OnResult = func(r result) {
		calls.Add(1)
		if r.a.name == "acct-5" {
			panic(errors.New("OnResult holds secret-key"))
		}
	}
	s := Run(context.Background(), accountsOf(n), j)
	if s.Succeeded != n-2 || s.Failed != 2 || calls.Load() != n {
		t.Fatalf("succeeded %d, failed %d, OnResult %d calls; want %d, 2, %d", s.Succeeded, s.Failed, calls.Load(), n-2, n)
	}
	for i, want := range map[int]string{
		3: "xacct: FanOut: fn panicked in account 100000000003 (acct-3) (value of type string) at ",
		5: "xacct: FanOut: OnResult panicked (value of type *errors.errorString)",
	} {
		err := s.Results[i].out.Err
		if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "secret") || !s.Results[i].out.Ran {
			t.Errorf("account %d: %v; want a run account failed with %q and no secret", i, err, want)
		}
	}
}

// Once ctx has ended no account starts: each is reported not run, with
// an error wrapping NotRun and the context's cause, and no STS call.
func TestRunNotRun(t *testing.T) {
	t.Parallel()
	w := &world{}
	j := w.job()
	var calls atomic.Int64
	j.OnResult = func(result) { calls.Add(1) }
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("deploy window closed")
	cancel(cause)
	s := Run(ctx, accountsOf(20), j)
	if s.NotRun != 20 || s.Failed != 0 || calls.Load() != 20 || w.sts.calls.Load() != 0 || w.newClients.Load() != 0 {
		t.Fatalf("not run %d, failed %d, OnResult %d, STS calls %d, clients %d; want 20, 0, 20, 0, 0",
			s.NotRun, s.Failed, calls.Load(), w.sts.calls.Load(), w.newClients.Load())
	}
	err := s.Results[2].out.Err
	want := "xacct: FanOut: account 100000000002 (acct-2): not run: the context ended before its turn: deploy window closed"
	if !errors.Is(err, errNotRun) || !errors.Is(err, cause) || err.Error() != want || s.Results[2].out.Ran {
		t.Errorf("%v; want %q", err, want)
	}
}

// The options' rules: zero takes the default, a negative ThrottleRetries
// none, values given are kept; a bad option fails every account alike.
func TestResolve(t *testing.T) {
	t.Parallel()
	w := &world{}
	for _, tt := range []struct {
		name string
		set  func(*Job[account, result])
		want Options
		err  string
	}{
		{"zeros take the defaults", func(j *Job[account, result]) { j.Options = Options{RoleName: "R"} },
			Options{RoleName: "R", Concurrency: 16, STSRate: 10, STSBurst: 1, ThrottleRetries: 8, ThrottleBackoff: 250 * time.Millisecond}, ""},
		{"values given are kept", func(j *Job[account, result]) {
			j.Options = Options{RoleName: "R", Concurrency: 3, STSRate: 2.5, STSBurst: 4, ThrottleRetries: 2, ThrottleBackoff: time.Second}
		}, Options{RoleName: "R", Concurrency: 3, STSRate: 2.5, STSBurst: 4, ThrottleRetries: 2, ThrottleBackoff: time.Second}, ""},
		{"negative retries: none", func(j *Job[account, result]) { j.Options = Options{RoleName: "R", ThrottleRetries: -1} },
			Options{RoleName: "R", Concurrency: 16, STSRate: 10, STSBurst: 1, ThrottleRetries: 0, ThrottleBackoff: 250 * time.Millisecond}, ""},
		{"RoleARN instead of RoleName", func(j *Job[account, result]) {
			j.Options = Options{}
			j.RoleARN = func(account) string { return "" }
		}, Options{Concurrency: 16, STSRate: 10, STSBurst: 1, ThrottleRetries: 8, ThrottleBackoff: 250 * time.Millisecond}, ""},
		{"the default named in an error", func(j *Job[account, result]) { j.Options.Concurrency = -2 }, Options{},
			"xacct: FanOut: FanOutOptions.Concurrency -2 is negative: want at least 1, or 0 for 16"},
		{"an IAM name", func(j *Job[account, result]) { j.Options.RoleName = strings.Repeat("a", 65) }, Options{}, "RoleName"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			j := w.job()
			tt.set(&j)
			got, err := resolve(j)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("%v; want %q", err, tt.err)
				}
				s := Run(context.Background(), accountsOf(3), j)
				if s.Failed != 3 || s.Results[2].out.Err == nil || s.Results[2].out.Err.Error() != err.Error() {
					t.Errorf("Run: failed %d, %v; want 3, %v", s.Failed, s.Results[2].out.Err, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("%+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	if w.sts.calls.Load() != 0 {
		t.Errorf("%d STS calls for bad options, want 0", w.sts.calls.Load())
	}
}

// ReportError: nil without errors; otherwise the counts and the first
// error, named by its account when it does not say xacct's prefix.
func TestReportError(t *testing.T) {
	t.Parallel()
	outcome := func(r result) (string, string, error) { return r.a.id, r.a.name, r.out.Err }
	if err := ReportError([]result{{}, {}}, outcome, 0, 0); err != nil {
		t.Errorf("no errors: %v", err)
	}
	boom := errors.New("boom")
	for _, tt := range []struct {
		name           string
		results        []result
		failed, notRun int
		want           string
	}{
		{"one account", []result{{account{"111111111111", ""}, Outcome{Err: boom}}}, 1, 0,
			"xacct: FanOut: 1 of 1 account failed; the first: account 111111111111: boom"},
		{"the first, by name", []result{{}, {account{"111111111111", "web"}, Outcome{Err: boom}}, {account{"2", ""}, Outcome{Err: errNotRun}}}, 1, 1,
			"xacct: FanOut: 1 of 3 accounts failed, 1 of 3 not run; the first: account 111111111111 (web): boom"},
		{"xacct's errors say their account", []result{{account{"1", ""}, Outcome{Err: errors.New("xacct: hop 1: no")}}}, 1, 0,
			"xacct: FanOut: 1 of 1 account failed; the first: xacct: hop 1: no"},
	} {
		err := ReportError(tt.results, outcome, tt.failed, tt.notRun)
		if err == nil || err.Error() != tt.want || !errors.Is(err, tt.results[len(tt.results)-1].out.Err) {
			t.Errorf("%s: %v; want %q, wrapping every error", tt.name, err, tt.want)
		}
	}
}
