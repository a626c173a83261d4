package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Principal is the caller, for trust policies.
type Principal struct {
	ARN     string // user ARN, or assumed-role session ARN (arn:aws:sts::<acct>:assumed-role/<role>/<session>)
	RoleARN string // for a role session: the role's IAM ARN
	Account string
	// Federated is the identity provider of a web identity caller: the
	// provider's ARN (arn:aws:iam::<acct>:oidc-provider/<host/path>). Such a
	// caller matches Federated principals only, never AWS ones.
	Federated string
}

// Request is what is asked of a policy.
type Request struct {
	Action   string            // such as "sts:AssumeRole"
	Resource string            // the resource ARN; identity policies only
	Caller   Principal         // trust policies only
	Context  map[string]string // canonical condition key → value; an absent key is missing from the request
}

// Effect is the outcome of an evaluation.
type Effect int

const (
	// ImplicitDeny: no statement allows.
	ImplicitDeny Effect = iota
	// Allow: a statement allows and none denies.
	Allow
	// ExplicitDeny: a statement denies; it wins over any Allow.
	ExplicitDeny
)

// String names the effect.
func (e Effect) String() string {
	return [...]string{"implicit deny", "allow", "explicit deny"}[e]
}

// Result is an evaluation's outcome with the reason, for logs.
type Result struct {
	Effect Effect
	// Specific is set on a trust policy's Allow when a statement named the
	// caller itself (its user, role or session ARN), not its account: within
	// one account, that alone grants access.
	Specific bool
	Reason   string
}

// Evaluate applies AWS's rule to the policies together: an explicit Deny in
// any statement wins, else an Allow in any statement allows, else the
// request is implicitly denied.
func Evaluate(req Request, policies ...*Policy) Result {
	var allowed, specific bool
	var misses []string
	for pi, p := range policies {
		for si, st := range p.Statements {
			where := fmt.Sprintf("%v %d statement %d", p.Kind, pi+1, si+1)
			if len(policies) == 1 {
				where = fmt.Sprintf("%v statement %d", p.Kind, si+1)
			}
			if st.Sid != "" {
				where += " (" + clip(st.Sid) + ")"
			}
			match, spec, why := st.matches(p.Kind, req)
			if !match {
				if st.Allow {
					misses = append(misses, where+": "+why)
				}
				continue
			}
			if !st.Allow {
				return Result{Effect: ExplicitDeny, Reason: where + " denies explicitly"}
			}
			allowed = true
			specific = specific || spec
		}
	}
	if allowed {
		return Result{Effect: Allow, Specific: specific}
	}
	if len(misses) == 0 {
		return Result{Effect: ImplicitDeny, Reason: "no statement allows it"}
	}
	return Result{Effect: ImplicitDeny, Reason: "no statement allows it: " + strings.Join(misses, "; ")}
}

// matches reports whether the statement applies to req, whether it named
// the caller specifically, and if not, why not.
func (st *Statement) matches(kind Kind, req Request) (bool, bool, string) {
	if anyMatch(st.Actions, req.Action, true) == st.NotAction {
		return false, false, fmt.Sprintf("action %s is not covered", req.Action)
	}
	specific := false
	switch kind {
	case Identity:
		if anyMatch(st.Resources, req.Resource, false) == st.NotRes {
			return false, false, fmt.Sprintf("resource %s is not covered", req.Resource)
		}
	case Trust:
		var ok bool
		if req.Caller.Federated != "" {
			if !slices.Contains(st.Federated, req.Caller.Federated) && !slices.Contains(st.Federated, "*") {
				return false, false, fmt.Sprintf("federated principal %s is not named", req.Caller.Federated)
			}
			specific = true
		} else if ok, specific = principalMatch(st.Principals, req.Caller); !ok {
			return false, false, fmt.Sprintf("principal %s is not named", req.Caller.ARN)
		}
	}
	for _, c := range st.Conditions {
		if ok, why := c.holds(req.Context); !ok {
			return false, false, why
		}
	}
	return true, specific, ""
}

// principalMatch reports whether the caller is among the principals, and
// whether it is named itself rather than through its account or "*".
func principalMatch(principals []string, c Principal) (match, specific bool) {
	for _, p := range principals {
		switch {
		case p == c.ARN || (c.RoleARN != "" && p == c.RoleARN):
			return true, true
		case p == "*" || p == c.Account || isRootOf(p, c.Account):
			match = true
		}
	}
	return match, false
}

func isRootOf(p, account string) bool {
	parts := strings.SplitN(p, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[4] == account && parts[5] == "root"
}

func anyMatch(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			if wildcard(strings.ToLower(p), strings.ToLower(s)) {
				return true
			}
		} else if wildcard(p, s) {
			return true
		}
	}
	return false
}

// holds evaluates the condition against the request context, with AWS's rule
// for a key missing from the request: ...IfExists operators and negated
// operators hold, positive operators do not; Null tests presence itself.
func (c *Condition) holds(ctx map[string]string) (bool, string) {
	v, present := ctx[c.Key]
	name := c.Op
	if c.IfExists {
		name += "IfExists"
	}
	if c.Op == "Null" {
		wantAbsent := strings.EqualFold(c.Values[0], "true")
		if wantAbsent == !present {
			return true, ""
		}
		return false, fmt.Sprintf("condition Null %s=%s fails: the key is %s", c.Key, c.Values[0], presence(present))
	}
	if !present {
		if c.IfExists || operators[c.Op] {
			return true, ""
		}
		return false, fmt.Sprintf("condition %s %s fails: the request has no %s", name, c.Key, c.Key)
	}
	any := false
	for _, want := range c.Values {
		if compare(c.Op, v, want) {
			any = true
			break
		}
	}
	if operators[c.Op] { // negated: holds when no value matches
		any = !any
	}
	if !any {
		return false, fmt.Sprintf("condition %s %s fails for the request's value", name, c.Key)
	}
	return true, ""
}

func presence(p bool) string {
	if p {
		return "present"
	}
	return "absent"
}

func compare(op, got, want string) bool {
	switch op {
	case "StringEquals", "StringNotEquals":
		return got == want
	case "StringLike", "StringNotLike":
		return wildcard(want, got)
	case "Bool":
		return strings.EqualFold(got, want)
	case "ArnEquals", "ArnLike":
		return arnLike(want, got)
	case "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan":
		g, err1 := strconv.ParseFloat(got, 64)
		w, err2 := strconv.ParseFloat(want, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		switch op {
		case "NumericLessThan":
			return g < w
		case "NumericLessThanEquals":
			return g <= w
		default:
			return g > w
		}
	}
	return false
}

// arnLike matches each of the six colon-separated parts of an ARN separately,
// with wildcards.
func arnLike(pattern, s string) bool {
	pp := strings.SplitN(pattern, ":", 6)
	sp := strings.SplitN(s, ":", 6)
	if len(pp) != 6 || len(sp) != 6 {
		return false
	}
	for i := range pp {
		if !wildcard(pp[i], sp[i]) {
			return false
		}
	}
	return true
}

// wildcard matches s against pattern, where * matches any run of characters
// and ? any one character.
func wildcard(pattern, s string) bool {
	// Iterative matcher with backtracking to the last star: linear in
	// practice, and no recursion for hostile patterns.
	p, i := []rune(pattern), []rune(s)
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(i) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == i[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
