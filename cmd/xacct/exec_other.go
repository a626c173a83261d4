//go:build !unix

package main

import "os"

// forwardedSignals: on Windows, Ctrl-C and Ctrl-Break reach every process
// of the console, the command included, and there is no signal to pass on
// (os.Process.Signal cannot send os.Interrupt). xacct only keeps from
// dying on them, to wait for the command.
var forwardedSignals = []os.Signal{os.Interrupt}

// fromTerminal: every interrupt comes from the console, which the
// command shares.
func fromTerminal(os.Signal) bool { return true }

// exitStatus is the command's exit code.
func exitStatus(ps *os.ProcessState) int { return ps.ExitCode() }
