package sharedini

// Reading the shared config and credentials files, bounded. A path in
// AWS_CONFIG_FILE may name anything: a FIFO blocked every xacct process
// that opened it (past --timeout and SIGTERM), /dev/zero was read until
// the OOM killer came. A shared file is read only when it is a regular
// file of at most MaxFileSize bytes, checked before it is opened and
// again on the opened file, and never more than that is read.

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
)

// MaxFileSize bounds a shared config or credentials file: a thousand
// profiles take about 100 KB, so 16 MiB is far above any real one, and
// still little memory to read it (the SDK reads it again).
const MaxFileSize = 16 << 20

// FileHint says what to do about a refused shared file.
const FileHint = "point AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, or Options.ConfigFiles and " +
	"CredentialsFiles, at regular files"

// FileError is a shared file that xacct refuses to read.
type FileError struct {
	Path    string // the file refused
	problem string // what the file is: "a named pipe (FIFO)", "17.0 MiB (17,825,792 bytes)"
}

// Error says what the file is and the rule it breaks.
func (e *FileError) Error() string {
	return fmt.Sprintf("the file is %s: a shared config or credentials file must be a regular file "+
		"of at most 16 MiB (xacct reads it whole, and a pipe or a device may block or never end)", e.problem)
}

// ReadFile returns the contents of a shared file, or nil when it cannot
// be read (missing, a directory, no permission), which counts as empty as
// in the SDK. It refuses, with a *FileError, a file that is not a regular
// file or is larger than MaxFileSize: it checks the path, then opens it
// without blocking (a FIFO swapped in after the check opens at once) and
// checks the opened file, then reads at most one byte more than the limit
// (a file that grows after the check is caught too).
func ReadFile(path string) ([]byte, *FileError) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil
	}
	if ok, bad := checkFile(path, fi); !ok {
		return nil, bad
	}
	f, err := OpenNonBlocking(path)
	if err != nil {
		return nil, nil
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, nil
	}
	if ok, bad := checkFile(path, fi); !ok {
		return nil, bad
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	switch {
	case err != nil:
		return nil, nil
	case len(b) > MaxFileSize:
		return nil, &FileError{Path: path, problem: "larger than 16 MiB (it grew while being read)"}
	}
	return b, nil
}

// checkFile reports whether the file fi of path may be read: a regular
// file of at most MaxFileSize bytes. A directory may not, and is no error
// (it counts as empty, as in the SDK); any other kind is.
func checkFile(path string, fi fs.FileInfo) (ok bool, bad *FileError) {
	m := fi.Mode()
	switch {
	case m.IsRegular() && fi.Size() <= MaxFileSize:
		return true, nil
	case m.IsRegular():
		return false, &FileError{Path: path, problem: fmt.Sprintf("%.1f MiB (%s bytes)",
			float64(fi.Size())/(1<<20), thousands(int(fi.Size())))}
	case m.IsDir():
		return false, nil
	}
	return false, &FileError{Path: path, problem: FileKind(m)}
}

// FileKind names a file mode's kind, for messages: "a named pipe (FIFO)",
// "a character device".
func FileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file (" + m.Type().String() + ")"
}

// thousands formats n ≥ 0 with commas between groups of three digits: 4,980.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
