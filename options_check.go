package xacct

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
)

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
	optLastHopDuration = optionField{"LastHopDuration", func(o *Options) bool { return o.LastHopDuration != 0 },
		"it is the length of a profile's last hop; a hop's is Role.Duration"}
	optMFA = optionField{"MFA", func(o *Options) bool { return o.MFA != nil },
		"a Cache makes no STS call of its own: give the TokenFunc to the Role's AssumeRole or Chain, or to MFASession"}
	optNewSTSClient = optionField{"NewSTSClient", func(o *Options) bool { return o.NewSTSClient != nil },
		"a Cache makes no STS call of its own: give it to AssumeRole, Chain or MFASession"}
	optStore = optionField{"Store", func(o *Options) bool { return o.Store != nil },
		"only the hops and MFA sessions that xacct builds (AssumeRole, Chain, MFASession, LoadConfig) know what " +
			"decides their credentials, which is what a store entry is kept under"}
)

// cacheOnly are the fields that NewCache refuses: it wraps a provider that
// is already built.
var cacheOnly = []optionField{optMFA, optNewSTSClient, optStore, optSessionDuration, optConfigFiles, optCredentialsFiles,
	optLastHopDuration}

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

// refusedProvider is the provider of a Cache built with options it cannot
// use: NewCache returns no error, so every Retrieve returns it instead.
type refusedProvider struct{ err error }

func (p refusedProvider) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{}, p.err
}
