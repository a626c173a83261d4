package xacct

// The prompt protocol: when a person is asked for an MFA code, and when
// not. Its rules, all here:
//
//  1. A background refresh never prompts. Its context is marked; a fetch
//     that would need a code returns errNeedsPerson instead, and the cache
//     defers that entry's refresh until a caller needs the credentials.
//     Neither does a request to a credential endpoint (CredentialsHandler):
//     its context is marked too (withoutPerson), and it gets errNeedsPerson.
//  2. A prompt is kept only while someone waits for it. A cache whose fetch
//     may prompt counts the callers waiting on it (waiters); when the last
//     one leaves, the fetch is canceled, so that no prompt is left on
//     screen for nobody, and forgotten, so that the next caller starts
//     afresh.
//  3. One prompt at a time per MFA device, and never the same code twice
//     (devices): STS refuses a code it has seen.

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/xacct/xacct/internal/mfadevice"
	"github.com/xacct/xacct/internal/totp"
)

// backgroundKey marks the context of a background refresh.
type backgroundKey struct{}

// detachForBackground returns a context for a background refresh: it keeps
// the values of ctx (tracing, logging) but never its deadline, and it is
// marked, so that the hops the refresh calls know that no caller waits.
func detachForBackground(ctx context.Context) context.Context {
	return context.WithValue(context.WithoutCancel(ctx), backgroundKey{}, true)
}

// inBackground reports whether ctx belongs to a background refresh, of this
// cache or of a later hop whose refresh calls this one.
func inBackground(ctx context.Context) bool {
	v, _ := ctx.Value(backgroundKey{}).(bool)
	return v
}

// noPersonKey marks the context of a caller that must never wait on a
// person: a request to a credential endpoint.
type noPersonKey struct{}

// withoutPerson returns ctx marked so that no fetch on it prompts.
func withoutPerson(ctx context.Context) context.Context {
	return context.WithValue(ctx, noPersonKey{}, true)
}

// mayAsk reports whether a fetch on ctx may ask a person: not in a
// background refresh, nor for a caller marked withoutPerson.
func mayAsk(ctx context.Context) bool {
	v, _ := ctx.Value(noPersonKey{}).(bool)
	return !v && !inBackground(ctx)
}

// errNeedsPerson is returned instead of prompting when no caller waits for
// the credentials (a background refresh): the prompt waits for a caller.
var errNeedsPerson = errors.New("an MFA code is needed, and no caller is waiting for these credentials: " +
	"the prompt waits until one is")

// waiters counts the callers waiting on the fetch of a cache that may
// prompt, and cancels that fetch when the last one leaves.
type waiters struct {
	mu      sync.Mutex    // guards n and abandon
	n       int           // callers waiting on the cache's fetch
	abandon *abandonFetch // the foreground fetch to cancel once n is 0; nil when none runs
}

// abandonFetch cancels one fetch; a pointer, so that a fetch clears only
// its own registration.
type abandonFetch struct{ cancel context.CancelFunc }

// join counts a caller in.
func (w *waiters) join() {
	w.mu.Lock()
	w.n++
	w.mu.Unlock()
}

// leave counts a caller out. The last to leave cancels the registered
// fetch and calls forget, so that the next caller does not join it.
func (w *waiters) leave(forget func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n--
	if w.n == 0 && w.abandon != nil {
		w.abandon.cancel()
		w.abandon = nil
		forget()
	}
}

// watch registers a foreground fetch, to be canceled when the last caller
// leaves; if every caller has left already, it is canceled at once. The
// fetch calls the returned function when it ends.
func (w *waiters) watch(cancel context.CancelFunc) (done func()) {
	ab := &abandonFetch{cancel: cancel}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n == 0 {
		cancel() // the caller that started it has gone already
		return func() {}
	}
	w.abandon = ab
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.abandon == ab {
			w.abandon = nil
		}
	}
}

// maxReaskSameCode bounds how often a TokenFunc that keeps returning the
// code just used is asked again, for functions that cannot wait for the
// device's next code (a fixed code, a broken script).
const maxReaskSameCode = 3

// devices serializes prompts and remembers the last code of each MFA
// device (internal/mfadevice). Several caches and chains may share a
// device, so xacct uses one registry for the whole process
// (processDevices); tests use their own.
type devices = mfadevice.Registry

// processDevices is the registry of every cache that has no other.
var processDevices = newDevices()

func newDevices() *devices { return mfadevice.NewRegistry() }

// tokenCode asks fn for a code for req.SerialNumber: one prompt at a time
// per device, under o.MFATimeout, never handing out the code used last. The
// code itself never appears in an error.
func tokenCode(ctx context.Context, fn TokenFunc, o *Options, req TokenRequest) (string, error) {
	if !mayAsk(ctx) {
		return "", errNeedsPerson
	}
	ctx, cancel := context.WithTimeout(ctx, o.MFATimeout)
	defer cancel()

	d := o.devices.Get(req.SerialNumber)
	release, err := d.Turn(ctx)
	if err != nil {
		return "", fmt.Errorf("MFA code for %s: waiting for another prompt for the same device: %w",
			req.SerialNumber, err)
	}
	defer release()

	for asks := 1; ; asks++ {
		code, err := callTokenFunc(ctx, fn, req)
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
				return "", fmt.Errorf("MFA code for %s: no answer within %v (Options.MFATimeout): %w",
					req.SerialNumber, o.MFATimeout, err)
			}
			return "", fmt.Errorf("MFA code for %s: %w", req.SerialNumber, err)
		}
		if !totp.IsCode(code) {
			return "", fmt.Errorf("MFA code for %s: the TokenFunc returned %d characters, "+
				"but an MFA code is exactly six digits", req.SerialNumber, len(code))
		}
		if d.Claim(code, o.Now()) {
			return code, nil
		}
		if asks >= maxReaskSameCode {
			return "", fmt.Errorf("MFA code for %s: the TokenFunc returned the code just used %d times, "+
				"though asked for a new one (TokenRequest.NeedNewCode); STS accepts each code once",
				req.SerialNumber, maxReaskSameCode)
		}
		req.NeedNewCode = true
	}
}

// callTokenFunc calls fn, turning a panic into an error: a TokenFunc is
// user code running inside a cache's refresh.
func callTokenFunc(ctx context.Context, fn TokenFunc, req TokenRequest) (code string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the TokenFunc panicked (value of type %T)", r)
		}
	}()
	return fn(ctx, req)
}
