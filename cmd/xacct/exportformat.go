package main

// Printing variables for a shell or a program to take in: the formats of
// `xacct env --format` (and of every command that prints variables), each
// quoting values so that the shell reads back exactly what was printed.

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// exportFormats are the values of --format, in the order help lists them.
var exportFormats = []string{"sh", "fish", "pwsh", "json", "dotenv"}

// formatHelp is the help of a --format flag.
const formatHelp = "how to print the variables: sh (bash, zsh: eval \"$(xacct env P)\"), fish (| source), " +
	"pwsh (| Invoke-Expression), json (one object; variables to remove are null), dotenv (KEY=\"value\" lines, as docker --env-file and " +
	"dotenv libraries read them)"

// envVar is one variable to export.
type envVar struct{ name, value string }

// credentialVarList returns the variables that hand creds (and region,
// when not "") to a program, in the order credentialEnv sets them.
func credentialVarList(creds aws.Credentials, region string) []envVar {
	vars := []envVar{{"AWS_ACCESS_KEY_ID", creds.AccessKeyID}, {"AWS_SECRET_ACCESS_KEY", creds.SecretAccessKey}}
	if creds.SessionToken != "" {
		vars = append(vars, envVar{"AWS_SESSION_TOKEN", creds.SessionToken})
	}
	if creds.CanExpire {
		vars = append(vars, envVar{"AWS_CREDENTIAL_EXPIRATION", creds.Expires.UTC().Format(time.RFC3339)})
	}
	if creds.AccountID != "" {
		vars = append(vars, envVar{"AWS_ACCOUNT_ID", creds.AccountID})
	}
	if region != "" {
		vars = append(vars, envVar{"AWS_REGION", region}, envVar{"AWS_DEFAULT_REGION", region})
	}
	return vars
}

// checkExportFormat refuses a --format that writeExport does not know.
func checkExportFormat(format string) error {
	for _, f := range exportFormats {
		if f == format {
			return nil
		}
	}
	return failf(exitConfig, "", "--format %q: want one of %s", format, strings.Join(exportFormats, ", "))
}

// writeExport writes vars in format (checked by checkExportFormat); unset
// are variables that the shell formats remove, so that nothing left from
// before (a profile) competes with the keys.
func writeExport(w io.Writer, format string, vars []envVar, unset []string) error {
	var b strings.Builder
	switch format {
	case "json":
		m := make(map[string]*string, len(vars)+len(unset))
		for _, k := range unset {
			m[k] = nil // to remove: a script tells it from an empty value
		}
		for _, v := range vars {
			m[v.name] = &v.value
		}
		line, err := json.Marshal(m)
		if err != nil {
			return err
		}
		b.Write(append(line, '\n'))
	case "dotenv":
		for _, v := range vars {
			fmt.Fprintf(&b, "%s=\"%s\"\n", v.name, strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v.value))
		}
	default:
		writeShell(&b, format, vars, unset)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeShell writes vars as the commands of shell sh, fish or pwsh.
func writeShell(b *strings.Builder, shell string, vars []envVar, unset []string) {
	for _, name := range unset {
		switch shell {
		case "sh":
			fmt.Fprintf(b, "unset %s\n", name)
		case "fish":
			fmt.Fprintf(b, "set -e %s\n", name)
		case "pwsh":
			fmt.Fprintf(b, "Remove-Item -ErrorAction SilentlyContinue Env:%s\n", name)
		}
	}
	for _, v := range vars {
		switch shell {
		case "sh":
			fmt.Fprintf(b, "export %s='%s'\n", v.name, strings.ReplaceAll(v.value, "'", `'\''`))
		case "fish":
			fmt.Fprintf(b, "set -gx %s '%s'\n", v.name, strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(v.value))
		case "pwsh":
			fmt.Fprintf(b, "$Env:%s = '%s'\n", v.name, strings.ReplaceAll(v.value, "'", "''"))
		}
	}
}
