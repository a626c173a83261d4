package main

// How a command's flags are parsed. A command declares its flags on a Go
// *flag.FlagSet (newFlagSet) and calls parseFlags, as Go commands do; the
// flags are parsed by pflag, cobra's flag library, so that they read as
// people expect of a command line (GNU style):
//
//   - --name value, --name=value, and -name value as Go's flag package
//     takes it (the spelling of every xacct release before cobra, which
//     stays): a single-dash word that names a flag of the command is read
//     as its double-dash spelling. -h, -help and --help ask for help.
//   - -p is --profile.
//   - Flags and arguments mix (xacct login prod --cache-dir D), except in
//     a command that runs a command (argsRule.command): there the first
//     argument that is no flag (after PROFILE, when the command takes one)
//     starts the command, and everything after it is the command's own,
//     with or without a "--" before it, as before.
//   - A command whose flags include --profile takes the profile as its
//     first argument too (xacct explain prod), as aws-vault does: giving
//     both is an error when they differ.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/spf13/pflag"
)

// argsRule says what a command's arguments after the flags are.
type argsRule struct {
	// command: the arguments are a command to run (exec,
	// for-each-account): parsing flags stops at the first of them.
	command bool
	// profileFirst: with command, the first argument is PROFILE, and the
	// command comes after it (exec).
	profileFirst bool
}

// argsRules holds the argsRule of the flag sets that have one (takeCommand),
// until parseFlags reads it: a flag set lives for one run of a command.
var argsRules sync.Map // *flag.FlagSet → argsRule

// takeCommand marks fs as the flag set of a command that runs a command
// given after its flags; profileFirst: PROFILE comes before it.
func takeCommand(fs *flag.FlagSet, profileFirst bool) {
	argsRules.Store(fs, argsRule{command: true, profileFirst: profileFirst})
}

// describePrefix starts the one argument of a run that only describes the
// command: parseFlags hands the flag set to describe and ends the run, so
// one declaration of the flags serves parsing, help and completion.
const describePrefix = "\x00xacct-describe:"

var (
	describeSeq atomic.Uint64
	described   sync.Map // describe argument → *flag.FlagSet
)

// description is a command's flag set and help, from a run in describe mode.
type description struct {
	fs   *flag.FlagSet
	rule argsRule
	help func(w io.Writer) // writes the usage and the flags
}

// errHelp is returned by parseArgs when the arguments ask for help.
var errHelp = errors.New("help requested")

// parseFlags parses args into fs; done is true when the command must end
// with code: a usage error (said on fs's output, the command's stderr)
// or -h. After it, fs.Args() are the arguments left: the command to run,
// or none.
func parseFlags(fs *flag.FlagSet, args []string) (code int, done bool) {
	rule, _ := argsRules.LoadAndDelete(fs)
	r, _ := rule.(argsRule)
	if len(args) == 1 && strings.HasPrefix(args[0], describePrefix) {
		argsRules.Store(fs, r) // for describe to read
		described.Store(args[0], fs)
		return 0, true
	}
	rest, err := parseArgs(fs, r, args)
	switch {
	case errors.Is(err, errHelp):
		fs.Usage()
		return 0, true
	case err != nil:
		fmt.Fprintf(fs.Output(), "%s: %v (see '%s -h')\n", fs.Name(), err, fs.Name())
		return exitConfig, true
	}
	// fs.Args() are what Parse leaves after "--": the values are already
	// in fs's flags, which pflag set through the same flag.Values.
	fs.Parse(append([]string{"--"}, rest...))
	return 0, false
}

// parseArgs parses args into fs by rule r, and returns the arguments
// left. An error names the flag and what is wrong with it; errHelp when
// the arguments ask for help.
func parseArgs(fs *flag.FlagSet, r argsRule, args []string) ([]string, error) {
	pf := pflagSet(fs)
	flagArgs, command, hasCommand := splitArgs(pf, r, args)
	if err := pf.Parse(flagArgs); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, errHelp
		}
		return nil, err
	}
	rest := pf.Args()
	if p := fs.Lookup("profile"); p != nil && (!r.command || r.profileFirst) && len(rest) > 0 &&
		pf.ArgsLenAtDash() != 0 {
		given := pf.Lookup("profile").Changed
		if given && p.Value.String() != rest[0] {
			return nil, fmt.Errorf("the profile is given twice, as %q and as --profile %s: give one", rest[0], p.Value)
		}
		if err := p.Value.Set(rest[0]); err != nil {
			return nil, err
		}
		rest = rest[1:]
	}
	if hasCommand {
		rest = append(rest, command...)
	}
	return rest, nil
}

