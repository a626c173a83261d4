package main

// The local credential endpoint of `xacct exec --server`, `xacct serve`
// and `xacct for-each-account`: one loopback listener serving
// xacct.CredentialsHandler, a path and a token per child, and a private
// directory (0700) with each child's token file and the copies of the
// shared files that keep a [default] profile from beating the endpoint.
// Everything in the directory goes when the endpoint closes.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/credendpoint"
	"github.com/xacct/xacct/internal/sharedini"
)

// endpoint is a running credential endpoint.
type endpoint struct {
	srv  *http.Server
	mux  *credendpoint.Mux
	base string // http://127.0.0.1:PORT
	dir  string // private: token files, copies of the shared files
	done chan struct{}
}

// endpointClient is what one child needs to reach the endpoint.
type endpointClient struct {
	url, token, tokenFile string
	remove                func() // stops serving the child's path
}

// sharedCopies are the child's shared files: private copies of the
// user's, without [default]'s credential keys.
type sharedCopies struct{ config, credentials string }

// startEndpoint listens on addr (a loopback address; port 0 picks one)
// and serves until close.
func startEndpoint(addr string) (*endpoint, error) {
	if err := checkLoopbackAddr(addr); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "xacct-endpoint-")
	if err != nil {
		return nil, fmt.Errorf("xacct: the credential endpoint's private directory: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		os.RemoveAll(dir)
		return nil, failf(exitConfig, "", "--addr %s: %v", addr, err)
	}
	e := &endpoint{mux: credendpoint.NewMux(), dir: dir, base: "http://" + ln.Addr().String(), done: make(chan struct{})}
	e.srv = credendpoint.NewServer(e.mux, credendpoint.Timeouts{})
	go func() {
		defer close(e.done)
		e.srv.Serve(ln)
	}()
	return e, nil
}

// checkLoopbackAddr refuses a listening address that is not loopback: the
// credentials would be served to the network (and the JS SDK refuses
// any other host).
func checkLoopbackAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return failf(exitConfig, "", "--addr %q is not HOST:PORT: give 127.0.0.1:PORT (0 picks a free port)", addr)
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return failf(exitConfig, "", "--addr %q: the endpoint listens on a loopback address only (127.0.0.0/8 or ::1), "+
			"as it serves credentials to whoever has its token, and the JS SDK accepts no other host", addr)
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return failf(exitConfig, "", "--addr %q: the port %v", addr, err)
	}
	return nil
}

// add serves p to one more child under a path and token of its own, and
// writes the token file (0600, no newline: the SDKs send its bytes as
// they are). profile names the profile in the 503 that asks for an MFA
// session.
func (e *endpoint) add(p aws.CredentialsProvider, profile string) (*endpointClient, error) {
	token := credendpoint.RandomToken()
	f, err := os.CreateTemp(e.dir, "token-")
	if err == nil {
		_, err = f.WriteString(token)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return nil, fmt.Errorf("xacct: writing the credential endpoint's token file: %w", err)
	}
	path, remove := e.mux.Add(loginHint{h: xacct.CredentialsHandler(p, token), profile: profile})
	return &endpointClient{url: e.base + path, token: token, tokenFile: f.Name(), remove: func() {
		remove()
		os.Remove(f.Name())
	}}, nil
}

