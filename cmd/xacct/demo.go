package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/xaccttest"
)

//go:embed demo.json
var demoScenario []byte

const (
	roleB      = "arn:aws:iam::222222222222:role/CrossAccountRole"
	roleGlass  = "arn:aws:iam::222222222222:role/BreakGlass"
	roleC      = "arn:aws:iam::333333333333:role/ci/Deploy"
	jenkinsMFA = "arn:aws:iam::111111111111:mfa/jenkins"
)

func init() {
	register(command{
		name:    "demo",
		summary: "walk through cross-account access, step by step, against an in-process fake STS",
		run:     runDemo,
	})
}

const demoUsage = `usage: xacct demo [--readers N] [--hours H]

Walks through cross-account access step by step, against a fake STS in
this process: no AWS account is needed, and nothing leaves the machine.

`

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("xacct demo", stderr, demoUsage)
	readers := fs.Int("readers", 200, "goroutines reading credentials in the cache step")
	hours := fs.Int("hours", 3, "simulated hours in the cache step")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if *readers < 1 || *hours < 1 || *hours > 48 {
		fmt.Fprintln(stderr, "xacct demo: --readers must be at least 1 and --hours from 1 to 48")
		return 2
	}
	// The demo's profiles name its own fake (endpoint_url); an endpoint of
	// the environment, which the SDKs put before the files, would send
	// them elsewhere.
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "AWS_ENDPOINT_URL") {
			os.Unsetenv(name)
		}
	}
	if err := demo(ctx, stdout, *readers, *hours); err != nil {
		fmt.Fprintf(stderr, "xacct demo: %v\n", err)
		return 1
	}
	return 0
}

// demoRun is one run of the demo: the fake, the caller's config, and the
// step being shown.
type demoRun struct {
	ctx   context.Context
	w     io.Writer
	srv   *xaccttest.Server
	sc    *xaccttest.Scenario
	cfg   aws.Config // jenkins' in account A
	clock func(*xacct.Options)
	step  int
}

func (d *demoRun) p(format string, args ...any) { fmt.Fprintf(d.w, format+"\n", args...) }

func (d *demoRun) heading(s string) {
	d.step++
	d.p("")
	d.p("%d. %s", d.step, s)
}

// demo walks through the cross-account story against an in-process fake.
func demo(ctx context.Context, w io.Writer, readers, hours int) error {
	sc, err := xaccttest.LoadScenario(bytes.NewReader(demoScenario))
	if err != nil {
		return err
	}
	srv, err := xaccttest.NewServerWithScenario(sc)
	if err != nil {
		return err
	}
	defer srv.Close()
	cfg, err := srv.UserConfig("111111111111", "jenkins")
	if err != nil {
		return err
	}
	d := &demoRun{ctx: ctx, w: w, srv: srv, sc: sc, cfg: cfg, clock: func(o *xacct.Options) { o.Now = srv.Clock.Now }}
	d.setup()
	if err := d.externalID(); err != nil {
		return err
	}
	if err := d.mfa(); err != nil {
		return err
	}
	events := &refreshLog{}
	chain, err := d.chain(events)
	if err != nil {
		return err
	}
	d.heading(fmt.Sprintf("The cache: %d goroutines read the chain's credentials for %d simulated hours", readers, hours))
	if err := cacheDemo(ctx, w, srv, chain, events, readers, hours); err != nil {
		return err
	}
	if err := toolsDemo(ctx, w, srv, d.heading); err != nil {
		return err
	}
	d.p("")
	d.p("Done. The fake STS here is package xaccttest; 'xacct fake-sts --config FILE' serves it to any SDK or the AWS CLI.")
	return nil
}

// setup shows the two accounts' policies.
func (d *demoRun) setup() {
	d.p("xacct demo: cross-account access against a fake STS at %s (no AWS account needed)", d.srv.URL)
	d.p("")
	d.p("The setup. Account A (111111111111) has a user, jenkins, with access keys. Its own policy lets it")
	d.p("call sts:AssumeRole on a role in account B:")
	printPolicy(d.w, d.sc.Accounts["111111111111"].Users["jenkins"].Policies[0])
	d.p("Account B (222222222222) has the role CrossAccountRole. Its trust policy says who may assume it:")
	d.p("anyone in account A whose own policy allows it, if they pass the External ID ext-123:")
	printPolicy(d.w, d.sc.Accounts["222222222222"].Roles["CrossAccountRole"].Trust)
}

