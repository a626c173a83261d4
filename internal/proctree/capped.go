package proctree

import (
	"bytes"
	"io"
)

// Capped returns a writer for a child's output that keeps the first n
// bytes in b and drops the rest: what a child prints is read bounded, and
// the child never blocks or fails on a write.
func Capped(b *bytes.Buffer, n int) io.Writer { return &capped{b: b, n: n} }

type capped struct {
	b *bytes.Buffer
	n int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.n - c.b.Len(); room > 0 {
		c.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
