//go:build unix && !linux

package proctree

import "syscall"

// setParentDeathSignal: only Linux has a parent-death signal; a tree is
// ended by its parent's context, its end and EndAll.
func setParentDeathSignal(*syscall.SysProcAttr, syscall.Signal) {}

// waitExit: without waitid's WNOWAIT here, the tree's root cannot be
// watched beside exec's Wait, and a Watched tree ends at End.
func waitExit(int) bool { return false }

// EndWithParent: only Linux has a parent-death signal.
func EndWithParent(ppid int) error { return nil }
