package xacct_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/xaccttest"
)

// BenchmarkCredentialsHandler measures the endpoint on a warm cache over
// loopback HTTP (keep-alive, 4 clients per core), beside httptest serving
// a constant answer of the same size: requests per second and the p50 and
// p99 latency of one request, as a client sees it.
func BenchmarkCredentialsHandler(b *testing.B) {
	srv, err := xaccttest.NewServerWithScenario(scenario())
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	cfg, _ := srv.UserConfig("111111111111", "alice")
	c, err := xacct.Chain(cfg, []xacct.Role{{ARN: hubRole, ExternalID: "ext-123"}, {ARN: deployRole}},
		func(o *xacct.Options) { o.Now = srv.Clock.Now })
	if err != nil {
		b.Fatal(err)
	}
	h := xacct.CredentialsHandler(c, endpointToken)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
	req.Header.Set("Authorization", endpointToken)
	h.ServeHTTP(rec, req) // warm
	body := rec.Body.Bytes()
	constant := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	for _, impl := range []struct {
		name string
		h    http.Handler
	}{{"xacct.CredentialsHandler", h}, {"httptest-constant", constant}} {
		b.Run("impl="+impl.name, func(b *testing.B) { benchEndpoint(b, impl.h) })
	}
}

func benchEndpoint(b *testing.B, h http.Handler) {
	ts := httptest.NewServer(h)
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(4)
	b.ResetTimer()
	began := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodGet, ts.URL, nil)
			req.Header.Set("Authorization", endpointToken)
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mine = append(mine, time.Since(t0))
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(began)
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	}
}
