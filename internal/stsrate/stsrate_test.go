package stsrate

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
// before Close waits for them, or are refused: the race detector sees no
// WaitGroup Add concurrent with its Wait, and no call starts after Close.
func TestCallsWhileClosing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for range 50 {
		r := New(Limits{PerSecond: 1e6, Burst: 1000, Retries: 0, Backoff: time.Millisecond})
		c := r.Client(answeringSTS{}, &Stats{})
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
		r.Close()
		wg.Wait()
		if _, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{}); !errors.Is(err, ErrClosed) {
			t.Fatalf("a call after Close: %v, want ErrClosed", err)
		}
	}
}
