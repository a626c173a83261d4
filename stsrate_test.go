package xacct

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// answeringSTS answers every call at once.
type answeringSTS struct{}

func (answeringSTS) AssumeRole(context.Context, *sts.AssumeRoleInput, ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	return &sts.AssumeRoleOutput{}, nil
}

func (answeringSTS) GetSessionToken(context.Context, *sts.GetSessionTokenInput, ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error) {
	return &sts.GetSessionTokenOutput{}, nil
}

// Calls that start while the fan-out closes (background refreshes) run
// before close waits for them, or are refused: the race detector sees no
// WaitGroup Add concurrent with its Wait, and no call starts after close.
func TestSTSRateCallsWhileClosing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for range 50 {
		r := newSTSRate(1e6, 1000, 0, time.Millisecond)
		c := &rateClient{inner: answeringSTS{}, rate: r, stats: &accountStats{}}
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 20 {
					c.AssumeRole(ctx, &sts.AssumeRoleInput{})
				}
			}()
		}
		r.close()
		wg.Wait()
		if _, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{}); !errors.Is(err, errFanOutEnded) {
			t.Fatalf("a call after close: %v, want errFanOutEnded", err)
		}
	}
}
