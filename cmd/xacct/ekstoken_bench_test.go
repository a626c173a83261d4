package main

import (
	"os/exec"
	"testing"
	"time"
)

// BenchmarkEKSTokenProcesses runs `xacct eks-token` and `aws eks get-token`
// as processes, one after another, on the same profile (a role on an IAM
// user's keys), against the in-process fake STS, and reports calls per
// second of each. xacct's session comes from its store after the first
// call; the AWS CLI assumes the role on every call (it keeps no cache).
//
//	go test -run '^$' -bench EKSTokenProcesses -benchtime 20x ./cmd/xacct
func BenchmarkEKSTokenProcesses(b *testing.B) {
	w := newSigninWorld(b)
	aws, err := exec.LookPath("aws")
	for _, c := range []struct {
		name string
		cmd  func() *exec.Cmd
	}{
		{"xacct", func() *exec.Cmd {
			return detached(w.env, w.bin, "eks-token", "plain", "--cluster-name", "prod-1", "--cache-dir", w.store)
		}},
		{"aws-cli", func() *exec.Cmd {
			return detached(append(w.env, "AWS_PROFILE=plain"), aws, "eks", "get-token", "--cluster-name", "prod-1")
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			if c.name == "aws-cli" && err != nil {
				b.Skip("no aws on PATH")
			}
			if out, err := c.cmd().CombinedOutput(); err != nil { // warm: the store, the page cache
				b.Fatalf("%v: %s", err, out)
			}
			start := time.Now()
			for i := 0; i < b.N; i++ {
				if out, err := c.cmd().CombinedOutput(); err != nil {
					b.Fatalf("%v: %s", err, out)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
		})
	}
}
