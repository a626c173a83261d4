package filestore

// What List leaves out of a Store's directory: entry files it cannot
// serve, and the temporary files of saves, which writers killed before
// their rename leave behind, holding credentials.

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// staleTemp is how old a temporary file must be before a sweep may take it
// for a leftover. A save writes a few kilobytes and syncs, in milliseconds,
// and claims its file from creation to rename (claimTemp): a minute is far
// beyond any save, and covers the instant between a writer creating its
// file and claiming it, and file systems where the claim does not work.
const staleTemp = time.Minute

// Skipped reports, for tools (xacct cache), what List leaves out of the
// store's directory. unreadable holds, by key, why List skipped each entry
// file (damaged, foreign, refused); each error names its file. removed
// counts the temporary files that writers killed while saving left behind,
// which hold credentials: Skipped removes them, as Open does, and counts
// those Open removed too. saving counts the temporary files of saves still
// running, which are never touched. Files of other names are neither read
// nor counted.
func (s *Store) Skipped() (unreadable map[string]error, removed, saving int, err error) {
	des, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, 0, 0, err
	}
	names := make([]string, len(des))
	for i, de := range des {
		names[i] = de.Name()
	}
	removed, saving = s.sweepTemps(names, time.Now())
	removed += s.swept
	unreadable = map[string]error{}
	for _, name := range names {
		key, ok := entryKey(name)
		if !ok {
			continue
		}
		path := filepath.Join(s.dir, name)
		switch _, ok, err := s.Load(key); {
		case err != nil:
			unreadable[key] = err
		case !ok && exists(path): // a miss, not a file removed since
			unreadable[key] = fmt.Errorf("%s is not a readable xacct entry "+
				"(damaged, or another program's file): the next refresh replaces it", path)
		}
	}
	return unreadable, removed, saving, nil
}

// sweep removes the leftover temporary files of the directory, as
// sweepTemps does. Every process that opens the store pays for it: the
// names alone, unsorted, are the cheapest read of the directory.
func (s *Store) sweep(now time.Time) (removed, saving int, err error) {
	d, err := os.Open(s.dir)
	if err != nil {
		return 0, 0, err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return 0, 0, err
	}
	removed, saving = s.sweepTemps(names, now)
	return removed, saving, nil
}

// sweepTemps removes, among names (the directory's), the temporary files
// of saves whose writer is gone: older than staleTemp and claimed by no
// writer. removed counts them; saving counts those it leaves, of writers
// that live or may.
func (s *Store) sweepTemps(names []string, now time.Time) (removed, saving int) {
	for _, name := range names {
		if !isTempName(name) {
			continue
		}
		path := filepath.Join(s.dir, name)
		fi, err := os.Lstat(path)
		switch {
		case err != nil:
			continue // renamed or removed since: its save is done
		case !fi.Mode().IsRegular():
			continue // not a file of a save
		case now.Sub(fi.ModTime()) < staleTemp || !removeAbandoned(path):
			saving++
			continue
		}
		removed++
	}
	return removed, saving
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
