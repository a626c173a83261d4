package main

import (
	"bytes"
	"context"
	"flag"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/xacct/xacct/internal/testutil"
)

// helpTargets are every command and subcommand, as typed.
func helpTargets() [][]string {
	var out [][]string
	for _, name := range slices.Sorted(maps.Keys(commands)) {
		out = append(out, []string{name})
		for _, child := range commands[name].children {
			out = append(out, []string{name, child})
		}
	}
	return out
}

// Every command answers -h, --help, -help and 'xacct help CMD' with its
// own usage and flags on stdout, and exit 0; flag lists spell flags as
// usage lines do.
func TestHelpOnStdout(t *testing.T) {
	t.Parallel()
	for _, target := range helpTargets() {
		var want string
		for _, args := range [][]string{
			append(slices.Clone(target), "-h"), append(slices.Clone(target), "--help"),
			append(slices.Clone(target), "-help"), append([]string{"help"}, target...),
		} {
			var out, errOut bytes.Buffer
			code := run(context.Background(), args, &out, &errOut)
			if code != 0 || errOut.Len() != 0 || !strings.HasPrefix(out.String(), "usage: xacct "+target[0]) {
				t.Errorf("xacct %q: exit %d, stderr %q, stdout %.80q; want 0, nothing, the usage", args, code, errOut.String(), out.String())
				continue
			}
			if want == "" {
				want = out.String()
			} else if out.String() != want {
				t.Errorf("xacct %q: help differs from the first form's", args)
			}
			if strings.Contains(out.String(), "\n  -profile") || strings.Contains(out.String(), "\n  -json") {
				t.Errorf("xacct %q: the flag list spells flags with one dash:\n%s", args, out.String())
			}
		}
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"--version", "-version", "-v"} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{arg}, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "xacct ") ||
			!strings.Contains(out.String(), "revision") {
			t.Errorf("xacct %s: exit %d, stdout %q, stderr %q", arg, code, out.String(), errOut.String())
		}
	}
}

// The rules of parseArgs: every spelling of a flag that earlier releases
// took still works; the profile comes as a flag or the first argument;
// a command to run starts at its first word.
func TestParseArgs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		rule    argsRule
		args    []string
		profile string
		json    bool
		rest    []string
		err     string
	}{
		{name: "Go's single dash", args: []string{"-profile", "p", "-json"}, profile: "p", json: true},
		{name: "Go's single dash with =", args: []string{"-profile=p", "-json=false"}, profile: "p"},
		{name: "double dash", args: []string{"--profile", "p", "--json"}, profile: "p", json: true},
		{name: "-p", args: []string{"-p", "p"}, profile: "p"},
		{name: "-p joined", args: []string{"-pp"}, profile: "p"},
		{name: "positional profile, flags after it", args: []string{"p", "--json"}, profile: "p", json: true},
		{name: "the same profile twice", args: []string{"p", "--profile", "p"}, profile: "p"},
		{name: "two profiles", args: []string{"p", "--profile", "q"}, err: "the profile is given twice"},
		{name: "-- then argument", args: []string{"--", "p"}, rest: []string{"p"}},
		{name: "unknown flag", args: []string{"--nope"}, err: "unknown flag: --nope"},
		{name: "-h", args: []string{"p", "-h"}, err: "help requested"},
		{name: "exec: PROFILE -- CMD", rule: argsRule{command: true, profileFirst: true},
			args: []string{"p", "--", "aws", "-h"}, profile: "p", rest: []string{"aws", "-h"}},
		{name: "exec: PROFILE CMD with flags of its own", rule: argsRule{command: true, profileFirst: true},
			args: []string{"p", "--json", "aws", "s3", "--profile", "x"}, profile: "p", json: true,
			rest: []string{"aws", "s3", "--profile", "x"}},
		{name: "exec: --profile P CMD, as before", rule: argsRule{command: true, profileFirst: true},
			args: []string{"-profile", "p", "aws", "--json"}, profile: "p", rest: []string{"aws", "--json"}},
		{name: "exec: PROFILE only", rule: argsRule{command: true, profileFirst: true}, args: []string{"p"}, profile: "p"},
		{name: "exec: -- CMD, the default profile", rule: argsRule{command: true, profileFirst: true},
			args: []string{"--", "aws"}, rest: []string{"aws"}},
		{name: "for-each-account: CMD at once", rule: argsRule{command: true},
			args: []string{"--profile", "p", "aws", "--json"}, profile: "p", rest: []string{"aws", "--json"}},
		{name: "for-each-account: no PROFILE argument", rule: argsRule{command: true},
			args: []string{"aws"}, rest: []string{"aws"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := flag.NewFlagSet("xacct t", flag.ContinueOnError)
			profile := fs.String("profile", "", "")
			asJSON := fs.Bool("json", false, "")
			rest, err := parseArgs(fs, tt.rule, tt.args)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parseArgs(%q): %v; want %q", tt.args, err, tt.err)
				}
				return
			}
			if err != nil || *profile != tt.profile || *asJSON != tt.json || !slices.Equal(rest, tt.rest) {
				t.Errorf("parseArgs(%q): profile %q json %v rest %q err %v; want %q %v %q",
					tt.args, *profile, *asJSON, rest, err, tt.profile, tt.json, tt.rest)
			}
		})
	}
}

// Completion offers the commands, their flags, and the profiles of the
// user's config, where a profile goes.
func TestCompletion(t *testing.T) {
	dir := t.TempDir()
	cfg := dir + "/config"
	testutil.WriteFile(t, cfg, "[profile dev]\nregion = eu-west-1\n[profile deploy]\nsource_profile = dev\n"+
		"role_arn = arn:aws:iam::222222222222:role/Deploy\n[default]\nregion = eu-west-1\n", 0o600)
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/none")
	for _, tt := range []struct {
		args []string
		want []string
		not  []string
	}{
		{[]string{"ex"}, []string{"exec", "explain"}, []string{"login"}},
		{[]string{"explain", ""}, []string{"default", "deploy", "dev"}, nil},
		{[]string{"login", "dep"}, []string{"deploy"}, []string{"dev"}},
		{[]string{"exec", "-p", "dep"}, []string{"deploy"}, []string{"dev", "default"}},
		{[]string{"exec", "--profile=de"}, []string{"--profile=deploy", "--profile=dev"}, nil},
		{[]string{"exec", "dev", ""}, nil, []string{"deploy"}},
		{[]string{"credential-process", "--"}, []string{"--profile", "--cache-dir", "--no-cache", "--timeout"}, nil},
		{[]string{"cache", ""}, []string{"list", "clear"}, nil},
		{[]string{"cache", "clear", "--pro"}, []string{"--profile"}, nil},
		{[]string{"for-each-account", ""}, nil, []string{"dev"}},
		{[]string{"completion", ""}, []string{"bash", "zsh", "fish"}, nil},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"__complete"}, tt.args...), &out, &errOut)
		if code != 0 {
			t.Errorf("complete %q: exit %d: %s", tt.args, code, errOut.String())
		}
		for _, w := range tt.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("complete %q: lacks %q:\n%s", tt.args, w, out.String())
			}
		}
		for _, w := range tt.not {
			if strings.Contains(out.String(), w) {
				t.Errorf("complete %q: offers %q:\n%s", tt.args, w, out.String())
			}
		}
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"completion", shell}, &out, &errOut); code != 0 ||
			!strings.Contains(out.String(), "__complete") {
			t.Errorf("completion %s: exit %d, %.200q %s", shell, code, out.String(), errOut.String())
		}
	}
}
