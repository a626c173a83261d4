//go:build unix

package main

import "syscall"

// noFollow makes an open fail on a symbolic link, and never wait on a
// FIFO (a writer's open waits for a reader; non-blocking, it fails).
const noFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
