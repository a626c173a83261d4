package main

// Where for-each-account writes: its JSON lines on stdout (and in
// --status-file), and each command's output on stderr, prefixed, or in
// files of its own (--output-dir).

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/xacct/xacct"
)

// statusOut writes the JSON lines: on stdout, and in the status file when
// there is one. write is called by FanOut's OnResult, serialized; err and
// close after FanOut.
type statusOut struct {
	stdout   io.Writer
	file     *os.File // --status-file; nil when none
	path     string
	firstErr error // the first failed write to file
}

// openStatus makes the status file (when path is set) and the output
// directory (when dir is set): before any account runs, so that a file
// that cannot be written is a usage error, not lines lost.
func openStatus(stdout io.Writer, path, dir string) (*statusOut, error) {
	if dir != "" {
		if err := makeOutputDir(dir); err != nil {
			return nil, err
		}
	}
	s := &statusOut{stdout: stdout, path: path}
	if path == "" {
		return s, nil
	}
	f, err := createPrivate(path)
	if err != nil {
		return nil, failf(exitConfig, "give a file this process can create and write",
			"--status-file %s: %v", path, unwrapPath(err))
	}
	s.file = f
	return s, nil
}

// write writes one JSON line on stdout and in the file.
func (s *statusOut) write(l forEachLine) {
	b, err := json.Marshal(l)
	if err != nil {
		return // a forEachLine always encodes
	}
	b = append(b, '\n')
	s.stdout.Write(b)
	if s.file != nil && s.firstErr == nil {
		if _, err := s.file.Write(b); err != nil {
			s.firstErr = err
		}
	}
}

// err returns the first failure to write the status file, or to close it.
func (s *statusOut) err() error {
	if s.file != nil && s.firstErr == nil {
		s.firstErr = s.file.Close()
		s.file = nil
	}
	if s.firstErr == nil {
		return nil
	}
	return fmt.Errorf("--status-file %s: %v: it misses lines that stdout has", s.path, unwrapPath(s.firstErr))
}

func (s *statusOut) close() {
	if s.file != nil {
		s.file.Close()
	}
}

// makeOutputDir makes --output-dir, 0700, when it is missing; an existing
// directory is used as it is (the files are 0600 in any case).
func makeOutputDir(dir string) error {
	err := os.MkdirAll(dir, 0o700)
	if err == nil {
		var fi os.FileInfo
		if fi, err = os.Stat(dir); err == nil && !fi.IsDir() {
			err = errors.New("not a directory")
		}
	}
	if err != nil {
		return failf(exitConfig, "give a directory this process can create and write",
			"--output-dir %s: %v", dir, unwrapPath(err))
	}
	return nil
}

// createPrivate creates (or truncates) the file path, 0600, without
// following a symbolic link: the output it gets may name the account's
// resources.
func createPrivate(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|noFollow, 0o600)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, cmp.Or(err, fmt.Errorf("is not a regular file"))
	}
	if err := f.Chmod(0o600); err != nil { // a file that was there keeps its mode through O_TRUNC
		f.Close()
		return nil, err
	}
	return f, nil
}

// unwrapPath drops the path and operation of a *PathError, which the
// message names already.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// output returns the writers of the command of account a: lines on
// stderr prefixed with [ID], or the files of --output-dir; the stderr
// writer keeps the tail. Both redact the account's secrets (red). close
// closes the files, after the writers' Close.
func (r *forEach) output(a xacct.Account, red redactor) (out, errOut *lineWriter, close func(), err error) {
	if r.outputDir == "" {
		prefix := "[" + a.ID + "] "
		out = &lineWriter{mu: &r.outMu, out: r.stderr, prefix: prefix, redact: red}
		errOut = &lineWriter{mu: &r.outMu, out: r.stderr, prefix: prefix, redact: red, keep: stderrTailLines}
		return out, errOut, func() {}, nil
	}
	base := filepath.Join(r.outputDir, a.ID)
	outFile, err := createPrivate(base + ".stdout")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("--output-dir: %w", err)
	}
	errFile, err := createPrivate(base + ".stderr")
	if err != nil {
		outFile.Close()
		return nil, nil, nil, fmt.Errorf("--output-dir: %w", err)
	}
	// Each file has one writer: the mutexes guard nothing shared.
	out = &lineWriter{mu: &sync.Mutex{}, out: outFile, redact: red}
	errOut = &lineWriter{mu: &sync.Mutex{}, out: errFile, redact: red, keep: stderrTailLines}
	return out, errOut, func() {
		outFile.Close()
		errFile.Close()
	}, nil
}
