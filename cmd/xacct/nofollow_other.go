//go:build !unix

package main

// noFollow: Windows has no O_NOFOLLOW. Making a symbolic link there takes
// a privilege (or developer mode), and --output-dir is the user's own.
const noFollow = 0
