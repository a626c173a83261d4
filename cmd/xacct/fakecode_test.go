package main

import (
	"strings"
	"testing"
	"time"

	"github.com/xacct/xacct/internal/totp"
)

// fake-sts code prints the device's code of the real time, or of the
// running fake's clock (--url), which the fake accepts.
func TestFakeCode(t *testing.T) {
	t.Parallel()
	w := newToolsWorld(t, "--clock-offset", "2h")
	key, _ := totp.DecodeSecret(devTOTP)
	codesAround := func(at time.Time) []string {
		return []string{totp.Code(key, totp.Step(at)-1), totp.Code(key, totp.Step(at)), totp.Code(key, totp.Step(at)+1)}
	}
	contains := func(codes []string, c string) bool {
		for _, x := range codes {
			if x == c {
				return true
			}
		}
		return false
	}
	r := w.run(t, "fake-sts", "code", "--config", "testdata/tools.json", "--user", "dev")
	if code := strings.TrimSpace(r.stdout); r.code != 0 || !contains(codesAround(time.Now()), code) ||
		!strings.Contains(r.stderr, "the code of "+devMFA+", for ") {
		t.Errorf("fake-sts code: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	r = w.run(t, "fake-sts", "code", "--config", "testdata/tools.json", "--user", "111111111111/dev", "--url", w.fake.url)
	if code := strings.TrimSpace(r.stdout); r.code != 0 || !contains(codesAround(time.Now().Add(2*time.Hour)), code) {
		t.Errorf("fake-sts code --url: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--user", "dev"}, exitConfig, "--config FILE and --user NAME are required"},
		{[]string{"--config", "testdata/tools.json", "--user", "nobody"}, exitConfig, "those with one: 111111111111/cli, 111111111111/dev"},
		{[]string{"--config", "testdata/tools.json", "--user", "dev", "--url", "http://127.0.0.1:1"}, exitFailure, "is xacct fake-sts running there?"},
	} {
		r := w.run(t, append([]string{"fake-sts", "code"}, tt.args...)...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%q: exit %d, %q", tt.args, r.code, r.stderr)
		}
	}
}
