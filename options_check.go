package xacct

import "fmt"

// An Options field set for a function that cannot use it is an error
// naming the field, never silently ignored: one Options type serves every
// constructor (as the SDK's option functions do), and a caller who sets
// ConfigFiles for AssumeRole, say, expects an effect that would never come.

// optionField is one Options field that only some functions use.
type optionField struct {
	name  string
	set   func(*Options) bool
	where string // which functions use it, for the error
}

var (
	optConfigFiles = optionField{"ConfigFiles", func(o *Options) bool { return o.ConfigFiles != nil },
		"only LoadConfig, FromProfile and PlanProfile read shared files"}
	optCredentialsFiles = optionField{"CredentialsFiles", func(o *Options) bool { return o.CredentialsFiles != nil },
		"only LoadConfig, FromProfile and PlanProfile read shared files"}
	optSessionDuration = optionField{"SessionDuration", func(o *Options) bool { return o.SessionDuration != 0 },
		"it is the length of an MFA session (MFASession, or a profile's); a hop's is Role.Duration"}
)

// refuseOptions returns an error naming the first of fields that o sets,
// which fn cannot use; nil when it sets none.
func refuseOptions(fn string, o *Options, fields ...optionField) error {
	for _, f := range fields {
		if f.set(o) {
			return fmt.Errorf("xacct: %s: Options.%s is set, but %s does not use it: %s", fn, f.name, fn, f.where)
		}
	}
	return nil
}
