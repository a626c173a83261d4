package xacct

// What a fan-out reports: each account's Result, the Report of the whole
// fan-out, and their errors.

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xacct/xacct/internal/recovered"
	"github.com/xacct/xacct/internal/stsrate"
)

// ErrNotRun is wrapped by the Result.Err of an account whose turn never
// came: the fan-out's context ended first. errors.Is finds the context's
// error in it too.
var ErrNotRun = errors.New("not run")

// Result is the outcome of one account of a fan-out.
type Result struct {
	Account Account

	// Err is nil on success. Otherwise: a *HopError when the role could
	// not be assumed (with a hint for AccessDenied and the like); fn's
	// error; the error of a panic in fn (its type, and where it happened);
	// or, for an account not run, an error wrapping ErrNotRun and the
	// context's error.
	Err error

	// Ran reports whether fn was called: the role was assumed.
	Ran bool

	// Attempts counts the HTTP attempts of this account's STS calls: the
	// first AssumeRole, the refreshes while fn ran, and their retries.
	Attempts int
	// Throttled counts the Attempts that STS answered with Throttling.
	Throttled int
	// Sessions counts the sessions assumed: one, and one per refresh.
	Sessions int

	// Started is when the account's turn came; zero when it did not.
	Started time.Time
	// Took is the time from Started to fn's return (or to the failure to
	// assume the role): the assume and fn.
	Took time.Duration
}

// Report is the outcome of a fan-out.
type Report struct {
	// Results has one Result per account, in the order given to FanOut.
	Results []Result

	Succeeded int // accounts whose fn returned nil
	Failed    int // accounts whose role or fn failed
	NotRun    int // accounts whose turn never came

	STSAttempts int           // HTTP attempts to STS of the whole fan-out
	Throttled   int           // of those, answered with Throttling
	Took        time.Duration // from FanOut's call to its return
}

// Err returns nil when every account succeeded, and otherwise an error
// that counts the failures and quotes the first. errors.Is and errors.As
// look into every account's error.
func (r *Report) Err() error {
	var errs []error
	var first *Result
	for i := range r.Results {
		if err := r.Results[i].Err; err != nil {
			errs = append(errs, err)
			if first == nil {
				first = &r.Results[i]
			}
		}
	}
	if first == nil {
		return nil
	}
	return &reportError{errs: errs, first: first, failed: r.Failed, notRun: r.NotRun, total: len(r.Results)}
}

// newReport returns the Report of a fan-out over accounts, before it runs.
func newReport(accounts []Account) *Report {
	rep := &Report{Results: make([]Result, len(accounts))}
	for i, a := range accounts {
		rep.Results[i].Account = a
	}
	return rep
}

// failAll fails every account with err, the error of bad options.
func (r *Report) failAll(err error) {
	for i := range r.Results {
		r.Results[i].Err = err
	}
	r.Failed = len(r.Results)
}

// count tallies the Results once every account has one, and takes the
// STS figures of the fan-out's rate.
func (r *Report) count(rate *stsrate.Rate) {
	for _, res := range r.Results {
		switch {
		case res.Err == nil:
			r.Succeeded++
		case errors.Is(res.Err, ErrNotRun):
			r.NotRun++
		default:
			r.Failed++
		}
	}
	r.STSAttempts = rate.Attempts()
	r.Throttled = rate.Throttled()
}

// accountName names an account in errors: its ID, and its name if known.
func accountName(a Account) string {
	if a.Name == "" {
		return a.ID
	}
	return fmt.Sprintf("%s (%s)", a.ID, a.Name)
}

// fnPanicError is an account's error when its fn panicked. It keeps what
// recovered keeps of the panic (the value's type, the message of a runtime
// error, and where it happened), but not the value itself: it could hold
// anything, credentials included.
type fnPanicError struct {
	account string
	p       *recovered.Panic
}

func (e *fnPanicError) Error() string {
	s := fmt.Sprintf("xacct: FanOut: fn panicked in account %s (value of type %s", e.account, e.p.ValueType)
	if e.p.Runtime != "" {
		s += ": " + e.p.Runtime
	}
	s += ")"
	if e.p.Where != "" {
		s += " at " + e.p.Where
	}
	return s
}

// reportError is Report.Err's error.
type reportError struct {
	errs                  []error
	first                 *Result
	failed, notRun, total int
}

func (e *reportError) Error() string {
	var parts []string
	if e.failed > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d %s failed", e.failed, e.total, plural(e.total, "account", "accounts")))
	}
	if e.notRun > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d not run", e.notRun, e.total))
	}
	first := errorText(e.first.Err)
	if !strings.HasPrefix(first, "xacct: ") {
		first = "account " + accountName(e.first.Account) + ": " + first
	}
	return fmt.Sprintf("xacct: FanOut: %s; the first: %s", strings.Join(parts, ", "), first)
}

// Unwrap returns every account's error, for errors.Is and errors.As.
func (e *reportError) Unwrap() []error { return e.errs }
