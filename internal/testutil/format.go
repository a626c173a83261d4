package testutil

// What a test of formatting needs: the exported types of a package, read
// from its source so that a new one is never left out, and a check that no
// fmt verb shows a secret.

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// ExportedTypes returns the names of the exported types declared in the
// package in dir, whatever their build tags, sorted; interfaces are
// listed apart (a value of one is a value of another type).
func ExportedTypes(dir string) (types, interfaces []string, err error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, nil, err
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, s := range g.Specs {
				ts := s.(*ast.TypeSpec)
				switch _, isInterface := ts.Type.(*ast.InterfaceType); {
				case !ts.Name.IsExported():
				case isInterface:
					interfaces = append(interfaces, ts.Name.Name)
				default:
					types = append(types, ts.Name.Name)
				}
			}
		}
	}
	slices.Sort(types)
	slices.Sort(interfaces)
	return slices.Compact(types), slices.Compact(interfaces), nil
}

// FormatVerbs are the verbs FormatLeaks formats with, besides fmt.Sprint
// and fmt.Sprintln.
var FormatVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"}

// FormatLeaks formats v with every verb of FormatVerbs, fmt.Sprint and
// fmt.Sprintln, and returns a line for each output that shows a secret:
// as it is, or in hexadecimal (either case) or base64 (any alphabet). A
// secret of fewer than 12 characters (an MFA code) counts only where no
// hexadecimal digit touches it, so that it is not found inside an address.
func FormatLeaks(v any, secrets []string) []string {
	outs := map[string]string{"Sprint": fmt.Sprint(v), "Sprintln": fmt.Sprintln(v)}
	for _, verb := range FormatVerbs {
		outs[verb] = fmt.Sprintf(verb, v)
	}
	var leaks []string
	for _, how := range append(slices.Clone(FormatVerbs), "Sprint", "Sprintln") {
		for _, s := range secrets {
			if form := shown(outs[how], s); form != "" {
				leaks = append(leaks, fmt.Sprintf("%s of %T shows the secret %q%s: %s", how, v, s, form, clip(outs[how])))
			}
		}
	}
	return leaks
}

// shown says how out shows secret: "" when it does not, else " as it is"
// or " in hex" or " in base64".
func shown(out, secret string) string {
	if secret == "" {
		return ""
	}
	b := []byte(secret)
	for _, f := range []struct {
		how  string
		form string
	}{
		{" as it is", secret},
		{" in hex", hex.EncodeToString(b)},
		{" in hex", strings.ToUpper(hex.EncodeToString(b))},
		{" in base64", base64.StdEncoding.EncodeToString(b)},
		{" in base64", base64.URLEncoding.EncodeToString(b)},
		{" in base64", base64.RawStdEncoding.EncodeToString(b)},
		{" in base64", base64.RawURLEncoding.EncodeToString(b)},
	} {
		if len(f.form) >= 12 && strings.Contains(out, f.form) {
			return f.how
		}
		if len(f.form) < 12 && regexp.MustCompile(`(^|[^0-9a-fA-F])`+regexp.QuoteMeta(f.form)+`($|[^0-9a-fA-F])`).MatchString(out) {
			return f.how
		}
	}
	return ""
}

// clip shortens an output for a message.
func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}
