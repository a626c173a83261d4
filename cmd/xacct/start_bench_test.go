package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// systemCABundle is the bundle that machines behind a TLS-inspecting proxy
// often name in AWS_CA_BUNDLE (Debian's path: every public root, 144 of
// them here).
const systemCABundle = "/etc/ssl/certs/ca-certificates.crt"

// BenchmarkStart runs processes one after another and reports each one's
// wall time (ns/op) and CPU time (cpu-ns/op): an empty Go program, the
// binary's own start (`xacct --version`), and `xacct credential-process`
// answered from the store (a role on an IAM user's keys, no STS call), also
// with AWS_CA_BUNDLE naming the system's bundle; xacct built as `go
// install` builds it (cgo, where a C compiler is) and with CGO_ENABLED=0.
//
//	go test -run '^$' -bench Start -benchtime 40x -count 10 ./cmd/xacct > /tmp/start.txt
//	benchstat -col /run /tmp/start.txt
func BenchmarkStart(b *testing.B) {
	w := newSigninWorld(b)
	dir := b.TempDir()
	empty := buildEmptyProgram(b, dir)
	nocgo := filepath.Join(dir, "xacct-nocgo")
	build := exec.Command("go", "build", "-o", nocgo, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	hit := []string{"credential-process", "plain", "--cache-dir", w.store}
	for _, c := range []struct {
		name string
		bin  string
		args []string
		ca   bool // AWS_CA_BUNDLE names the system's bundle
	}{
		{"run=empty-go", empty, nil, false},
		{"run=version/build=cgo", w.bin, []string{"--version"}, false},
		{"run=version/build=nocgo", nocgo, []string{"--version"}, false},
		{"run=store-hit/build=cgo", w.bin, hit, false},
		{"run=store-hit/build=nocgo", nocgo, hit, false},
		{"run=store-hit-ca-bundle/build=cgo", w.bin, hit, true},
		{"run=store-hit-ca-bundle/build=nocgo", nocgo, hit, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			env := w.env
			if c.ca {
				if _, err := os.Stat(systemCABundle); err != nil {
					b.Skipf("no %s here", systemCABundle)
				}
				env = append(env[:len(env):len(env)], "AWS_CA_BUNDLE="+systemCABundle)
			}
			run := func() time.Duration {
				cmd := exec.Command(c.bin, c.args...)
				cmd.Env = env
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%s %v: %v: %s", c.bin, c.args, err, out)
				}
				return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			run() // warm: the store, the page cache
			var cpu time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				cpu += run()
			}
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// buildEmptyProgram builds `func main() {}` in dir, the floor of a Go
// process's start on this machine.
func buildEmptyProgram(b *testing.B, dir string) string {
	src := filepath.Join(dir, "empty")
	if err := os.MkdirAll(src, 0o700); err != nil {
		b.Fatal(err)
	}
	for name, text := range map[string]string{"go.mod": "module empty\n\ngo 1.24\n", "main.go": "package main\n\nfunc main() {}\n"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(text), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "empty-go")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
