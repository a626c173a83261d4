package boundedcall

import (
	"context"
	"errors"
	"testing"
	"time"
)

var errHung = errors.New("hung")

func TestDoReturnsWhatOpReturns(t *testing.T) {
	t.Parallel()
	v, err := Do(context.Background(), time.Second, errHung, "op", func(context.Context) (int, error) { return 7, nil }, nil)
	if v != 7 || err != nil {
		t.Fatalf("Do = %d, %v; want 7, nil", v, err)
	}
}

// An op that ignores its context is left behind at the limit, and what it
// returns later goes to abandon.
func TestDoLeavesAHungOpBehindAndAbandonsItsResult(t *testing.T) {
	t.Parallel()
	release, abandoned := make(chan struct{}), make(chan int, 1)
	_, err := Do(context.Background(), 10*time.Millisecond, errHung, "op", func(context.Context) (int, error) {
		<-release
		return 9, nil
	}, func(v int) { abandoned <- v })
	if !errors.Is(err, errHung) {
		t.Fatalf("Do = %v; want the hung error", err)
	}
	close(release)
	if v := <-abandoned; v != 9 {
		t.Fatalf("abandon got %d; want 9", v)
	}
}

// An op that gives up at the limit has hung too; one whose callers left
// (ctx canceled) has not.
func TestDoTellsAHangFromCallersLeaving(t *testing.T) {
	t.Parallel()
	honours := func(ctx context.Context) (int, error) { <-ctx.Done(); return 0, ctx.Err() }
	if _, err := Do(context.Background(), 10*time.Millisecond, errHung, "op", honours, nil); !errors.Is(err, errHung) {
		t.Errorf("at the limit: %v; want the hung error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(10*time.Millisecond, cancel)
	if _, err := Do(ctx, time.Minute, errHung, "op", honours, nil); errors.Is(err, errHung) || !errors.Is(err, context.Canceled) {
		t.Errorf("callers left: %v; want context.Canceled, not the hung error", err)
	}
}

func TestDoTurnsAPanicIntoAnError(t *testing.T) {
	t.Parallel()
	_, err := Do(context.Background(), time.Second, errHung, "the store", func(context.Context) (int, error) { panic("boom") }, nil)
	if err == nil || err.Error() != "xacct: the store panicked (a string)" {
		t.Fatalf("Do = %v; want the panic as an error naming what, not its value", err)
	}
}