// pflagSet returns a pflag set over the flags of fs: the same values, with
// -p for --profile.
func pflagSet(fs *flag.FlagSet) *pflag.FlagSet {
	pf := pflag.NewFlagSet(fs.Name(), pflag.ContinueOnError)
	pf.SetOutput(io.Discard) // errors are the command's to say
	pf.SortFlags = false
	fs.VisitAll(func(g *flag.Flag) {
		f := pflag.PFlagFromGoFlag(g)
		if f.Name == "profile" {
			f.Shorthand = "p"
		}
		pf.AddFlag(f)
	})
	return pf
}

// splitArgs rewrites Go-style flags (-name, -name=value) in their
// double-dash spelling and, for a command that runs a command, splits
// that command off: it starts at the first argument that is no flag (and
// not PROFILE), or after "--".
func splitArgs(pf *pflag.FlagSet, r argsRule, args []string) (flags, command []string, hasCommand bool) {
	profileGiven, positional := false, 0
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			if r.command {
				return flags, args[i+1:], true
			}
			return append(flags, args[i:]...), nil, false
		case len(a) > 1 && a[0] == '-':
			a = longSpelling(pf, a)
			flags = append(flags, a)
			name, takesNext := flagArg(pf, a)
			if takesNext && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
			profileGiven = profileGiven || name == "profile"
		case r.command && (!r.profileFirst || profileGiven || positional > 0):
			return flags, args[i:], true
		default:
			positional++
			flags = append(flags, a)
		}
	}
	return flags, nil, false
}

// longSpelling returns a single-dash flag that names a long flag of pf
// (-profile, -json=false, -help) in its double-dash spelling.
func longSpelling(pf *pflag.FlagSet, a string) string {
	if strings.HasPrefix(a, "--") || len(a) == 2 {
		return a
	}
	name, _, _ := strings.Cut(a[1:], "=")
	if name == "help" || pf.Lookup(name) != nil {
		return "-" + a
	}
	return a
}

// flagArg returns the name of the flag that a (in its long spelling, or
// shorthands) sets, and whether its value is the next argument.
func flagArg(pf *pflag.FlagSet, a string) (name string, takesNext bool) {
	if strings.HasPrefix(a, "--") {
		n, _, hasValue := strings.Cut(a[2:], "=")
		f := pf.Lookup(n)
		return n, f != nil && !hasValue && f.NoOptDefVal == ""
	}
	// Shorthands may be combined (-ab); one that takes a value takes the
	// rest of the word, or else the next argument.
	for j := 1; j < len(a) && a[j] != '='; j++ {
		f := pf.ShorthandLookup(a[j : j+1])
		if f == nil {
			return "", false // pflag says what is wrong
		}
		if f.NoOptDefVal == "" {
			return f.Name, j == len(a)-1
		}
	}
	return "", false
}

// describe runs c in describe mode: its flag set, argument rule and help,
// without running it. sub are the arguments before the flags (cache's
// list or clear).
func describeCommand(c command, sub ...string) (*description, bool) {
	arg := describePrefix + strconv.FormatUint(describeSeq.Add(1), 10)
	out := &switchWriter{}
	c.run(context.Background(), append(sub, arg), io.Discard, out)
	v, ok := described.LoadAndDelete(arg)
	if !ok {
		return nil, false
	}
	fs := v.(*flag.FlagSet)
	rule, _ := argsRules.LoadAndDelete(fs)
	r, _ := rule.(argsRule)
	return &description{fs: fs, rule: r, help: func(w io.Writer) {
		out.set(w)
		defer out.set(io.Discard)
		fs.Usage()
	}}, true
}

// switchWriter writes where it is set to: the help of a described command
// goes where it is asked for, after the run that declared its flags.
type switchWriter struct {
	mu sync.Mutex // guards w
	w  io.Writer
}

func (s *switchWriter) set(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w = w
}

func (s *switchWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w == nil {
		return len(p), nil
	}
	return s.w.Write(p)
}

// newFlagSet returns the flag set of a command whose -h prints usage and
// then the flags, in their double-dash spelling, on stderr; the command
// line (cli.go) prints them on stdout.
func newFlagSet(name string, stderr io.Writer, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		printFlags(stderr, fs)
	}
	return fs
}

// printFlags lists the flags of fs as usage lines spell them: --name.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	pf := pflagSet(fs)
	pf.BoolP("help", "h", false, "print this help")
	fmt.Fprintf(w, "Flags:\n%s", pf.FlagUsagesWrapped(100))
}
