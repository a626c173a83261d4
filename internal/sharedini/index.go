package sharedini

// Where a profile's keys are written, for messages. The SDK's SharedConfig
// keeps no file or line per key, and its errors often name neither the
// profile nor the key: this index reads the same files with the same
// section and key rules, only to say "key K of profile P, in file F at
// line N", to follow source_profile names when the SDK has refused a
// chain, and to find what the SDK refused without reading its messages.

import (
	"bufio"
	"bytes"
	"slices"
	"strconv"
	"strings"

	"github.com/xacct/xacct/internal/trunc"
)

// Place is where a key, or a section header, is written.
type Place struct {
	File  string // "" when written nowhere
	Line  int    // from 1; 0 when unknown
	Value string // as written, unquoted; for messages about names, never about secrets
}

// Where formats a place for messages: "file:line", the file alone when
// the line is unknown, or "" when the file is.
func (p Place) Where() string {
	switch {
	case p.File == "":
		return ""
	case p.Line == 0:
		return p.File
	}
	return p.File + ":" + strconv.Itoa(p.Line)
}

// Index locates the keys of every profile and sso-session section of a
// set of shared files. It is read once and not changed after: it is safe
// for concurrent use.
type Index struct {
	profiles map[string]*section // by profile name
	sessions map[string]*section // [sso-session NAME] of the config files
}

// section locates the keys of one section.
type section struct {
	header Place            // the last header that opened it
	keys   map[string]Place // by lower-case key; the place that wins
}

// ReadIndex reads the files; a file that cannot be read counts as empty,
// as in the SDK. As in the SDK, the config files are merged first, then a
// [profile default] section replaces a bare [default] as a whole, then the
// credentials files are merged in key by key. It refuses a file that is
// not a regular file, or is too large (ReadFile): call it before the SDK
// reads the files, so that the SDK never opens one it would block on.
func ReadIndex(files Files) (*Index, *FileError) {
	x := &Index{profiles: map[string]*section{}, sessions: map[string]*section{}}
	bare := map[string]*section{} // [default] of the config files
	for _, f := range files.Config {
		if err := x.read(f, true, bare); err != nil {
			return nil, err
		}
	}
	if _, ok := x.profiles["default"]; !ok && bare["default"] != nil {
		x.profiles["default"] = bare["default"]
	}
	for _, f := range files.Credentials {
		if err := x.read(f, false, nil); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// Key returns where key of profile is written, or the profile's header
// when the key is written nowhere (a zero Place when the profile is too).
func (x *Index) Key(profile, key string) Place {
	s, ok := x.profiles[profile]
	if !ok {
		return Place{}
	}
	if p, ok := s.keys[key]; ok {
		return p
	}
	return s.header
}

// Has reports whether profile sets key.
func (x *Index) Has(profile, key string) bool {
	s, ok := x.profiles[profile]
	if !ok {
		return false
	}
	_, ok = s.keys[key]
	return ok
}

// Value returns the value of key in profile as written, "" if unset.
func (x *Index) Value(profile, key string) string {
	if s, ok := x.profiles[profile]; ok {
		return s.keys[key].Value
	}
	return ""
}

// HasProfile reports whether the files define profile.
func (x *Index) HasProfile(profile string) bool { return x.profiles[profile] != nil }

// HasSession reports whether the config files have [sso-session name].
func (x *Index) HasSession(name string) bool { return x.sessions[name] != nil }

// SessionKey returns where key of [sso-session name] is written, and its
// value; a zero Place when it is not.
func (x *Index) SessionKey(name, key string) Place {
	if s, ok := x.sessions[name]; ok {
		return s.keys[key]
	}
	return Place{}
}

// Names returns the profile names, sorted.
func (x *Index) Names() []string {
	var out []string
	for n := range x.profiles {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// maxHintNames is how many profile names a hint lists: enough to spot a
// typo in a hand-written config, while a generated one of 5,000 profiles
// still makes a line a person reads ("…and 4,980 more").
const maxHintNames = 20

// KnownProfiles is a hint listing the profiles of the files: the first
// maxHintNames in order, each cut to trunc.Max bytes, and a count of the rest.
func (x *Index) KnownProfiles() string {
	names := x.Names()
	if len(names) == 0 {
		return "the files define no profile"
	}
	n := min(len(names), maxHintNames)
	shown := make([]string, 0, n+1)
	for _, name := range names[:n] {
		shown = append(shown, trunc.String(name))
	}
	if len(names) > n {
		shown = append(shown, "…and "+thousands(len(names)-n)+" more")
	}
	return "the profiles there: " + strings.Join(shown, ", ")
}

// read adds one file. In a config file a profile's section is
// [profile NAME] or [default]; in a credentials file it is [NAME], and
// [profile NAME] is ignored. Other sections are ignored, as in the SDK,
// but [sso-session NAME] of a config file.
func (x *Index) read(path string, isConfig bool, bare map[string]*section) *FileError {
	b, bad := ReadFile(path)
	if bad != nil {
		return bad
	}
	var cur *section
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';' {
			continue
		}
		if typ, name, ok := sectionHeader(line); ok {
			cur = x.sectionOf(typ, name, isConfig, bare, Place{File: path, Line: n})
			continue
		}
		if cur == nil || line[0] == ' ' || line[0] == '\t' {
			continue // outside a section we read, or a sub-property
		}
		if k, v, ok := keyValue(line); ok {
			cur.keys[k] = Place{File: path, Line: n, Value: v}
		}
	}
	return nil
}

// sectionOf returns the section that a header [typ name] at opens, or nil
// when it is not one the index reads.
func (x *Index) sectionOf(typ, name string, isConfig bool, bare map[string]*section, at Place) *section {
	switch {
	case isConfig && typ == "profile":
		return openSection(x.profiles, name, at)
	case isConfig && typ == "" && name == "default":
		return openSection(bare, name, at)
	case isConfig && typ == "sso-session":
		return openSection(x.sessions, name, at)
	case !isConfig && typ == "":
		return openSection(x.profiles, name, at)
	}
	return nil
}

// openSection returns the index of a section, creating it; its header
// becomes at, and its keys merge with those read before.
func openSection(m map[string]*section, name string, at Place) *section {
	s, ok := m[name]
	if !ok {
		s = &section{keys: map[string]Place{}}
		m[name] = s
	}
	s.header = at
	return s
}

// sectionHeader parses "[type name] ; comment" as the SDK does.
func sectionHeader(line string) (typ, name string, ok bool) {
	s, _, _ := strings.Cut(line, "#")
	s, _, _ = strings.Cut(s, ";")
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return "", "", false
	}
	s = strings.TrimSpace(s[1 : len(s)-1])
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], strings.TrimSpace(s[i:]), true
	}
	return "", s, true
}

// keyValue parses "key = value # comment" as the SDK does: '=' or, before
// it, ':' separates; the key is lower-cased; the value loses an inline
// comment and one pair of surrounding quotes.
func keyValue(line string) (key, value string, ok bool) {
	for _, c := range []string{" #", " ;", "\t#", "\t;"} {
		line, _, _ = strings.Cut(line, c)
	}
	eq, colon := strings.Index(line, "="), strings.Index(line, ":")
	sep := eq
	if eq < 0 || (colon >= 0 && colon < eq) {
		sep = colon
	}
	if sep < 0 {
		return "", "", false
	}
	key = strings.ToLower(strings.TrimSpace(line[:sep]))
	value = strings.TrimSpace(line[sep+1:])
	if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
		value = value[1 : len(value)-1]
	}
	return key, value, key != ""
}
