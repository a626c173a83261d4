package fanout

// The options' rules and defaults, and the role ARN of each account.

import (
	"fmt"
	"math"
	"strings"

	"github.com/xacct/xacct/internal/validate"
)

// resolve checks job's options and returns them with the defaults filled
// in. Its errors name the field of xacct.FanOutOptions, the value's
// problem and the rule.
func resolve[A, R any](job Job[A, R]) (Options, error) {
	o, d := job.Options, job.Defaults
	bad := func(format string, args ...any) (Options, error) {
		return Options{}, fmt.Errorf("xacct: FanOut: "+format, args...)
	}
	switch {
	case job.Fn == nil:
		return bad("fn is nil: FanOut needs a function to run in each account")
	case o.RoleName == "" && job.RoleARN == nil:
		return bad("FanOutOptions has no role: set RoleName (such as \"OrganizationAccountAccessRole\") or RoleARN")
	case o.RoleName != "" && job.RoleARN != nil:
		return bad("FanOutOptions sets both RoleName %q and RoleARN: set one", o.RoleName)
	case strings.Contains(o.RoleName, "/"):
		return bad("FanOutOptions.RoleName %q contains \"/\": a name has no path; for a role with a path, set RoleARN", o.RoleName)
	case o.Concurrency < 0:
		return bad("FanOutOptions.Concurrency %d is negative: want at least 1, or 0 for %d", o.Concurrency, d.Concurrency)
	case o.STSRate < 0 || math.IsNaN(o.STSRate) || math.IsInf(o.STSRate, 0):
		return bad("FanOutOptions.STSRate %g: want STS calls per second above 0, or 0 for %g", o.STSRate, d.STSRate)
	case o.STSBurst < 0:
		return bad("FanOutOptions.STSBurst %d is negative: want at least 1, or 0 for %d", o.STSBurst, d.STSBurst)
	case o.ThrottleBackoff < 0:
		return bad("FanOutOptions.ThrottleBackoff %v is negative: want a duration above 0, or 0 for %v",
			o.ThrottleBackoff, d.ThrottleBackoff)
	}
	if o.RoleName != "" {
		if err := validate.IAMName("RoleName", o.RoleName); err != nil {
			return bad("FanOutOptions.%v", err)
		}
	}
	orDefault(&o.Concurrency, d.Concurrency)
	orDefault(&o.STSRate, d.STSRate)
	orDefault(&o.STSBurst, d.STSBurst)
	orDefault(&o.ThrottleBackoff, d.ThrottleBackoff)
	switch {
	case o.ThrottleRetries == 0:
		o.ThrottleRetries = d.ThrottleRetries
	case o.ThrottleRetries < 0:
		o.ThrottleRetries = 0 // negative: none
	}
	return o, nil
}

// orDefault sets *v to d when it is zero.
func orDefault[T comparable](v *T, d T) {
	var zero T
	if *v == zero {
		*v = d
	}
}

// roleARN is the role to assume in account a.
func (r *run[A, R]) roleARN(a A) string {
	if r.job.RoleARN != nil {
		return r.job.RoleARN(a)
	}
	id, _ := r.job.Identify(a)
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", r.partition, id, r.o.RoleName)
}
