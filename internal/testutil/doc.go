// Package testutil holds the helpers that tests of more than one package
// of the module share: waiting for a condition in real time and running
// goroutines together (wait.go), whether a process has ended (Unix),
// writing a file (files.go), the AWS error code of an error (awserror.go),
// a pseudo-terminal to play the person at (Linux), moto, the AWS service
// fake, as a process, and what a test of formatting needs (format.go). It
// is for tests only.
package testutil
