package xacct_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/credendpoint"
)

// serveEndpoint serves h on 127.0.0.1:0 with credendpoint's server and
// timeouts t, until the test's end; it returns the address.
func serveEndpoint(t *testing.T, h http.Handler, to credendpoint.Timeouts) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := credendpoint.NewServer(h, to)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestCredentialsHandlerUnderAbuse: while clients send wrong tokens,
// other hosts and methods, 10 MB bodies, and headers a byte at a time
// (slow-loris), good requests keep getting credentials, quickly; the slow
// clients are cut off at the server's timeout.
func TestCredentialsHandlerUnderAbuse(t *testing.T) {
	t.Parallel()
	srv, cfg := world(t)
	const headerTimeout = 300 * time.Millisecond
	addr := serveEndpoint(t, xacct.CredentialsHandler(hubChain(t, srv, cfg), endpointToken),
		credendpoint.Timeouts{ReadHeader: headerTimeout, Read: time.Second})
	url := "http://" + addr + "/"
	if a := get(t, url, endpointToken, nil); a.status != 200 { // warm
		t.Fatalf("%d %s", a.status, a.body)
	}

	stop := make(chan struct{})
	var abusers sync.WaitGroup
	var mu sync.Mutex
	refused := map[int]int{} // by status
	abuse := func(n int, fn func() int) {
		for range n {
			abusers.Add(1)
			go func() {
				defer abusers.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					s := fn()
					mu.Lock()
					refused[s]++
					mu.Unlock()
				}
			}()
		}
	}
	abuse(4, func() int { return get(t, url, "wrong-token-wrong-token-wrong!!", nil).status })
	abuse(2, func() int {
		return get(t, url, endpointToken, func(r *http.Request) { r.Host = "attacker.example.com" }).status
	})
	abuse(2, func() int {
		return get(t, url, endpointToken, func(r *http.Request) { r.Method = http.MethodDelete }).status
	})
	abuse(2, func() int { return bigBody(addr) })
	cutAfter := make(chan time.Duration, 50)
	for range 50 {
		go func() { cutAfter <- slowLoris(addr, stop) }()
	}

	var lat []time.Duration
	for range 200 {
		began := time.Now()
		a := get(t, url, endpointToken, nil)
		lat = append(lat, time.Since(began))
		if a.status != 200 {
			t.Fatalf("a good request under abuse: %d %s", a.status, a.body)
		}
	}
	slices.Sort(lat)
	close(stop)
	abusers.Wait()
	for range 50 {
		// Sending its headers whole would take a minute; the server cuts
		// it at its header timeout (measured from a little after the
		// server began: the dialer may be scheduled late).
		if d := <-cutAfter; d <= 0 || d > headerTimeout+2*time.Second {
			t.Errorf("a slow-loris connection was cut after %v, want at the header timeout %v", d, headerTimeout)
		}
	}
	t.Logf("good requests under abuse: p50 %v, p99 %v; refused: %v", lat[len(lat)/2], lat[len(lat)*99/100], refused)
	if p99 := lat[len(lat)*99/100]; p99 > time.Second {
		t.Errorf("good requests under abuse: p99 %v, want them unaffected (under the SDKs' 1s timeout)", p99)
	}
	for _, s := range []int{401, 403, 405, 413} {
		if refused[s] == 0 {
			t.Errorf("no %d among the abusers' answers %v", s, refused)
		}
	}
	if refused[200] > 0 {
		t.Errorf("%d abusive requests got credentials", refused[200])
	}
}

// bigBody sends a GET with the token and a 10 MB body, and returns the
// status (0 when the server closed the connection first).
func bigBody(addr string) int {
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/", io.LimitReader(zeros{}, 10<<20))
	req.ContentLength = 10 << 20
	req.Header.Set("Authorization", endpointToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// slowLoris sends a request's headers a byte every 50ms, and returns how
// long it took the server to close the connection.
func slowLoris(addr string, stop <-chan struct{}) time.Duration {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return 0
	}
	defer conn.Close()
	began := time.Now()
	closed := make(chan struct{})
	go func() {
		bufio.NewReader(conn).ReadString('\n') // returns when the server closes (or answers)
		close(closed)
	}()
	req := fmt.Sprintf("GET / HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\n%s", addr, endpointToken, strings.Repeat("X-Slow: y\r\n", 100))
	for i := 0; i < len(req); i++ {
		select {
		case <-closed:
			return time.Since(began)
		case <-time.After(50 * time.Millisecond):
		}
		if _, err := conn.Write([]byte{req[i]}); err != nil {
			<-closed
			return time.Since(began)
		}
	}
	return time.Since(began) // never cut
}
