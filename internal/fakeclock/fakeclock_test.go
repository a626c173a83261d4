package fakeclock

import (
	"testing"
	"time"
)

func TestFrozenClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := New(start)
	time.Sleep(2 * time.Millisecond)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("a frozen clock moved by itself: %v", got)
	}
	c.Advance(time.Hour)
	if got := c.Now(); !got.Equal(start.Add(time.Hour)) {
		t.Fatalf("after Advance(1h): %v", got)
	}
	c.Set(start)
	if got := c.Now(); !got.Equal(start) || c.Real() {
		t.Fatalf("after Set: %v (real %v)", got, c.Real())
	}
}

func TestRealClock(t *testing.T) {
	t.Parallel()
	c := NewReal()
	if d := time.Until(c.Now()); d > time.Second || d < -time.Second || !c.Real() {
		t.Fatalf("a real clock is %v off the real time", d)
	}
	first := c.Now()
	time.Sleep(5 * time.Millisecond)
	if !c.Now().After(first) {
		t.Fatal("a real clock does not move")
	}
	// Advance adds an offset; the clock keeps running from there.
	c.Advance(90 * time.Second)
	if d := time.Until(c.Now()); d < 89*time.Second || d > 91*time.Second || c.Offset() != 90*time.Second {
		t.Fatalf("after Advance(90s) the clock is %v ahead, offset %v", d, c.Offset())
	}
	// Set sets the time, from which it runs on.
	at := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	c.Set(at)
	now := c.Now()
	if d := now.Sub(at); d < 0 || d > time.Second {
		t.Fatalf("after Set(%v): %v", at, now)
	}
	time.Sleep(5 * time.Millisecond)
	if !c.Now().After(now) {
		t.Fatal("a real clock stopped after Set")
	}
}