// externalID assumes CrossAccountRole with a wrong External ID, then the
// right one.
func (d *demoRun) externalID() error {
	d.heading("Assume CrossAccountRole with the wrong External ID")
	d.p("   xacct.AssumeRole(cfg, xacct.Role{ARN: %q, ExternalID: \"wrong-id\"})", roleB)
	wrong, err := xacct.AssumeRole(d.cfg, xacct.Role{ARN: roleB, ExternalID: "wrong-id", SessionName: "xacct-demo"}, d.clock)
	if err != nil {
		return err
	}
	if _, err := wrong.Retrieve(d.ctx); err == nil {
		return errors.New("the wrong External ID was accepted")
	} else {
		printError(d.w, err)
	}
	d.heading("Assume it with the right External ID")
	b, err := xacct.AssumeRole(d.cfg, xacct.Role{ARN: roleB, ExternalID: "ext-123", SessionName: "xacct-demo"}, d.clock)
	if err != nil {
		return err
	}
	arn, err := whoAmI(d.ctx, d.cfg, b)
	if err != nil {
		return err
	}
	d.p("   accepted: the program now acts as %s", arn)
	return nil
}

// mfa assumes BreakGlass without a code, then with one.
func (d *demoRun) mfa() error {
	d.heading("Assume BreakGlass, whose trust policy demands MFA (aws:MultiFactorAuthPresent)")
	d.p("   without a code:")
	noMFA, err := xacct.AssumeRole(d.cfg, xacct.Role{ARN: roleGlass, SessionName: "xacct-demo"}, d.clock)
	if err != nil {
		return err
	}
	if _, err := noMFA.Retrieve(d.ctx); err == nil {
		return errors.New("BreakGlass was assumed without MFA")
	} else {
		printError(d.w, err)
	}
	d.p("   with Role.MFASerial %s and a TokenFunc:", jenkinsMFA)
	device := d.srv.TokenFunc()
	glass, err := xacct.AssumeRole(d.cfg, xacct.Role{ARN: roleGlass, MFASerial: jenkinsMFA, SessionName: "xacct-demo"},
		d.clock, func(o *xacct.Options) {
			o.MFA = func(ctx context.Context, req xacct.TokenRequest) (string, error) {
				d.p("   the TokenFunc is asked for a code of %s for %s;", req.SerialNumber, req.RoleARN)
				d.p("   it answers with the virtual device's current TOTP code (never printed)")
				return device(ctx, req)
			}
		})
	if err != nil {
		return err
	}
	arn, err := whoAmI(d.ctx, d.cfg, glass)
	if err != nil {
		return err
	}
	d.p("   accepted: %s", arn)
	return nil
}

// chain builds A -> B -> C, with its refreshes logged in events.
func (d *demoRun) chain(events *refreshLog) (*xacct.Cache, error) {
	d.heading("A chain A -> B -> C: CrossAccountRole, then Deploy in account C (333333333333)")
	d.p("   Deploy trusts only CrossAccountRole. The second hop is role chaining, capped at 1h; here it asks for 30m.")
	d.p("   xacct.Chain(cfg, []xacct.Role{{ARN: %q, ExternalID: \"ext-123\"},", roleB)
	d.p("                               {ARN: %q, Duration: 30 * time.Minute}})", roleC)
	chain, err := xacct.Chain(d.cfg, []xacct.Role{
		{ARN: roleB, ExternalID: "ext-123", SessionName: "xacct-demo"},
		{ARN: roleC, SessionName: "xacct-demo", Duration: 30 * time.Minute},
	}, d.clock, func(o *xacct.Options) { o.OnRefresh = events.add })
	if err != nil {
		return nil, err
	}
	arn, err := whoAmI(d.ctx, d.cfg, chain)
	if err != nil {
		return nil, err
	}
	d.p("   GetCallerIdentity with the chain's credentials: %s", arn)
	d.p("   A 2h session on the second hop fails before any network call:")
	if _, err := xacct.Chain(d.cfg, []xacct.Role{{ARN: roleB, ExternalID: "ext-123"}, {ARN: roleC, Duration: 2 * time.Hour}}); err != nil {
		d.p("   %v", err)
	}
	return chain, nil
}

// readStats is what the readers of the cache step saw.
type readStats struct {
	reads, failures, expired atomic.Int64
	slowest                  atomic.Int64 // nanoseconds
}

