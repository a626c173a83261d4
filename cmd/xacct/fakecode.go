package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/xacct/xacct/internal/totp"
	"github.com/xacct/xacct/xaccttest"
)

const fakeCodeUsage = `usage: xacct fake-sts code --config FILE --user NAME [--url URL]

Prints the current MFA code of user NAME's device in the scenario FILE, as
an authenticator app would show it, for trying xacct against the fake
(xacct login, xacct exec) without a phone:

  xacct fake-sts code --config scenario.json --user alice

The code is of the real time, as the fake's clock is when it runs without
--clock-offset; --url URL reads the clock of the running fake at URL
instead (its first line on stdout), so that a moved clock gives its code.
A code is accepted once: after a command used it, wait for the next one
(every 30 seconds; stderr says how long).

Exit status: 0 the code; 1 the scenario or the fake's clock could not be
read; 2 bad usage, or no user NAME with an MFA device in the scenario.

`

// maxClockAnswer bounds the read of the fake's clock answer: one small
// JSON object.
const maxClockAnswer = 64 << 10

func runFakeCode(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const name = "xacct fake-sts code"
	fs := newFlagSet(name, stderr, fakeCodeUsage)
	config := fs.String("config", "", "scenario file (JSON; see package xaccttest)")
	user := fs.String("user", "", "the IAM user whose device's code to print: NAME, or ACCOUNT/NAME "+
		"when users of two accounts have that name")
	url := fs.String("url", "", "the URL of a running xacct fake-sts, whose clock decides the code")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	fail := func(code int, err error) int {
		report(stderr, name, err)
		return code
	}
	if err := unexpectedArgs(fs); err != nil {
		return fail(exitConfig, err)
	}
	if *config == "" || *user == "" {
		return fail(exitConfig, fmt.Errorf("--config FILE and --user NAME are required"))
	}
	sc, err := xaccttest.LoadScenarioFile(*config)
	if err != nil {
		return fail(exitFailure, err)
	}
	serial, secret, err := findDevice(sc, *user)
	if err != nil {
		return fail(exitConfig, err)
	}
	key, err := totp.DecodeSecret(secret)
	if err != nil {
		return fail(exitConfig, fmt.Errorf("the device of %s: its mfa_totp_secret is no base32 secret", serial))
	}
	now := time.Now()
	if *url != "" {
		if now, err = fakeClock(ctx, *url); err != nil {
			return fail(exitFailure, err)
		}
	}
	fmt.Fprintln(stdout, totp.Code(key, totp.Step(now)))
	left := totp.Period - time.Duration(now.Unix()%int64(totp.Period/time.Second))*time.Second
	fmt.Fprintf(stderr, "%s: the code of %s, for %s more\n", name, serial, left)
	return 0
}

// findDevice finds the MFA device of user (NAME or ACCOUNT/NAME).
func findDevice(sc *xaccttest.Scenario, user string) (serial, secret string, err error) {
	account, userName, scoped := strings.Cut(user, "/")
	if !scoped {
		account, userName = "", user
	}
	var found, all []string
	var secrets []string
	for id, a := range sc.Accounts {
		for n, u := range a.Users {
			if u.MFATOTPSecret == "" {
				continue
			}
			all = append(all, id+"/"+n)
			if n == userName && (account == "" || account == id) {
				found = append(found, "arn:aws:iam::"+id+":mfa/"+n)
				secrets = append(secrets, u.MFATOTPSecret)
			}
		}
	}
	slices.Sort(all)
	switch len(found) {
	case 1:
		return found[0], secrets[0], nil
	case 0:
		return "", "", fmt.Errorf("--user %q: no user of that name has an MFA device in the scenario (those with one: %s)",
			user, strings.Join(all, ", "))
	}
	slices.Sort(found)
	return "", "", fmt.Errorf("--user %q: users of several accounts have that name (%s): give ACCOUNT/NAME",
		user, strings.Join(found, ", "))
}

// fakeClock reads the clock of the fake STS at url.
func fakeClock(ctx context.Context, url string) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(url, "/")+xaccttest.AdminPath+"clock", nil)
	if err != nil {
		return time.Time{}, fmt.Errorf("--url %q: %v", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return time.Time{}, fmt.Errorf("--url %q: the fake's clock could not be read: is xacct fake-sts running there?", url)
	}
	defer resp.Body.Close()
	var state struct {
		Now string `json:"now"`
	}
	err = json.NewDecoder(io.LimitReader(resp.Body, maxClockAnswer)).Decode(&state)
	now, perr := time.Parse(time.RFC3339Nano, state.Now)
	if resp.StatusCode != http.StatusOK || err != nil || perr != nil {
		return time.Time{}, fmt.Errorf("--url %q: no clock of xacct fake-sts there (HTTP %d)", url, resp.StatusCode)
	}
	return now, nil
}
