//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every shell block of docs/terminal.md runs, as bash -e from the
// repository's root with the built xacct on the PATH, in a home of its
// own: the page cannot rot.
func TestTerminalDocRuns(t *testing.T) {
	t.Parallel()
	text, err := os.ReadFile("../../docs/terminal.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(text), -1)
	if len(blocks) < 2 {
		t.Fatalf("docs/terminal.md has %d shell blocks", len(blocks))
	}
	home := t.TempDir()
	for i, b := range blocks {
		cmd := exec.Command("bash", "-e", "-c", b[1])
		cmd.Dir = "../.."
		cmd.Env = append(cleanEnv(home), "PATH="+filepath.Dir(xacctBinary(t))+":"+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil || strings.Contains(string(out), "xacct: ") {
			t.Errorf("block %d: %v\n%s", i+1, err, out)
		}
	}
}