// sharedCopies writes the private copies of the user's shared files (as
// the SDK finds them: AWS_CONFIG_FILE, else ~/.aws/config; the same for
// credentials) without [default]'s credential keys. The user's files are
// only read. A file that does not exist gives an empty copy.
func (e *endpoint) sharedCopies() (*sharedCopies, error) {
	env, err := config.NewEnvConfig()
	if err != nil {
		return nil, &exitError{code: exitConfig, err: err}
	}
	files := sharedini.Find(nil, nil, env)
	c := &sharedCopies{config: filepath.Join(e.dir, "config"), credentials: filepath.Join(e.dir, "credentials")}
	for _, f := range []struct {
		from     []string
		to       string
		isConfig bool
	}{{files.Config, c.config, true}, {files.Credentials, c.credentials, false}} {
		var text []byte
		for _, from := range f.from {
			b, bad := sharedini.ReadFile(from)
			if bad != nil {
				return nil, &exitError{code: exitConfig, err: fmt.Errorf("%s: %w", from, bad), hint: sharedini.FileHint}
			}
			text = append(text, b...)
			text = append(text, '\n')
		}
		text, _ = sharedini.WithoutCredentials(text, f.isConfig, "default")
		if err := os.WriteFile(f.to, text, 0o600); err != nil {
			return nil, fmt.Errorf("xacct: writing a private copy of %s: %w", f.from, err)
		}
	}
	return c, nil
}

// close stops the endpoint (a request under way has a second to end) and
// removes its directory.
func (e *endpoint) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := e.srv.Shutdown(ctx); err != nil {
		e.srv.Close()
	}
	<-e.done
	os.RemoveAll(e.dir)
}

// endpointEnv returns env (os.Environ's form) for a child of the
// endpoint: without credentialVars (a profile, keys, another endpoint, a
// web identity) and, when copies is set, with the private copies as its
// shared files; with the endpoint's variables, and region, when set, in
// AWS_REGION and AWS_DEFAULT_REGION.
func endpointEnv(env []string, cl *endpointClient, copies *sharedCopies, region string) []string {
	set := endpointVars(cl, copies)
	if region != "" {
		set = append(set, envVar{"AWS_REGION", region}, envVar{"AWS_DEFAULT_REGION", region})
	}
	names := slices.Clone(credentialVars)
	for _, v := range set {
		names = append(names, v.name)
	}
	out := slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		return slices.Contains(names, strings.SplitN(kv, "=", 2)[0])
	})
	for _, v := range set {
		out = append(out, v.name+"="+v.value)
	}
	return out
}

// endpointVars are the variables that point a child at its endpoint.
func endpointVars(cl *endpointClient, copies *sharedCopies) []envVar {
	vars := []envVar{
		{"AWS_CONTAINER_CREDENTIALS_FULL_URI", cl.url},
		{"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", cl.tokenFile},
		{"AWS_CONTAINER_AUTHORIZATION_TOKEN", cl.token}, // for clients older than the file
	}
	if copies != nil {
		vars = append(vars, envVar{"AWS_CONFIG_FILE", copies.config}, envVar{"AWS_SHARED_CREDENTIALS_FILE", copies.credentials})
	}
	return vars
}

// loginHint names the profile in the handler's 503 MFACodeNeeded, which
// the library cannot: the child's SDK shows that message to its user.
type loginHint struct {
	h       http.Handler
	profile string
}

func (l loginHint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b := &bufferedAnswer{header: w.Header()}
	l.h.ServeHTTP(b, r)
	var v struct {
		Code string `json:"code"`
	}
	if b.status == http.StatusServiceUnavailable && json.Unmarshal(b.body.Bytes(), &v) == nil && v.Code == credendpoint.CodeMFACodeNeeded {
		w.Header().Del("Content-Length")
		credendpoint.WriteError(w, b.status, credendpoint.CodeMFACodeNeeded, fmt.Sprintf(
			"xacct: the MFA session of profile %s has ended, and the endpoint never asks for a code while a program "+
				"holds the terminal: run `xacct login --profile %s` (from this program's shell, for instance); "+
				"the endpoint uses the session it stores at the next request", l.profile, l.profile))
		return
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	w.Write(b.body.Bytes())
}

// bufferedAnswer holds a handler's answer (a few hundred bytes) until
// loginHint has seen it.
type bufferedAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedAnswer) Header() http.Header { return b.header }

func (b *bufferedAnswer) WriteHeader(s int) {
	if b.status == 0 {
		b.status = s
	}
}

func (b *bufferedAnswer) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}
