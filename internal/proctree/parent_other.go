//go:build unix && !linux

package proctree

import "syscall"

// setParentDeathSignal: only Linux has a parent-death signal; a tree is
// ended by its parent's context, its end and EndAll.
func setParentDeathSignal(*syscall.SysProcAttr, syscall.Signal) {}

// EndWithParent: only Linux has a parent-death signal.
func EndWithParent(ppid int) error { return nil }
