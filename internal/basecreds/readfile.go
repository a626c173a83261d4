package basecreds

// Reading a small file that another program writes (a web identity token,
// a container's authorization token), bounded: a path may name a FIFO,
// which blocks whoever opens it, or /dev/zero, which never ends.

import (
	"fmt"
	"io"

	"github.com/xacct/xacct/internal/sharedini"
)

// ReadRegular reads path, which must be a regular file of at most max
// bytes: it is opened without blocking and judged as opened, and no more
// than max+1 bytes are read. A larger file is a *TooLargeError.
func ReadRegular(path string, max int) ([]byte, error) {
	f, err := sharedini.OpenNonBlocking(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return nil, err
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("is %s, not a regular file", sharedini.FileKind(fi.Mode()))
	}
	b, err := io.ReadAll(io.LimitReader(f, int64(max)+1))
	if err == nil && len(b) > max {
		size := int64(len(b))
		if fi, err := f.Stat(); err == nil {
			size = fi.Size()
		}
		return nil, &TooLargeError{Size: size, Max: max}
	}
	return b, err
}

// TooLargeError is a file larger than its reader takes.
type TooLargeError struct {
	Size int64 // the file's size, as last seen
	Max  int   // the most the reader takes
}

// Error says how large the file is, and the most it may be.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("is %d bytes, more than the %d it may hold", e.Size, e.Max)
}
