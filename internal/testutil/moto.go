package testutil

import (
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// StartMoto starts moto_server on a free loopback port for the test, and
// returns its URL once it answers; it is killed at the test's end. It
// skips the test when moto is not installed.
func StartMoto(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Skip("skipping the test against moto: moto_server not found (pip install 'moto[server]')")
	}
	port := freePort(t)
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	WaitFor(t, 30*time.Second, "moto_server to start", func() bool { return reachable(url) })
	return url
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// reachable reports whether moto answers at url.
func reachable(url string) bool {
	resp, err := http.Get(url + "/moto-api/")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}
