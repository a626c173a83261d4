package main

// The command line: cobra's tree over the registered commands, for
// dispatch, help (-h, xacct help CMD: on stdout, exit 0), --version and
// shell completion (xacct completion bash|zsh|fish) of commands, flags and
// profile names. Each command parses its own flags (flagparse.go); cobra
// learns them from a run in describe mode, and never parses them itself,
// so that a command's flags are declared once and mean the same in every
// spelling.

import (
	"context"
	"fmt"
	"io"
	"maps"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/xacct/xacct/internal/sharedini"
)

// cli runs one command line.
type cli struct {
	ctx            context.Context
	stdout, stderr io.Writer
	code           int // the exit code, set by the command that ran
}

// execute runs args and returns the exit code.
func (a *cli) execute(args []string) int {
	root := a.root()
	root.SetArgs(normalizeRootArgs(args))
	if err := root.ExecuteContext(a.ctx); err != nil {
		fmt.Fprintf(a.stderr, "xacct: %v (see 'xacct -h')\n", err)
		return exitConfig
	}
	return a.code
}

// normalizeRootArgs spells the Go-style forms of the root's own flags
// (-help, -version) as cobra reads them.
func normalizeRootArgs(args []string) []string {
	if len(args) > 0 {
		switch args[0] {
		case "-help":
			return append([]string{"--help"}, args[1:]...)
		case "-version":
			return append([]string{"--version"}, args[1:]...)
		}
	}
	return args
}

func (a *cli) root() *cobra.Command {
	root := &cobra.Command{
		Use:           "xacct",
		Short:         "AWS cross-account credentials",
		Version:       version(),
		Args:          cobra.ArbitraryArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		Run: func(cmd *cobra.Command, args []string) {
			if len(args) == 0 {
				fmt.Fprint(a.stderr, usage())
				a.code = exitConfig
				return
			}
			msg := fmt.Sprintf("xacct: unknown command %q", args[0])
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(s, " or "))
			}
			fmt.Fprintf(a.stderr, "%s\n\n%s", msg, usage())
			a.code = exitConfig
		},
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetVersionTemplate("{{.Version}}\n")
	cobraHelp := root.HelpFunc()
	root.SetHelpFunc(func(cmd *cobra.Command, args []string) {
		switch name := cmd.Annotations["xacct"]; {
		case name != "":
			a.help(cmd.OutOrStdout(), commands[name], cmd.Annotations["sub"])
		case cmd == cmd.Root():
			fmt.Fprint(cmd.OutOrStdout(), usage())
		default: // cobra's own: completion
			cobraHelp(cmd, args)
		}
	})
	for _, name := range slices.Sorted(maps.Keys(commands)) {
		root.AddCommand(a.command(commands[name], ""))
	}
	return root
}

// command is the cobra command of c (of its subcommand sub, when not "").
func (a *cli) command(c command, sub string) *cobra.Command {
	name := c.name
	if sub != "" {
		name = sub
	}
	cmd := &cobra.Command{
		Use:                name,
		Short:              c.summary,
		DisableFlagParsing: true,
		Annotations:        map[string]string{"xacct": c.name, "sub": sub},
		Run: func(cmd *cobra.Command, args []string) {
			a.code = a.runCommand(c, sub, args)
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return completeArgs(c, sub, args, toComplete)
		},
	}
	if d, ok := describeSub(c, sub); ok {
		cmd.Flags().AddFlagSet(pflagSet(d.fs))
	}
	if sub == "" {
		for _, child := range c.children {
			cmd.AddCommand(a.command(c, child))
		}
	}
	return cmd
}

// describeSub describes c, or its subcommand sub.
func describeSub(c command, sub string) (*description, bool) {
	if sub == "" {
		return describeCommand(c)
	}
	return describeCommand(c, sub)
}

// runCommand runs c (its subcommand sub) on args: help on stdout for -h,
// a usage error for flags it does not take, else the command itself.
func (a *cli) runCommand(c command, sub string, args []string) int {
	if d, ok := describeSub(c, sub); ok {
		_, err := parseArgs(d.fs, d.rule, args)
		switch {
		case err == errHelp:
			d.help(a.stdout)
			return 0
		case err != nil:
			fmt.Fprintf(a.stderr, "%s: %v (see '%s -h')\n", d.fs.Name(), err, d.fs.Name())
			return exitConfig
		}
	}
	if sub != "" {
		args = append([]string{sub}, args...)
	}
	return c.run(a.ctx, args, a.stdout, a.stderr)
}

// help writes the help of c (its subcommand sub) on w.
func (a *cli) help(w io.Writer, c command, sub string) {
	if d, ok := describeSub(c, sub); ok {
		d.help(w)
		return
	}
	// A command without flags answers -h itself.
	args := []string{"-h"}
	if sub != "" {
		args = []string{sub, "-h"}
	}
	c.run(a.ctx, args, w, w)
}

// completeArgs completes the arguments of c that are no flag name (cobra
// completes those): profile names after --profile, or as the first
// argument of a command that takes PROFILE.
func completeArgs(c command, sub string, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	d, ok := describeSub(c, sub)
	if !ok || strings.HasPrefix(toComplete, "-") && !strings.Contains(toComplete, "=") {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	if v, found := strings.CutPrefix(toComplete, "--profile="); found {
		return prefixed("--profile=", profileNames(v)), cobra.ShellCompDirectiveNoFileComp
	}
	if n := len(args); n > 0 && slices.Contains([]string{"--profile", "-profile", "-p"}, args[n-1]) {
		return profileNames(toComplete), cobra.ShellCompDirectiveNoFileComp
	}
	if d.fs.Lookup("profile") == nil || d.rule.command && !d.rule.profileFirst {
		return nil, cobra.ShellCompDirectiveDefault
	}
	pf := pflagSet(d.fs)
	flags, command, _ := splitArgs(pf, d.rule, args)
	if command != nil {
		return nil, cobra.ShellCompDirectiveDefault // the command's own arguments
	}
	if pf.Parse(flags) == nil && pf.NArg() == 0 && !pf.Lookup("profile").Changed {
		return profileNames(toComplete), cobra.ShellCompDirectiveNoFileComp
	}
	return nil, cobra.ShellCompDirectiveDefault
}

func prefixed(prefix string, names []string) []string {
	for i, n := range names {
		names[i] = prefix + n
	}
	return names
}

// profileNames returns the profiles of the user's shared files that start
// with prefix.
func profileNames(prefix string) []string {
	env, err := config.NewEnvConfig()
	if err != nil {
		return nil
	}
	idx, _ := sharedini.ReadIndex(sharedini.Find(nil, nil, env))
	if idx == nil {
		return nil
	}
	var out []string
	for _, n := range idx.Names() {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

// version says which xacct this is: the module's version and the VCS
// revision it was built from, as the Go toolchain recorded them.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "xacct (no build information)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	rev, modified := "", ""
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", with uncommitted changes"
			}
		}
	}
	if rev == "" {
		return fmt.Sprintf("xacct %s (%s, revision unknown: built without VCS information)", v, bi.GoVersion)
	}
	return fmt.Sprintf("xacct %s (revision %s%s, %s)", v, rev, modified, bi.GoVersion)
}
