package testutil

import (
	"net/http"
	"testing"
)

// Redirect GETs u without following a redirect, and returns the answer's
// Location and status: one step of a browser's way through sign-in links.
func Redirect(t testing.TB, u string) (location string, status int) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("Location"), resp.StatusCode
}
