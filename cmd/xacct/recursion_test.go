package main

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// The profiles up the tree survive any name: commas and escapes included.
func TestResolvingProfiles(t *testing.T) {
	t.Parallel()
	names := []string{"prod", "team,a", "x%2Cy", "with space", ""}
	var parts []string
	for _, n := range names {
		parts = append(parts, url.QueryEscape(n))
	}
	got := resolvingProfiles(strings.Join(parts, ","))
	if want := names[:4]; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := resolvingProfiles(""); got != nil {
		t.Errorf("empty: %q", got)
	}
	if got := resolvingProfiles("bad%zz"); !slices.Equal(got, []string{"bad%zz"}) {
		t.Errorf("not an escape: %q", got)
	}
}
