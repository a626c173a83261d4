package xacct

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Chain assumes roles one after another: the first with cfg.Credentials,
// each next one with the credentials of the one before. It returns the last
// hop's *Cache.
//
// Chain is a fold of AssumeRole, and every hop has a cache of its own:
// refreshing the last hop calls STS once, with the previous hop's cached
// credentials, and re-assumes earlier hops only when their own credentials
// come due. (The SDK's shared-config chain re-assumes every hop on every
// refresh.) STS treats every hop after the first as role chaining, which
// caps those sessions at one hour; their Duration defaults to one hour and
// a longer one is an error.
//
// optFns apply to every hop.
func Chain(cfg aws.Config, roles []Role, optFns ...func(*Options)) (*Cache, error) {
	if len(roles) == 0 {
		return nil, errors.New("xacct: Chain: the list of roles is empty: a chain needs at least one Role")
	}
	o := resolveOptions(optFns)
	if err := refuseOptions("Chain", &o, optConfigFiles, optCredentialsFiles, optSessionDuration,
		optLastHopDuration); err != nil {
		return nil, err
	}
	var last *Cache
	for _, r := range roles {
		c, err := assumeRole(cfg, r, o)
		if err != nil {
			return nil, err
		}
		cfg.Credentials, last = c, c
	}
	return last, nil
}
