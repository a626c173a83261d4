package main

// --duration: the length of the session of a chain's last hop (its
// AssumeRole's DurationSeconds), in place of the profile's
// duration_seconds. It is part of the hop's store key, as
// duration_seconds is: credentials of one length never stand in for
// another's.

import (
	"context"
	"flag"
	"time"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/validate"
)

const durationFlagSummary = "the session length of the chain's last hop (its role), in place of the profile's " +
	"duration_seconds: 15m to 12h, 1h at most when that role is assumed with a session's credentials " +
	"(role chaining), and at most the role's maximum session duration"

func (f *profileFlags) addDuration(fs *flag.FlagSet) {
	fs.DurationVar(&f.duration, "duration", 0, durationFlagSummary)
}

// checkDuration checks --duration by STS's rules that need no profile.
func (f *profileFlags) checkDuration() error {
	d := f.duration
	switch {
	case d == 0:
		return nil
	case d%time.Second != 0:
		return failf(exitConfig, "", "--duration %v is not a whole number of seconds: STS takes DurationSeconds", d)
	case d < validate.MinDuration || d > validate.MaxDuration:
		return failf(exitConfig, "", "--duration %v is outside STS's range for a role session: 15m to 12h", d)
	}
	return nil
}

// withDuration returns plan with --duration as its last hop's length,
// made anew by PlanProfile; plan itself when the flag is not set. A chain
// without a hop, and a chained last hop given more than an hour, are
// refused, naming the flag and the rule.
func (r *credentialRun) withDuration(ctx context.Context, plan *xacct.ProfilePlan) (*xacct.ProfilePlan, error) {
	d := r.flags.duration
	if d == 0 {
		return plan, nil
	}
	if len(plan.Hops) == 0 {
		return nil, failf(exitConfig, "give --duration to a profile with role_arn, or leave it out",
			"--duration %v: profile %s assumes no role (its credentials are its %s base), so it has no "+
				"last hop whose session length to set", d, plan.Profile, plan.Base.Kind)
	}
	// Planned anew: the length can change the chain (a role on a shared
	// MFA session keeps its own prompt, unchained, to last over an hour).
	longer, err := xacct.PlanProfile(ctx, r.flags.profile, func(o *xacct.Options) { o.LastHopDuration = d })
	if err == nil {
		return longer, nil
	}
	if last := plan.Hops[len(plan.Hops)-1]; last.Chaining && d > validate.MaxChainingDuration {
		return nil, failf(exitConfig, "give --duration 1h or less",
			"--duration %v: the last hop (profile %s, %s) is role chaining, assumed with the credentials of a "+
				"session, and STS caps role-chaining sessions at 1h", d, last.Profile, last.RoleARN)
	}
	return nil, &exitError{code: exitConfig, err: err}
}
