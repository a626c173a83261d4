//go:build unix

package testutil

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ProcessGone reports whether pid has ended: it no longer exists, or is a
// zombie that its new parent has yet to reap. Where there is no /proc it
// asks the kernel, which counts a zombie as still there.
func ProcessGone(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return syscall.Kill(pid, 0) == syscall.ESRCH
	}
	_, after, _ := strings.Cut(string(stat), ") ")
	return strings.HasPrefix(after, "Z")
}

// WaitGone fails t unless pid ends (ProcessGone) within 5 s.
func WaitGone(t testing.TB, pid int) {
	t.Helper()
	WaitFor(t, 5*time.Second, "process "+strconv.Itoa(pid)+" to end", func() bool { return ProcessGone(pid) })
}
