package main

// The measurement of the README's "Tools" table: 16 AWS CLI processes
// started at once, then 16 one after another, on a two-hop chain on an MFA
// session, first through `xacct credential-process`, then through the AWS
// CLI's own assume-role provider. Processes, not goroutines.

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// cliRound is what one round of AWS CLI processes did.
type cliRound struct {
	ok, prompts, sts int // processes that got deployARN, prompts shown, STS calls but GetCallerIdentity
	token            int // runs of xacct's token command
	took             time.Duration
	failures         []string // the first lines of failed processes' stderr
}

func TestStoreAcrossAWSCLIProcesses(t *testing.T) {
	t.Parallel()
	if why := missingCommand("aws", "the awscli package"); why != "" {
		t.Skipf("skipping the measurement with the AWS CLI: %s (.ci/run installs it)", why)
	}
	w := newToolsWorld(t)

	// round runs n `aws sts get-caller-identity --profile profile`, all at
	// once or one after another; stdin is what a person would type at
	// the AWS CLI's prompt (the device's code of now), for the AWS CLI's
	// own provider.
	round := func(profile string, n int, together bool) cliRound {
		stsBefore, tokenBefore := w.stsCalls(), w.tokenRuns()
		results := make([]result, n)
		start := time.Now()
		one := func(i int) {
			// No terminal: getpass reads stdin, as under a CI job.
			cmd := detached(w.env, "aws", "sts", "get-caller-identity", "--profile", profile, "--output", "json")
			results[i] = runCmd(t, cmd, codeAt(t, cliTOTP, time.Now())+"\n")
		}
		if together {
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() { defer wg.Done(); one(i) }()
			}
			wg.Wait()
		} else {
			for i := range n {
				one(i)
			}
		}
		r := cliRound{took: time.Since(start), token: w.tokenRuns() - tokenBefore, sts: w.stsCalls() - stsBefore}
		for _, res := range results {
			var v struct{ Arn string }
			if res.code == 0 && json.Unmarshal([]byte(res.stdout), &v) == nil && v.Arn == deployARN {
				r.ok++
			} else if len(r.failures) < 3 {
				r.failures = append(r.failures, lastLine(res.stderr))
			}
			r.prompts += strings.Count(res.stderr, "Enter MFA code for ")
			assertNoSecret(t, "the AWS CLI's output", res.stdout+res.stderr)
		}
		return r
	}

	// xacct: the chain dev → Admin → Deploy, on an MFA session, through
	// credential_process.
	x1 := round("wrapped", 16, true)
	if x1.ok != 16 {
		t.Fatalf("16 at once through xacct credential-process: %d succeeded; failures: %q", x1.ok, x1.failures)
	}
	s, a, d := w.calls("GetSessionToken", devMFA), w.calls("AssumeRole", adminRole), w.calls("AssumeRole", deployRole)
	if s != 1 || a != 1 || d != 1 || x1.token != 1 {
		t.Errorf("16 at once: %d GetSessionToken, %d AssumeRole Admin, %d AssumeRole Deploy, %d token runs; want 1 of each",
			s, a, d, x1.token)
	}
	x2 := round("wrapped", 16, false)
	if x2.ok != 16 || x2.sts != 0 || x2.token != 0 {
		t.Errorf("16 after, one by one: %d succeeded, %d STS calls, %d token runs; want 16, 0, 0", x2.ok, x2.sts, x2.token)
	}

	// The AWS CLI's own provider: the same roles, mfa_serial on the Admin
	// hop (it ignores one on a profile with keys), its own cache in HOME.
	c1 := round("cli-chain", 16, true)
	c2 := round("cli-chain", 16, false)
	if c1.prompts == 0 {
		t.Errorf("the AWS CLI asked for no code: the comparison measures nothing (%q)", c1.failures)
	}

	row := func(what string, x, c any) string { return fmt.Sprintf("| %s | %v | %v |\n", what, x, c) }
	table := "\n| 16 `aws sts get-caller-identity` | xacct credential-process | AWS CLI's assume-role provider |\n" +
		"| --- | --- | --- |\n" +
		row("at once: succeeded", x1.ok, c1.ok) +
		row("at once: STS calls (GetSessionToken + AssumeRole)", x1.sts, c1.sts) +
		row("at once: MFA prompts (token command runs for xacct)", x1.token, c1.prompts) +
		row("at once: wall time", x1.took.Round(100*time.Millisecond), c1.took.Round(100*time.Millisecond)) +
		row("then one by one: succeeded", x2.ok, c2.ok) +
		row("then one by one: STS calls", x2.sts, c2.sts) +
		row("then one by one: MFA prompts", x2.token, c2.prompts) +
		row("then one by one: wall time", x2.took.Round(100*time.Millisecond), c2.took.Round(100*time.Millisecond))
	t.Logf("measured (%s):%s", awsVersion(), table)
	if len(c1.failures) > 0 {
		t.Logf("the AWS CLI's failures at once, first lines: %q", c1.failures)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func awsVersion() string {
	out, _ := exec.Command("aws", "--version").CombinedOutput()
	return strings.TrimSpace(string(out))
}
