package fanout

// The errors of a fan-out: of an account whose fn panicked, and of the
// report as a whole.

import (
	"fmt"
	"strings"

	"github.com/xacct/xacct/internal/recovered"
)

// ReportError is the error of a report (xacct.Report.Err): nil when no
// result has an error, and otherwise one that counts the failed and not
// run accounts (of len(results)) and quotes the first error. errors.Is
// and errors.As look into every account's error. outcome returns a
// result's error and its account's ID and name.
func ReportError[R any](results []R, outcome func(R) (id, name string, err error), failed, notRun int) error {
	e := &reportError{failed: failed, notRun: notRun, total: len(results)}
	for _, res := range results {
		id, name, err := outcome(res)
		if err == nil {
			continue
		}
		if e.errs == nil {
			e.first = accountName(id, name)
		}
		e.errs = append(e.errs, err)
	}
	if e.errs == nil {
		return nil
	}
	return e
}

// reportError is ReportError's error.
type reportError struct {
	errs                  []error
	first                 string // the account of errs[0]
	failed, notRun, total int
}

func (e *reportError) Error() string {
	var parts []string
	if e.failed > 0 {
		accounts := "accounts"
		if e.total == 1 {
			accounts = "account"
		}
		parts = append(parts, fmt.Sprintf("%d of %d %s failed", e.failed, e.total, accounts))
	}
	if e.notRun > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d not run", e.notRun, e.total))
	}
	first := e.errs[0].Error()
	if !strings.HasPrefix(first, "xacct: ") {
		first = "account " + e.first + ": " + first
	}
	return fmt.Sprintf("xacct: FanOut: %s; the first: %s", strings.Join(parts, ", "), first)
}

// Unwrap returns every account's error, for errors.Is and errors.As.
func (e *reportError) Unwrap() []error { return e.errs }

// accountName names an account in errors: its ID, and its name if known.
func accountName(id, name string) string {
	if name == "" {
		return id
	}
	return fmt.Sprintf("%s (%s)", id, name)
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
