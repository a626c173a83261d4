package xacct

// Where a profile's keys are written, for messages. The SDK parses the
// shared files (config.LoadSharedConfigProfile) and xacct takes every value
// from it; but its SharedConfig keeps no file or line per key, and its
// errors often name neither the profile nor the key. This index reads the
// same files with the same section and key rules, only to say "key K of
// profile P, in file F at line N", and to follow source_profile names when
// the SDK has refused a chain and the message must show the cycle.

import (
	"bufio"
	"bytes"
	"slices"
	"strconv"
	"strings"
)

// place is where a key, or a section header, is written.
type place struct {
	file  string
	line  int
	value string // as written, unquoted; for messages about names, never about secrets
}

// where formats a place for messages: "file:line", or "" when unknown.
func (p place) where() string {
	switch {
	case p.file == "":
		return ""
	case p.line == 0:
		return p.file
	}
	return p.file + ":" + strconv.Itoa(p.line)
}

// profileIndex locates the keys of every profile, sso-session and services
// section of a set of shared files. Later files win over earlier ones, and
// the credentials files over the config files, as in the SDK.
type profileIndex struct {
	profiles map[string]*sectionIndex // by profile name
	sessions map[string]*sectionIndex // [sso-session NAME] of the config files
}

// sectionIndex locates the keys of one section.
type sectionIndex struct {
	header place            // the last header that opened it
	keys   map[string]place // by lower-case key; the place that wins
}

// indexFiles reads the files; a file that cannot be read counts as empty,
// as in the SDK. As in the SDK, the config files are merged first, then a
// [profile default] section replaces a bare [default] as a whole, then the
// credentials files are merged in key by key. It refuses a file that is
// not a regular file, or is too large (readSharedFile): it runs before the
// SDK reads the files, so that the SDK never opens one it would block on.
func indexFiles(files profileFiles) (*profileIndex, *sharedFileError) {
	x := &profileIndex{profiles: map[string]*sectionIndex{}, sessions: map[string]*sectionIndex{}}
	bare := map[string]*sectionIndex{} // [default] of the config files
	for _, f := range files.config {
		if err := x.read(f, true, bare); err != nil {
			return nil, err
		}
	}
	if _, ok := x.profiles["default"]; !ok && bare["default"] != nil {
		x.profiles["default"] = bare["default"]
	}
	for _, f := range files.credentials {
		if err := x.read(f, false, nil); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// read adds one file. In a config file a profile's section is
// [profile NAME] or [default]; in a credentials file it is [NAME], and
// [profile NAME] is ignored. Other sections are ignored, as in the SDK,
// but [sso-session NAME] of a config file.
func (x *profileIndex) read(path string, isConfig bool, bare map[string]*sectionIndex) *sharedFileError {
	b, bad := readSharedFile(path)
	if bad != nil {
		return bad
	}
	var cur *sectionIndex
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';' {
			continue
		}
		if typ, name, ok := sectionHeader(line); ok {
			at := place{file: path, line: n}
			switch {
			case isConfig && typ == "profile":
				cur = section(x.profiles, name, at)
			case isConfig && typ == "" && name == "default":
				cur = section(bare, name, at)
			case isConfig && typ == "sso-session":
				cur = section(x.sessions, name, at)
			case !isConfig && typ == "":
				cur = section(x.profiles, name, at)
			default:
				cur = nil
			}
			continue
		}
		if cur == nil || line[0] == ' ' || line[0] == '\t' {
			continue // outside a section we read, or a sub-property
		}
		if k, v, ok := keyValue(line); ok {
			cur.keys[k] = place{file: path, line: n, value: v}
		}
	}
	return nil
}

// section returns the index of a section, creating it; its header becomes
// at, and its keys merge with those read before.
func section(m map[string]*sectionIndex, name string, at place) *sectionIndex {
	s, ok := m[name]
	if !ok {
		s = &sectionIndex{keys: map[string]place{}}
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

// key returns where key of profile is written, or the profile's header
// when the key is written nowhere (a zero place when the profile is too).
func (x *profileIndex) key(profile, key string) place {
	s, ok := x.profiles[profile]
	if !ok {
		return place{}
	}
	if p, ok := s.keys[key]; ok {
		return p
	}
	return s.header
}

// has reports whether profile sets key.
func (x *profileIndex) has(profile, key string) bool {
	s, ok := x.profiles[profile]
	if !ok {
		return false
	}
	_, ok = s.keys[key]
	return ok
}

// value returns the value of key in profile as written, "" if unset.
func (x *profileIndex) value(profile, key string) string {
	if s, ok := x.profiles[profile]; ok {
		return s.keys[key].value
	}
	return ""
}

// names returns the profile names, sorted.
func (x *profileIndex) names() []string {
	var out []string
	for n := range x.profiles {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
