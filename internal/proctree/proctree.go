// Package proctree starts a child process as the root of a tree of
// processes that ends with it: the child and whatever it starts (the
// commands under `sh -c`, a credential_process that calls xacct, which
// starts its own credential_process, and so on down) are ended when the
// caller's context ends, when the child itself exits (what it left in the
// background), and when the caller exits (EndAll) or, on Linux, is killed.
//
// Ending only the direct child is not enough: a timed-out xacct that
// killed its credential_process left that process's children running, and
// a credential_process that called xacct again (with the environment
// scrubbed, past the recursion guard) grew a chain that outlived every
// caller.
//
// On Unix the tree is the child's process group: the child starts in a
// group of its own, which is stopped as one, with SIGTERM and then
// SIGKILL. A group that is not the terminal's foreground group is stopped
// by SIGTTIN when it reads the terminal, so a tree that may prompt
// (Options.Terminal) is lent the foreground while it runs, when this
// process has it, and gives it back when it ends. On Linux each child is
// also killed when the thread that started it exits, so that a process
// killed with SIGKILL, which cannot clean up, takes its child along; and a
// process can ask for SIGTERM when its parent exits (EndWithParent), which
// carries the end down through children that are not started by this
// package (a shell between two xaccts).
//
// Elsewhere (Windows) a Tree is its child alone: the child is killed, not
// what it started.
package proctree

