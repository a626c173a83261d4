// Package testutil holds the helpers that tests of more than one package
// of the module share: a pseudo-terminal to play the person at (Linux),
// moto, the AWS service fake, as a process, and what a test of formatting
// needs (format.go). It is for tests only.
package testutil
