package main

// Handing a secret URL to a browser without putting it on a command line:
// a one-time loopback URL that redirects once, then closes.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"time"
)

// browserWait is how long the browser has to open the one-time link.
const browserWait = 2 * time.Minute

// browserCommand is the command that opens a URL, the URL left out:
// $BROWSER, else the system's opener.
func browserCommand() []string {
	if b := os.Getenv("BROWSER"); b != "" {
		if words, err := splitCommand(b); err == nil && len(words) > 0 {
			return words
		}
	}
	switch runtime.GOOS {
	case "darwin":
		return []string{"open"}
	case "windows":
		return []string{"rundll32", "url.dll,FileProtocolHandler"}
	}
	return []string{"xdg-open"}
}

// openOnce serves target behind a one-time loopback URL, gives that URL
// to the browser command, and returns once the browser followed it (the
// answer written), or fails when it did not within wait. The path is 256
// random bits; a second request, or any other, gets no redirect.
func openOnce(ctx context.Context, target string, browser []string, wait time.Duration) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening on loopback for the browser: %w", err)
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	path := "/" + base64.RawURLEncoding.EncodeToString(secret)
	done := make(chan struct{})
	var once sync.Once
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		used := true
		if r.Method == http.MethodGet && r.URL.Path == path {
			once.Do(func() { used = false })
		}
		if used {
			http.Error(w, "xacct: this link is spent", http.StatusGone)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
		http.Redirect(w, r, target, http.StatusFound)
		close(done)
	})}
	go srv.Serve(ln)
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx) // lets the redirect's answer be written
	}()
	cmd := exec.CommandContext(ctx, browser[0], append(browser[1:], "http://"+ln.Addr().String()+path)...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("opening the browser with %s: %w (hint: --print prints the URL instead; $BROWSER names a browser)",
			browser[0], err)
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(wait):
		return errors.New("the browser did not open the sign-in link within " + wait.String() +
			" (hint: --print prints the URL instead)")
	}
}