import (
	"context"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Options say how a Tree's processes are stopped, and whether they may
// use the terminal.
type Options struct {
	// Grace is how long the tree has between SIGTERM and SIGKILL when its
	// context ends; 0 means DefaultGrace. SIGTERM comes first even for a
	// helper whose answer nobody will read any more: an xacct in the tree
	// then ends its own trees before it goes, so the end reaches a whole
	// chain at once, shells in between or not. A command a person started
	// (for-each-account's) gets longer, as after a shell's Ctrl-C.
	Grace time.Duration

	// Terminal lends the terminal's foreground to the tree while it runs,
	// when this process holds it, so that a child that prompts on
	// /dev/tty (a password manager, aws-vault, a nested xacct) can read
	// it. One tree holds it at a time: a tree started meanwhile runs in
	// the background. In a process that is itself in the background (a
	// shell's job), the tree stays in its group, so that the job stops
	// as one when it reads the terminal and the shell's fg continues it;
	// only its root is then signalled.
	Terminal bool
}

// DefaultGrace is Options.Grace when it is 0: an xacct passes SIGTERM on
// to its own trees within milliseconds, and a second is plenty to exit.
const DefaultGrace = time.Second

// pipeGrace bounds the wait for a tree's output once its root process has
// exited, or its context has ended, and its group was killed: only a
// process that left the group (a daemon in a session of its own) can still
// hold the pipes, for ever. A pipe's last 64 KiB take far less than this.
const pipeGrace = time.Second

// endAllWait bounds EndAll's wait for the running trees to end after
// SIGTERM, before it kills them: past DefaultGrace and pipeGrace, after
// which exec has killed a root that ignored SIGTERM and stopped waiting
// for its pipes, and End has killed its group.
const endAllWait = DefaultGrace + pipeGrace + 500*time.Millisecond

// Tree is a child process and the processes it starts. A Tree is for one
// goroutine at a time, except that EndAll may run alongside.
type Tree struct {
	// Cmd is the root process. Set its Env, Dir, Stdin, Stdout and Stderr
	// before it starts; its SysProcAttr, Cancel and WaitDelay are the
	// tree's.
	Cmd *exec.Cmd

	opts   Options
	root   atomic.Pointer[os.Process] // Cmd.Process, once it can be read here: EndAll kills its group
	cancel context.CancelFunc         // ends Cmd's context: exec then calls Cmd.Cancel (t.stop)
	unhook func() bool                // detaches the tree from EndAll
	group  group                      // the platform's handle on the tree: its group, the terminal lent to it
	ended  sync.Once                  // End's work, once
	done   chan struct{}              // closed by End: EndAll waits for it
}

// Command returns a Tree whose root runs name with arg, like
// exec.CommandContext: when ctx ends while the root runs, the whole tree
// is stopped (Options.Grace). End must be called once Cmd has been waited
// for, or has failed to start: Run does it.
func Command(ctx context.Context, opts Options, name string, arg ...string) *Tree {
	ctx, cancel := context.WithCancel(ctx)
	if opts.Grace == 0 {
		opts.Grace = DefaultGrace
	}
	t := &Tree{opts: opts, cancel: cancel, done: make(chan struct{})}
	t.Cmd = exec.CommandContext(ctx, name, arg...)
	// exec kills the root itself when it has not exited WaitDelay after
	// Cancel (SIGTERM), and then stops waiting for the pipes; End kills
	// the rest of the group.
	t.Cmd.WaitDelay = max(opts.Grace, pipeGrace)
	t.Cmd.Cancel = t.stop
	t.group.prepare(t.Cmd, opts)
	live.add(t)
	t.unhook = context.AfterFunc(exiting.ctx, cancel)
	return t
}

// Run starts the tree, waits for its root process, ends the tree, and
// returns the root's error, as exec.Cmd.Run. Unlike exec, it does not wait
// for the pipes before it ends the tree: a background process that the
// root left behind (`sleep 300 &`) holds its stdout only until then, not
// until exec's WaitDelay, which would make a success an error.
func (t *Tree) Run() error {
	defer t.End()
	// On Linux the child's parent-death signal fires when the thread
	// that forked it exits: this one lives at least as long as the child.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	out, err := ownPipes(t.Cmd)
	if err != nil {
		return err
	}
	if err := t.Cmd.Start(); err != nil {
		out.abort()
		return err
	}
	t.root.Store(t.Cmd.Process)
	out.start()
	err = t.Cmd.Wait() // the process only: its stdout and stderr are out's
	t.End()
	out.wait(pipeGrace)
	return err
}

// Watch returns a writer to set as Cmd.Stdout when another package starts
// and waits for Cmd (the SDK's processcreds, whose Wait copies stdout
// through exec's pipes: Run's own are not an option). It discards what it
// is given. exec writes stdout from a goroutine that it starts after the
// root has started, so the first write tells the tree the root's process:
// from then on EndAll can kill the tree, and (on Linux) the tree ends as
// soon as the root exits, as Run's does: a leftover holding stdout would
// hold exec's Wait until WaitDelay, and make a success an error.
func (t *Tree) Watch() io.Writer { return &watcher{t: t} }

type watcher struct {
	t    *Tree
	once sync.Once
}

func (w *watcher) Write(p []byte) (int, error) {
	w.once.Do(func() {
		root := w.t.Cmd.Process
		w.t.root.Store(root)
		go func() {
			if waitExit(root.Pid) {
				w.t.group.left(root)
			}
		}()
	})
	return len(p), nil
}

// End kills what is left of the tree and gives back the terminal, once
// Cmd has been waited for (or failed to start). It may be called more than
// once.
func (t *Tree) End() {
	t.ended.Do(func() {
		t.unhook()
		t.cancel()
		if t.Cmd.Process != nil {
			t.group.left(t.Cmd.Process)
		}
		t.group.release()
		close(t.done)
		live.remove(t)
	})
}

// stop is Cmd.Cancel: exec calls it when the context ends while the root
// runs, so Cmd.Process is set. SIGTERM: see Options.Grace.
func (t *Tree) stop() error {
	return t.group.signal(t.Cmd.Process, false)
}

// EndAll ends every tree still running, for a process about to exit, and
// gives the terminal back if a tree holds it: on Linux the roots would get
// the parent-death signal, but not what they started. The trees get
// SIGTERM, then SIGKILL when they have not ended within a couple of
// seconds; Command's trees started after it are stopped as they start.
func EndAll() {
	exiting.cancel() // exec sends each running root's group SIGTERM (stop)
	trees := live.snapshot()
	for _, t := range trees {
		if root := t.root.Load(); root != nil {
			t.group.signal(root, false) // a root whose exit exec has yet to see
		}
	}
	deadline := time.NewTimer(endAllWait)
	defer deadline.Stop()
wait:
	for _, t := range trees {
		select {
		case <-t.done:
		case <-deadline.C:
			break wait
		}
	}
	for _, t := range live.snapshot() {
		if root := t.root.Load(); root != nil {
			t.group.signal(root, true)
		}
	}
	releaseTerminal()
}

// exiting is EndAll's: every Tree's context ends with its ctx.
var exiting struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func init() { exiting.ctx, exiting.cancel = context.WithCancel(context.Background()) }

// live is the trees made by Command and not yet ended.
var live trees

type trees struct {
	mu  sync.Mutex // guards set
	set map[*Tree]struct{}
}

func (l *trees) add(t *Tree) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.set == nil {
		l.set = map[*Tree]struct{}{}
	}
	l.set[t] = struct{}{}
}

func (l *trees) remove(t *Tree) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.set, t)
}

func (l *trees) snapshot() []*Tree {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]*Tree, 0, len(l.set))
	for t := range l.set {
		out = append(out, t)
	}
	return out
}
