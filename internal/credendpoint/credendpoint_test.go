package credendpoint

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestLoopbackHost(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST:80": true, "localhost.": true, "127.0.0.1": true, "127.1.2.3:9": true,
		"[::1]": true, "[::1]:8080": true, "::1": true,
		"": false, "localhost.example.com": false, "evil.localhost": false, "10.0.0.1": false, "[::2]:80": false,
		"169.254.170.2": false, "0.0.0.0": false, "127.0.0.1.nip.io": false,
	} {
		if got := LoopbackHost(host); got != want {
			t.Errorf("LoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestToken(t *testing.T) {
	t.Parallel()
	tok := NewToken("0123456789abcdef")
	for got, want := range map[string]bool{"0123456789abcdef": true, "0123456789abcde": false, "0123456789abcdef0": false, "": false} {
		if tok.Matches(got) != want {
			t.Errorf("Matches(%q) = %v, want %v", got, !want, want)
		}
	}
	if a, b := RandomToken(), RandomToken(); len(a) != 64 || a == b {
		t.Errorf("RandomToken: %q %q", a, b)
	}
}

func TestMux(t *testing.T) {
	t.Parallel()
	m := NewMux()
	path, remove := m.Add(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	serve := func(p, host string) int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "http://127.0.0.1"+p, nil)
		req.Host = host
		m.ServeHTTP(rec, req)
		return rec.Code
	}
	if !strings.HasPrefix(path, "/xacct/") || serve(path, "127.0.0.1") != 204 {
		t.Errorf("path %q not served", path)
	}
	if c := serve("/xacct/other", "127.0.0.1"); c != 404 {
		t.Errorf("unknown path: %d, want 404", c)
	}
	if c := serve("/xacct/other", "evil.example.com"); c != 403 {
		t.Errorf("unknown path from another host: %d, want 403", c)
	}
	remove()
	if c := serve(path, "127.0.0.1"); c != 404 {
		t.Errorf("removed path: %d, want 404", c)
	}
}
