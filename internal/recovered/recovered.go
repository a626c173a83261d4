// Package recovered calls a caller's function and turns a panic in it into
// a description that says what panicked and where, but keeps nothing of
// the panic's value: it could hold anything, credentials included.
package recovered

import (
	"fmt"
	"runtime"
	"strings"
)

// Panic is what is kept of a recovered panic.
type Panic struct {
	ValueType string // the panic value's type, as %T prints it
	Runtime   string // the message of a runtime.Error, which quotes no data; empty otherwise
	Where     string // "function (file:line)" of the first frame outside the runtime; empty if none
}

// Call calls fn and returns its error, or, when fn panics, the Panic
// (and a nil error).
func Call(fn func() error) (p *Panic, err error) {
	defer func() {
		if v := recover(); v != nil {
			p = newPanic(v)
		}
	}()
	return nil, fn()
}

// newPanic describes v, a value recovered by Call's deferred function.
func newPanic(v any) *Panic {
	p := &Panic{ValueType: fmt.Sprintf("%T", v)}
	if re, ok := v.(runtime.Error); ok {
		p.Runtime = re.Error()
	}
	// Skip runtime.Callers, newPanic and Call's deferred function; the
	// runtime's panic frames follow, then the frame that panicked.
	pc := make([]uintptr, 32)
	frames := runtime.CallersFrames(pc[:runtime.Callers(3, pc)])
	for {
		fr, more := frames.Next()
		if !strings.HasPrefix(fr.Function, "runtime.") && fr.Function != "" {
			p.Where = fmt.Sprintf("%s (%s:%d)", fr.Function, fr.File, fr.Line)
			break
		}
		if !more {
			break
		}
	}
	return p
}
