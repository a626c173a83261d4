package ssoprofiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xacct/xacct/internal/sharedini"
)

// Written says what Write did.
type Written struct {
	Added, Kept []string // profiles appended; profiles the file had already, left as they were
	Backup      string   // the copy of the file before ("" when there was no file, or nothing to add)
}

// Write merges the profiles into the config file at path (a link is
// followed: its target is written): it appends the block of each profile
// that the file does not define, and leaves every profile it defines as it
// is, whatever its keys (Kept says which). Before it changes an existing
// file it copies it to path.bak-<UTC time>, mode 0600; the new file is
// written to a temporary file beside it, synced and renamed into place,
// with the old file's mode (0600 for a new one, in a directory it creates
// with mode 0700).
func Write(path string, profiles []Profile, session, region string, now time.Time) (Written, error) {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	if _, ferr := sharedini.ReadFile(path); ferr != nil {
		return Written{}, ferr // not a regular file, or too large: never rewritten
	}
	mode := fs.FileMode(0o600)
	old, err := os.ReadFile(path)
	switch {
	case err == nil:
		if fi, err := os.Stat(path); err == nil {
			mode = fi.Mode().Perm()
		}
	case errors.Is(err, fs.ErrNotExist):
		old = nil
	default:
		return Written{}, fmt.Errorf("reading %s: %w", path, err) // never replaced by what could not be read
	}
	x, ferr := sharedini.ReadIndex(sharedini.Files{Config: []string{path}})
	if ferr != nil {
		return Written{}, ferr
	}
	var w Written
	text := string(old)
	for _, p := range profiles {
		if x.HasProfile(p.Name) {
			w.Kept = append(w.Kept, p.Name)
			continue
		}
		if text != "" {
			text = strings.TrimRight(text, "\n") + "\n\n" // one blank line between sections
		}
		text += Block(p, session, region)
		w.Added = append(w.Added, p.Name)
	}
	if len(w.Added) == 0 {
		return w, nil
	}
	if old != nil {
		if w.Backup, err = backup(path, old, now); err != nil {
			return Written{}, fmt.Errorf("keeping a backup of %s: %w", path, err)
		}
	} else if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return Written{}, err
	}
	return w, writeFile(path, []byte(text), mode, false)
}

// backup writes old to a new file path.bak-<UTC time>, with -2, -3...
// after it when a backup of that second is there already.
func backup(path string, old []byte, now time.Time) (string, error) {
	base := path + ".bak-" + now.UTC().Format("20060102T150405Z")
	for i := 1; ; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		err := writeFile(name, old, 0o600, true)
		if !errors.Is(err, fs.ErrExist) || i == 100 {
			return name, err
		}
	}
}

// writeFile writes b to path with mode: to a temporary file in its
// directory, synced, then renamed over path (excl: path must not exist,
// and is created directly).
func writeFile(path string, b []byte, mode fs.FileMode, excl bool) error {
	if excl {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if err != nil {
			return err
		}
		_, err = f.Write(b)
		if err == nil {
			err = f.Sync()
		}
		return errors.Join(err, f.Close())
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.xacct-tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if err = errors.Join(err, f.Close()); err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
