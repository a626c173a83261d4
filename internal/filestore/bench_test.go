package filestore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkStore measures the mechanism alone, without the root's
// conversion to StoredCredentials: opening a directory of 50 entries, a
// hit (Load), and a miss's Lock, Save and unlock.
func BenchmarkStore(b *testing.B) {
	ctx := context.Background()
	dir := filepath.Join(b.TempDir(), "xacct")
	s, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 50 {
		s.Save(key(fmt.Sprint("bench", i)), entryFor(time.Now().Add(time.Hour)))
	}
	k := key("bench0")
	b.Run("op=Open", func(b *testing.B) {
		for b.Loop() {
			if _, err := Open(dir); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("op=Load", func(b *testing.B) {
		for b.Loop() {
			if e, ok, err := s.Load(k); !ok || err != nil {
				b.Fatal(e, err)
			}
		}
	})
	b.Run("op=Lock+Save+unlock", func(b *testing.B) {
		for b.Loop() {
			unlock, err := s.Lock(ctx, k)
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Save(k, entryFor(time.Now().Add(time.Hour))); err != nil {
				b.Fatal(err)
			}
			unlock()
		}
	})
}
