//go:build unix

package proctree

// The output of a tree that Run runs: exec copies a non-file Stdout or
// Stderr through pipes of its own, and its Wait waits for every process
// that holds them, the root's leftovers too. Run gives the root pipes of
// its own instead, so that Wait returns when the root exits, and the copy
// ends once the tree is killed. (Elsewhere the tree is the root alone,
// and exec's pipes, bounded by WaitDelay, are kept.)

import (
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// outputs are the pipes that Run gave a Cmd, and their copies to the
// writers the caller set.
type outputs struct {
	writeEnds []*os.File // the child's ends, closed here once it started
	readEnds  []*os.File
	copying   sync.WaitGroup
	dst       []io.Writer // by read end
}

// ownPipes replaces cmd's Stdout and Stderr, where they are writers other
// than files, with pipes of outputs. One writer set as both gets one pipe,
// as exec does, so that it is never written from two goroutines.
func ownPipes(cmd *exec.Cmd) (*outputs, error) {
	o := &outputs{}
	same := sameWriter(cmd.Stdout, cmd.Stderr)
	var err error
	if cmd.Stdout, err = o.pipe(cmd.Stdout); err != nil {
		o.abort()
		return nil, err
	}
	if same {
		cmd.Stderr = cmd.Stdout
	} else if cmd.Stderr, err = o.pipe(cmd.Stderr); err != nil {
		o.abort()
		return nil, err
	}
	return o, nil
}

func (o *outputs) pipe(w io.Writer) (io.Writer, error) {
	if _, isFile := w.(*os.File); w == nil || isFile {
		return w, nil // exec hands these to the child as they are
	}
	r, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	o.writeEnds, o.readEnds, o.dst = append(o.writeEnds, pw), append(o.readEnds, r), append(o.dst, w)
	return pw, nil
}

// start copies the pipes to their writers, once the child holds its ends.
func (o *outputs) start() {
	closeAll(o.writeEnds)
	for i, r := range o.readEnds {
		o.copying.Add(1)
		go func() {
			defer o.copying.Done()
			io.Copy(o.dst[i], r)
		}()
	}
}

// wait waits for the copies to reach the end of the pipes, at most d: then
// it stops them (a process outside the tree holds a pipe) and drops what
// is left.
func (o *outputs) wait(d time.Duration) {
	done := make(chan struct{})
	go func() { o.copying.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		for _, r := range o.readEnds {
			r.SetReadDeadline(time.Now())
		}
		<-done
	}
	closeAll(o.readEnds)
}

// abort closes every pipe, when the child did not start.
func (o *outputs) abort() {
	closeAll(o.writeEnds)
	closeAll(o.readEnds)
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// sameWriter reports whether a and b are one writer. Comparing interfaces
// panics when their dynamic type cannot be compared (a slice type): such
// writers are taken as different, as exec takes them.
func sameWriter(a, b io.Writer) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a != nil && a == b
}
