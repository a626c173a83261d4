package main

// The controlling terminal: where a person sees prompts and notices.
// Under credential_process, stdout carries the JSON that the SDK parses
// (a prompt there would corrupt it) and stderr is hidden (botocore
// captures it and shows it only on failure), so what a person must see
// goes to /dev/tty. Where there is none (Windows, a CI job, a program
// started without one), notices go to stderr and prompts are impossible.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/xacct/xacct"
)

// ttyPath is the controlling terminal of a Unix process.
const ttyPath = "/dev/tty"

// openTerminal opens the controlling terminal for writing; an error when
// the process has none.
func openTerminal() (*os.File, error) {
	return os.OpenFile(ttyPath, os.O_WRONLY, 0)
}

// hasTerminal reports whether a person can be asked on the controlling
// terminal, as xacct.TerminalToken asks.
func hasTerminal() bool {
	f, err := os.OpenFile(ttyPath, os.O_RDWR, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// noticeWriter returns where lines for a person go: the terminal, else
// fallback (stderr). close releases the terminal.
func noticeWriter(fallback io.Writer) (w io.Writer, close func()) {
	tty, err := openTerminal()
	if err != nil {
		return fallback, func() {}
	}
	return tty, func() { tty.Close() }
}

// newNoticeLogger returns a logger for Options.Logger that writes the
// library's notices to w, one line each, in words for a person ("xacct:
// waiting for another xacct process to refresh ARN"). A notice is a record
// that the library marks with the attribute notice=true, at Info level or
// above; every other line is for logs, not for a person, and is dropped:
// the failure of a fetch among them, which the command reports itself,
// once, as its error. The library never logs a secret.
func newNoticeLogger(w io.Writer) *slog.Logger {
	return slog.New(&noticeHandler{mu: &sync.Mutex{}, w: w})
}

// newLockNoticeLogger is newNoticeLogger whose notice of a wait for
// another process's lock (waiting_for=lock) says what lockWait says of
// it, given the name of the credentials waited for; the library's own
// words when lockWait returns "".
func newLockNoticeLogger(w io.Writer, lockWait func(name string) string) *slog.Logger {
	return slog.New(&noticeHandler{mu: &sync.Mutex{}, w: w, lockWait: lockWait})
}

// waitingForAttr marks the library's notice of a lock wait
// (waiting_for=lock): a mark for this handler, not words for a person.
const waitingForAttr = "waiting_for"

// noticeHandler is the slog.Handler of newNoticeLogger.
type noticeHandler struct {
	mu     *sync.Mutex // guards w, shared by the handlers derived from one
	w      io.Writer
	attrs  []slog.Attr // from WithAttrs
	group  string      // from WithGroup, as a prefix of keys
	notice bool        // WithAttrs marked every record a notice

	lockWait func(name string) string // what a lock wait's notice says; nil: the library's words
}

func (h *noticeHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

// isNotice reports whether a marks its record as a notice: the key
// notice, outside any group, with the value true.
func (h *noticeHandler) isNotice(a slog.Attr) bool {
	v := a.Value.Resolve()
	return h.group == "" && a.Key == xacct.NoticeAttr && v.Kind() == slog.KindBool && v.Bool()
}

// Handle writes a notice's message and the attributes that it does not
// already say, as "message (key=value, ...)"; it drops other records.
func (h *noticeHandler) Handle(_ context.Context, r slog.Record) error {
	notice := h.notice
	r.Attrs(func(a slog.Attr) bool {
		notice = notice || h.isNotice(a)
		return !notice
	})
	if !notice {
		return nil
	}
	var b strings.Builder
	b.WriteString(h.message(r))
	var extra []string
	add := func(a slog.Attr) bool {
		if h.isNotice(a) || h.group == "" && a.Key == waitingForAttr {
			return true
		}
		v := a.Value.Resolve().String()
		if v != "" && !strings.Contains(r.Message, v) {
			extra = append(extra, h.group+a.Key+"="+v)
		}
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	if len(extra) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(extra, ", "))
	}
	line := strings.ReplaceAll(b.String(), "\n", " ") + "\n"
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, line)
	return err
}

// message is the record's message; for a lock wait, what lockWait says
// of it, when it says something.
func (h *noticeHandler) message(r slog.Record) string {
	if h.lockWait == nil {
		return r.Message
	}
	var lock bool
	var name string
	r.Attrs(func(a slog.Attr) bool {
		switch v := a.Value.Resolve().String(); a.Key {
		case waitingForAttr:
			lock = v == "lock"
		case "provider":
			name = v
		}
		return true
	})
	if lock {
		if m := h.lockWait(name); m != "" {
			return m
		}
	}
	return r.Message
}

func (h *noticeHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	for _, a := range attrs {
		c.notice = c.notice || h.isNotice(a)
	}
	c.attrs = append(slices.Clip(h.attrs), attrs...)
	return &c
}

func (h *noticeHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.group += name + "."
	return &c
}
