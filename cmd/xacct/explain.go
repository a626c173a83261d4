package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xacct/xacct"
)

func init() {
	register(command{
		name:    "explain",
		summary: "print the chain of an AWS profile, with no network call: [PROFILE | --profile P] [--output text|json]",
		run:     runExplain,
	})
}

const explainUsage = "usage: xacct explain [PROFILE | --profile P] [--output text|json]\n\n" +
	"Prints the chain that xacct.LoadConfig builds for an AWS profile: the base credentials,\n" +
	"each hop (role, External ID, MFA device, duration, role chaining) and when MFA codes are\n" +
	"asked for. It reads AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE (else ~/.aws/config\n" +
	"and ~/.aws/credentials), makes no network call, and prints no secret. For an SSO base it\n" +
	"shows the session, and whether a token is cached and until when (read from\n" +
	"~/.aws/sso/cache, never shown).\n\n" +
	"Exit status: 0 the plan; 1 it could not be written to stdout; 2 bad usage or a wrong\n" +
	"profile (the error on stderr, one line).\n\n"

// runExplain prints what xacct.LoadConfig would build for a profile: the
// base, each hop, the MFA strategy. It reads the shared files only, makes
// no network call, and prints no secret.
func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const name = "xacct explain"
	fail := func(err error) int {
		report(stderr, name, interrupted(ctx, err))
		return exitCodeOf(ctx, err, nil)
	}
	var f profileFlags
	fs := newFlagSet(name, stderr, explainUsage)
	f.addProfile(fs)
	output := addOutput(fs, false, "the plan as JSON (xacct.ProfilePlan), for scripts")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if err := unexpectedArgs(fs); err != nil {
		return fail(err)
	}
	asJSON, err := output.asJSON()
	if err != nil {
		return fail(err)
	}
	followWrapper(ctx, stderr, name, &f)
	plan, err := xacct.PlanProfile(ctx, f.profile)
	if err != nil {
		return fail(&exitError{code: exitConfig, err: err})
	}
	out := &stdoutWriter{w: stdout}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.Encode(plan) // a plan always encodes: only writing can fail
	} else {
		writePlan(out, plan, ssoTokenLines(ctx, plan, time.Now()))
	}
	return stdoutFailed(stderr, name, out)
}

// writePlan prints a plan for a person; signIn are lines about an SSO
// base's sign-in.
func writePlan(w io.Writer, p *xacct.ProfilePlan, signIn []string) {
	chosen := map[string]string{
		"argument": "the command line", "AWS_PROFILE": "AWS_PROFILE", "AWS_DEFAULT_PROFILE": "AWS_DEFAULT_PROFILE",
		"default": "the default, as neither --profile nor AWS_PROFILE is set",
	}[p.ChosenBy]
	fmt.Fprintf(w, "profile %s (from %s)\n", p.Profile, chosen)
	fmt.Fprintf(w, "files:   %s\n", strings.Join(append(append([]string(nil), p.ConfigFiles...), p.CredentialsFiles...), ", "))
	region := p.Region
	if region == "" {
		region = "none in the profile: the commands take --region, else AWS_REGION or AWS_DEFAULT_REGION, " +
			"else the region of the chain's profiles (a program with the library gives one in its config)"
	}
	fmt.Fprintf(w, "region:  %s\n\n", region)

	b := p.Base
	fmt.Fprintf(w, "base:    %s of profile %s%s\n", b.Kind, b.Profile, at(b.Key, b.File, b.Line))
	fmt.Fprintf(w, "         %s\n", b.Detail)
	for _, l := range signIn {
		fmt.Fprintf(w, "         %s\n", l)
	}
	if b.MFASerial != "" {
		fmt.Fprintf(w, "         MFA session on %s: one code per %v session\n",
			b.MFASerial, time.Duration(b.SessionSeconds)*time.Second)
	}
	if len(p.Hops) > 0 {
		fmt.Fprintf(w, "         hop 1 on it is role chaining: %s (%s)\n", b.Chaining, b.ChainingWhy)
	}
	for _, h := range p.Hops {
		fmt.Fprintf(w, "hop %d:   %s (profile %s%s)\n", h.Hop, h.RoleARN, h.Profile, at("", h.File, h.Line))
		var parts []string
		if h.ExternalID != "" {
			parts = append(parts, "external ID "+h.ExternalID)
		}
		if h.MFASerial != "" {
			parts = append(parts, "MFA device "+h.MFASerial+" (a code on each AssumeRole)")
		}
		d := fmt.Sprint(time.Duration(h.DurationSeconds) * time.Second)
		if h.DefaultDuration {
			d += " (the default)"
		}
		parts = append(parts, "duration "+d)
		if h.Chaining {
			parts = append(parts, "role chaining: STS caps it at 1h")
		}
		parts = append(parts, "session name "+h.SessionName)
		fmt.Fprintf(w, "         %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "\nMFA:     %s\n", p.MFA)
	if len(p.Notes) > 0 {
		fmt.Fprintln(w, "notes:")
		for _, n := range p.Notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
}

// at says where a key is written: ", credential_process in FILE:LINE".
func at(key, file string, line int) string {
	if file == "" {
		return ""
	}
	where := file
	if line > 0 {
		where += fmt.Sprintf(":%d", line)
	}
	if key != "" {
		return ", " + key + " in " + where
	}
	return ", " + where
}