// cacheDemo reads the chain's credentials from many goroutines, minute by
// simulated minute, and reports each refresh and what the readers saw.
func cacheDemo(ctx context.Context, w io.Writer, srv *xaccttest.Server, chain *xacct.Cache, events *refreshLog,
	readers, hours int) error {
	start := srv.Clock.Now()
	lastExpiry := map[int]time.Time{} // of each hop's current session
	for _, ev := range events.all() {
		lastExpiry[ev.Hop] = ev.Expires
	}
	events.reset()
	var st readStats
	for minute := 0; minute <= hours*60; minute++ {
		st.readMinute(ctx, chain, srv.Clock.Now(), readers)
		// Simulated minutes pass in microseconds: let a background refresh
		// started in this one finish before the next, as it would in real
		// time. A refresh reaches the fake within a few milliseconds of the
		// read that started it; a server never quiet for 2s is a bug.
		if err := waitIdle(ctx, srv); err != nil {
			return err
		}
		srv.Clock.Advance(time.Minute)
	}
	reportRefreshes(w, events.all(), start, lastExpiry)
	fmt.Fprintf(w, "   %s reads over %v of simulated time: %d errors, %d expired credentials, slowest read %v\n",
		thousands(st.reads.Load()), srv.Clock.Now().Sub(start).Round(time.Hour), st.failures.Load(), st.expired.Load(),
		time.Duration(st.slowest.Load()).Round(10*time.Microsecond))
	byHop := map[int]int{}
	for _, ev := range events.all() {
		byHop[ev.Hop]++
	}
	fmt.Fprintf(w, "   STS AssumeRole calls: %d for hop 1, %d for hop 2: one per session, each hop on its own schedule\n",
		byHop[1], byHop[2])
	return nil
}

// readMinute has readers goroutines read the chain ten times each, at now.
func (st *readStats) readMinute(ctx context.Context, chain *xacct.Cache, now time.Time, readers int) {
	var wg sync.WaitGroup
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				t0 := time.Now()
				cr, err := chain.Retrieve(ctx)
				d := int64(time.Since(t0))
				st.reads.Add(1)
				switch {
				case err != nil:
					st.failures.Add(1)
				case !now.Before(cr.Expires):
					st.expired.Add(1)
				}
				for old := st.slowest.Load(); d > old && !st.slowest.CompareAndSwap(old, d); old = st.slowest.Load() {
				}
			}
		}()
	}
	wg.Wait()
}

// reportRefreshes prints each refresh of the cache step: when, which hop,
// whether a reader waited, and until when the new session lasts.
func reportRefreshes(w io.Writer, events []xacct.RefreshEvent, start time.Time, lastExpiry map[int]time.Time) {
	for _, ev := range events {
		how := "in the background; no reader waited"
		if !ev.Background {
			how = "while readers waited"
		}
		if ev.Err != nil {
			how = "and failed: " + ev.Err.Error()
		}
		if prev := lastExpiry[ev.Hop]; !prev.IsZero() && !ev.At.Before(prev) {
			how = fmt.Sprintf("when hop %d next needed it (its session had ended unused at t+%s), %s",
				ev.Hop+1, clockOffset(int(prev.Sub(start)/time.Minute)), how)
		}
		fmt.Fprintf(w, "   t+%s  hop %d (%s) refreshed %s; new session until t+%s\n",
			clockOffset(int(ev.At.Sub(start)/time.Minute)), ev.Hop, roleName(ev.Name), how,
			clockOffset(int(ev.Expires.Sub(start)/time.Minute)))
		if ev.Err == nil {
			lastExpiry[ev.Hop] = ev.Expires
		}
	}
}

// waitIdle waits until the fake has been quiet for a few milliseconds.
func waitIdle(ctx context.Context, srv *xaccttest.Server) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := srv.WaitIdle(ctx, 3*time.Millisecond); err != nil {
		return fmt.Errorf("waiting for the fake STS to be idle: %w", err)
	}
	return nil
}

// refreshLog collects Options.OnRefresh events.
type refreshLog struct {
	mu     sync.Mutex // guards events
	events []xacct.RefreshEvent
}

func (l *refreshLog) add(ev xacct.RefreshEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, ev)
}

func (l *refreshLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = nil
}

func (l *refreshLog) all() []xacct.RefreshEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]xacct.RefreshEvent(nil), l.events...)
}

func roleName(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

func clockOffset(minute int) string { return fmt.Sprintf("%d:%02d", minute/60, minute%60) }

func thousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func whoAmI(ctx context.Context, cfg aws.Config, creds aws.CredentialsProvider) (string, error) {
	cfg.Credentials = creds
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Arn), nil
}

func printPolicy(w io.Writer, doc json.RawMessage) {
	var buf bytes.Buffer
	if err := json.Indent(&buf, doc, "      ", "  "); err != nil {
		buf.Reset()
		buf.Write(doc)
	}
	fmt.Fprintf(w, "      %s\n", buf.String())
}

// printError shows an xacct error as the hop, the STS error and the hint.
func printError(w io.Writer, err error) {
	var he *xacct.HopError
	if !errors.As(err, &he) {
		fmt.Fprintf(w, "   refused: %v\n", err)
		return
	}
	fmt.Fprintf(w, "   refused: hop %d (%s): %v\n", he.Hop, he.RoleARN, he.Err)
	if he.Hint != "" {
		fmt.Fprintf(w, "   xacct's hint: %s\n", he.Hint)
	}
}
