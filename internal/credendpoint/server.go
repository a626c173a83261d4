package credendpoint

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sync"
	"time"
)

// Timeouts bound what a client may make the server wait for; zero fields
// take the defaults. A slow client (headers sent a byte at a time, a body
// that never ends) is cut off at these, and never delays other clients:
// each connection has its own.
type Timeouts struct {
	ReadHeader time.Duration // the request's headers; default 5s (an SDK sends them in one packet)
	Read       time.Duration // the whole request; default 10s
	Write      time.Duration // the answer, from the end of the headers; default 10s (MaxWait, and more)
	Idle       time.Duration // a kept-alive connection between requests; default 60s
}

// MaxHeaderBytes bounds a request's headers: an SDK sends under 1 KiB.
const MaxHeaderBytes = 16 << 10

// NewServer returns an http.Server of h with the timeouts t (defaults for
// zero fields) and MaxHeaderBytes. The caller serves it on a loopback
// listener.
func NewServer(h http.Handler, t Timeouts) *http.Server {
	def := func(d, v time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return d
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: def(5*time.Second, t.ReadHeader),
		ReadTimeout:       def(10*time.Second, t.Read),
		WriteTimeout:      def(10*time.Second, t.Write),
		IdleTimeout:       def(time.Minute, t.Idle),
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}

// RandomToken returns a new authorization token: 32 random bytes in hex.
func RandomToken() string { return randomHex(32) }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// Mux serves several clients on one listener, each under a random path
// of its own with a handler of its own (that checks its own token). It is
// safe for concurrent use.
type Mux struct {
	mu    sync.RWMutex            // guards paths
	paths map[string]http.Handler // by path
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{paths: map[string]http.Handler{}} }

// Add serves h under a new random path, returned with the function that
// stops serving it.
func (m *Mux) Add(h http.Handler) (path string, remove func()) {
	path = "/xacct/" + randomHex(16)
	m.mu.Lock()
	m.paths[path] = h
	m.mu.Unlock()
	return path, func() {
		m.mu.Lock()
		delete(m.paths, path)
		m.mu.Unlock()
	}
}

// ServeHTTP passes the request to the handler of its path; a path no
// client has gets a 404 (after the Host check, so that another site
// learns nothing).
func (m *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.RLock()
	h := m.paths[r.URL.Path]
	m.mu.RUnlock()
	switch {
	case h != nil:
		h.ServeHTTP(w, r)
	case !LoopbackHost(r.Host):
		WriteError(w, http.StatusForbidden, CodeForbiddenHost, "the request's Host is not a loopback name or address")
	default:
		WriteError(w, http.StatusNotFound, CodeNotFound, "no credentials are served at this path: it may have ended with its command")
	}
}
