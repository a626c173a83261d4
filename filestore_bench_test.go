package xacct

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkFileStore measures what an xacct process pays for the store:
// opening it (in a directory of 50 entries), a hit (Load), and a miss's
// Lock, Save and unlock.
func BenchmarkFileStore(b *testing.B) {
	ctx := context.Background()
	dir := filepath.Join(b.TempDir(), "xacct")
	s, err := NewFileStore(dir)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 50 {
		s.Save(ctx, key(fmt.Sprint("bench", i)), entryFor(time.Now().Add(time.Hour)))
	}
	k := key("bench0")
	b.Run("op=NewFileStore", func(b *testing.B) {
		for b.Loop() {
			if _, err := NewFileStore(dir); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("op=Load", func(b *testing.B) {
		for b.Loop() {
			if sc, err := s.Load(ctx, k); sc == nil || err != nil {
				b.Fatal(sc, err)
			}
		}
	})
	b.Run("op=Lock+Save+unlock", func(b *testing.B) {
		for b.Loop() {
			unlock, err := s.Lock(ctx, k)
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Save(ctx, k, entryFor(time.Now().Add(time.Hour))); err != nil {
				b.Fatal(err)
			}
			unlock()
		}
	})
}
