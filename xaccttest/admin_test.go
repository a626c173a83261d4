package xaccttest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAdminClock(t *testing.T) {
	t.Parallel()
	srv := world(t)
	start := srv.Clock.Now()
	post := func(form url.Values) (int, clockState, string) {
		t.Helper()
		resp, err := srv.Client().PostForm(srv.URL+AdminPath+"clock", form)
		must(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var st clockState
		json.Unmarshal(b, &st)
		return resp.StatusCode, st, string(b)
	}
	status, st, body := post(url.Values{"advance": {"90s"}})
	if status != http.StatusOK || st.Now != start.Add(90*time.Second).Format(time.RFC3339Nano) || st.Real {
		t.Fatalf("advance=90s: %d %s", status, body)
	}
	if !srv.Clock.Now().Equal(start.Add(90 * time.Second)) {
		t.Fatalf("the clock reads %v after advance=90s from %v", srv.Clock.Now(), start)
	}
	status, _, body = post(url.Values{"set": {"2030-01-02T03:04:05Z"}})
	if want := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC); status != http.StatusOK || !srv.Clock.Now().Equal(want) {
		t.Fatalf("set: %d %s", status, body)
	}
	for _, tt := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"advance": {"soon"}}, `advance \"soon\": want a Go duration`},
		{url.Values{"set": {"tomorrow"}}, "want an RFC 3339 time"},
		{url.Values{"advance": {"1s"}, "set": {"2030-01-02T03:04:05Z"}}, "give one"},
		{url.Values{}, "POST takes advance=DURATION or set=RFC3339-TIME"},
	} {
		if status, _, body := post(tt.form); status != http.StatusBadRequest || !strings.Contains(body, tt.want) {
			t.Errorf("%v: %d %s, want 400 and %q", tt.form, status, body, tt.want)
		}
	}
	resp, err := srv.Client().Get(srv.URL + AdminPath + "nothing")
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown admin path: %d", resp.StatusCode)
	}
	if n := srv.CallCount(""); n != 0 {
		t.Errorf("admin requests were recorded as %d calls", n)
	}
}

// TestHTTPServerLimits: a server left running does not keep stalled or idle
// connections for ever.
func TestHTTPServerLimits(t *testing.T) {
	t.Parallel()
	srv := world(t)
	c := srv.ts.Config
	if c.ReadHeaderTimeout != readHeaderTimeout || c.ReadTimeout != readTimeout ||
		c.IdleTimeout != idleTimeout || c.MaxHeaderBytes != maxHeaderBytes {
		t.Fatalf("HTTP server limits: header %v, read %v, idle %v, header bytes %d",
			c.ReadHeaderTimeout, c.ReadTimeout, c.IdleTimeout, c.MaxHeaderBytes)
	}
	if readHeaderTimeout <= 0 || idleTimeout <= 0 {
		t.Fatal("limits must be positive")
	}
}
