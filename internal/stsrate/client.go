package stsrate

// The STS client of one account of a fan-out, and what it counts.

import (
	"context"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Client is the part of *sts.Client that a hop calls (the method set of
// xacct.STSClient).
type Client interface {
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
	GetSessionToken(ctx context.Context, in *sts.GetSessionTokenInput, optFns ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error)
}

// Client returns the STS client of one account's hop: inner, the
// fan-out's shared client built from Configure's config, behind the
// Throttling retry, counting into st. Calls fail with ErrClosed once Close
// has begun.
func (r *Rate) Client(inner Client, st *Stats) Client {
	return &client{inner: inner, rate: r, stats: st}
}

// Stats counts the STS traffic of one account of a fan-out. The zero
// value is ready; it is safe for concurrent use.
type Stats struct {
	attempts  atomic.Int64 // HTTP attempts
	throttled atomic.Int64 // of those, answered Throttling
	sessions  atomic.Int64 // successful AssumeRole calls
}

// Attempts returns the HTTP attempts of the account's STS calls, retries
// of either loop included.
func (s *Stats) Attempts() int { return int(s.attempts.Load()) }

// Throttled returns how many of the Attempts STS answered with Throttling.
func (s *Stats) Throttled() int { return int(s.throttled.Load()) }

// Sessions returns how many AssumeRole calls succeeded.
func (s *Stats) Sessions() int { return int(s.sessions.Load()) }

// statsKey carries a call's Stats in its context, from the client to the
// limiter's middleware.
type statsKey struct{}

func statsFrom(ctx context.Context) *Stats {
	st, _ := ctx.Value(statsKey{}).(*Stats)
	return st
}

// client is what Rate.Client returns.
type client struct {
	inner Client
	rate  *Rate
	stats *Stats
}

func (c *client) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (
	*sts.AssumeRoleOutput, error,
) {
	out, err := call(ctx, c.rate, c.stats, func(ctx context.Context) (*sts.AssumeRoleOutput, error) {
		return c.inner.AssumeRole(ctx, in, optFns...)
	})
	if err == nil {
		c.stats.sessions.Add(1)
	}
	return out, err
}

func (c *client) GetSessionToken(ctx context.Context, in *sts.GetSessionTokenInput, optFns ...func(*sts.Options)) (
	*sts.GetSessionTokenOutput, error,
) {
	return call(ctx, c.rate, c.stats, func(ctx context.Context) (*sts.GetSessionTokenOutput, error) {
		return c.inner.GetSessionToken(ctx, in, optFns...)
	})
}
