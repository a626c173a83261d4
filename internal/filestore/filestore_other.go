//go:build !unix

package filestore

import (
	"io/fs"
	"os"
)

// On systems other than Unix (Windows), file modes and owners do not say
// who may read a file: the store relies on the user's profile directory
// being private, as the AWS CLI's cache does.

func checkPrivateDir(dir string, fi fs.FileInfo) error { return nil }

func checkPrivateFile(path string, fi fs.FileInfo) error { return nil }

// openEntry opens the entry file path for reading; Load checks what it
// opened.
func openEntry(path string) (*os.File, error) { return os.Open(path) }

// checkWritable leaves the answer to the first Lock or Save: there is no
// access(2) that says it beforehand.
func checkWritable(dir string) error { return nil }
