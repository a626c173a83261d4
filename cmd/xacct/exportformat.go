package main

// Printing variables for a shell or a program to take in: the --format of
// `xacct serve` (and of any command that prints an environment). One
// writer per format, each quoting every value so that the shell reads
// back exactly the bytes given.

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// exportFormats are the values of --format, in the order of its help.
var exportFormats = []string{"sh", "fish", "pwsh", "json", "dotenv"}

// exportFormatHelp is the help text of --format.
const exportFormatHelp = "how to print the variables: sh (export K='v', also bash and zsh), fish (set -gx), " +
	"pwsh ($Env:K = 'v'), json (one object; variables to remove are null), dotenv (K=v lines, for IDEs and docker --env-file)"

// exportVar is one variable to set.
type exportVar struct{ name, value string }

// checkExportFormat refuses a --format that is not one of exportFormats.
func checkExportFormat(format string) error {
	if slices.Contains(exportFormats, format) {
		return nil
	}
	return failf(exitConfig, "", "--format %q is not a format: want one of %s", format, strings.Join(exportFormats, ", "))
}

// writeExports prints set and unset (variables to remove, which dotenv
// cannot say and leaves out) in format, which checkExportFormat accepted.
func writeExports(w io.Writer, format string, set []exportVar, unset []string) error {
	var b strings.Builder
	switch format {
	case "json":
		m := map[string]*string{}
		for _, k := range unset {
			m[k] = nil
		}
		for _, v := range set {
			m[v.name] = &v.value
		}
		out, err := json.Marshal(m)
		if err != nil {
			return err
		}
		b.Write(out)
		b.WriteByte('\n')
	default:
		for _, k := range unset {
			b.WriteString(unsetLine(format, k))
		}
		for _, v := range set {
			b.WriteString(setLine(format, v))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// unsetLine removes k in format; "" where the format cannot (dotenv).
func unsetLine(format, k string) string {
	switch format {
	case "sh":
		return "unset " + k + "\n"
	case "fish":
		return "set -e " + k + "\n"
	case "pwsh":
		return "Remove-Item Env:" + k + " -ErrorAction SilentlyContinue\n"
	}
	return ""
}

// setLine sets v in format.
func setLine(format string, v exportVar) string {
	switch format {
	case "sh":
		// In '...' nothing is special but the quote: end, \', reopen.
		return fmt.Sprintf("export %s='%s'\n", v.name, strings.ReplaceAll(v.value, "'", `'\''`))
	case "fish":
		// In fish's '...', \\ and \' are the escapes.
		return fmt.Sprintf("set -gx %s '%s'\n", v.name, strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(v.value))
	case "pwsh":
		// In PowerShell's '...', a quote is doubled (and so are its
		// typographic forms, which it takes for quotes too).
		q := strings.NewReplacer("'", "''", "\u2018", "\u2018\u2018", "\u2019", "\u2019\u2019").Replace(v.value)
		return fmt.Sprintf("$Env:%s = '%s'\n", v.name, q)
	}
	return v.name + "=" + dotenvValue(v.value) + "\n"
}

// dotenvValue is v bare when it is made of characters no dotenv reader
// treats specially (paths, URLs, tokens), else double-quoted with \ and "
// escaped, which the dotenv readers of Node, Python and Go read back.
func dotenvValue(v string) string {
	if v != "" && strings.Trim(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:._-+,@%") == "" {
		return v
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "$", `\$`).Replace(v) + `"`
}
