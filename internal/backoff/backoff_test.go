package backoff

import "testing"

func TestDelayBounds(t *testing.T) {
	for n := -1; n < 100; n++ {
		want := Max
		if n <= 1 {
			want = Base
		} else if n < 16 {
			want = min(Max, Base<<(n-1))
		}
		for range 200 {
			d := Delay(n)
			if d < want/2 || d > want {
				t.Fatalf("Delay(%d) = %v, want in [%v, %v]", n, d, want/2, want)
			}
		}
	}
}

func TestDelayGrows(t *testing.T) {
	// The third delay's floor (half of 4*Base) is above the first's ceiling.
	if d1, d3 := Delay(1), Delay(3); d3 <= d1 {
		t.Fatalf("Delay(1)=%v Delay(3)=%v: want exponential growth", d1, d3)
	}
	if got := Delay(1000); got < Max/2 || got > Max {
		t.Fatalf("Delay(1000) = %v, want capped at %v", got, Max)
	}
}
