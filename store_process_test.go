package xacct_test

// The credential store across real processes: this test binary runs
// itself as the children (TestStoreChild), each a program that reads an
// MFA chain's credentials through one FileStore.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/xacct/xacct"
	"github.com/xacct/xacct/internal/totp"
	"github.com/xacct/xacct/xaccttest"
)

// storeWorld starts the world and returns the environment of a child: the
// fake's URL, jenkins' keys and device secret, a store and a prompt log.
func storeWorld(t *testing.T) (srv *xaccttest.Server, env []string, prompts string) {
	t.Helper()
	sc := scenario()
	srv, err := xaccttest.NewServerWithScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	prompts = filepath.Join(dir, "prompts.log")
	jenkins := sc.Accounts["111111111111"].Users["jenkins"]
	env = append(os.Environ(),
		"XACCT_TEST_CHILD=1",
		"XACCT_TEST_URL="+srv.URL,
		"XACCT_TEST_KEY="+jenkins.AccessKeyID,
		"XACCT_TEST_SECRET="+jenkins.SecretAccessKey,
		"XACCT_TEST_TOTP="+jenkins.MFATOTPSecret,
		"XACCT_TEST_STORE="+filepath.Join(dir, "store"),
		"XACCT_TEST_PROMPTS="+prompts,
	)
	return srv, env, prompts
}

func child(env []string, extra ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestStoreChild$", "-test.count=1")
	cmd.Env = append(env, extra...)
	return cmd
}

func lines(path string) int {
	b, _ := os.ReadFile(path)
	return strings.Count(string(b), "\n")
}

// 16 programs started at once, each needing an MFA session and a hop on
// it: one GetSessionToken, one AssumeRole and one prompt between them.
func TestStoreAcrossProcesses(t *testing.T) {
	t.Parallel()
	srv, env, prompts := storeWorld(t)
	run := func() {
		var out, errOut bytes.Buffer
		cmd := child(env)
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil || !strings.Contains(out.String(), "ARN arn:aws:sts::222222222222:assumed-role/CrossAccountRole/store") {
			t.Errorf("child: %v\n%s%s", err, out.String(), errOut.String())
		}
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() { defer wg.Done(); run() }()
	}
	wg.Wait()
	if s, a, p := srv.CallCount("GetSessionToken"), srv.CallCount("AssumeRole"), lines(prompts); s != 1 || a != 1 || p != 1 {
		t.Fatalf("16 processes at once: %d GetSessionToken, %d AssumeRole, %d prompts; want 1 of each", s, a, p)
	}
	for range 4 {
		run()
	}
	if s, a, p := srv.CallCount("GetSessionToken"), srv.CallCount("AssumeRole"), lines(prompts); s != 1 || a != 1 || p != 1 {
		t.Fatalf("4 more, one after another: %d GetSessionToken, %d AssumeRole, %d prompts in all; want no more", s, a, p)
	}
}

// A process killed while it holds the lock (during a slow prompt) leaves
// no lock behind: the next process gets it and succeeds.
func TestStoreLockOfAKilledProcess(t *testing.T) {
	t.Parallel()
	srv, env, prompts := storeWorld(t)
	slow := child(env, "XACCT_TEST_SLOW_PROMPT=1")
	if err := slow.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for lines(prompts) == 0 {
		if time.Now().After(deadline) {
			slow.Process.Kill()
			t.Fatal("the slow child never prompted")
		}
		time.Sleep(10 * time.Millisecond)
	}
	slow.Process.Signal(syscall.SIGKILL)
	slow.Wait()

	start := time.Now()
	var out bytes.Buffer
	next := child(env)
	next.Stdout, next.Stderr = &out, &out
	if err := next.Run(); err != nil || !strings.Contains(out.String(), "ARN ") {
		t.Fatalf("the next process: %v\n%s", err, out.String())
	}
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("the next process took %v to get the lock of a killed one", took)
	}
	if p, s := lines(prompts), srv.CallCount("GetSessionToken"); p != 2 || s != 1 {
		t.Errorf("%d prompts, %d GetSessionToken; want 2 prompts (the killed one's, the next one's) and 1 call", p, s)
	}
}

// TestStoreChild is the program the tests above run as children.
func TestStoreChild(t *testing.T) {
	if os.Getenv("XACCT_TEST_CHILD") == "" {
		t.Skip("run by TestStoreAcrossProcesses as a child process")
	}
	if err := storeChild(); err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
}

func storeChild() error {
	ctx := context.Background()
	store, err := xacct.NewFileStore(os.Getenv("XACCT_TEST_STORE"))
	if err != nil {
		return err
	}
	key, err := totp.DecodeSecret(os.Getenv("XACCT_TEST_TOTP"))
	if err != nil {
		return err
	}
	token := func(ctx context.Context, req xacct.TokenRequest) (string, error) {
		f, err := os.OpenFile(os.Getenv("XACCT_TEST_PROMPTS"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return "", err
		}
		fmt.Fprintln(f, os.Getpid())
		f.Close()
		if os.Getenv("XACCT_TEST_SLOW_PROMPT") != "" {
			<-ctx.Done() // until killed
			return "", ctx.Err()
		}
		// The fake's clock stands at its start; a code of now is within the
		// step of tolerance for the few seconds this test runs.
		return totp.Code(key, totp.Step(time.Now())), nil
	}
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(os.Getenv("XACCT_TEST_URL")),
		Credentials: credentials.NewStaticCredentialsProvider(
			os.Getenv("XACCT_TEST_KEY"), os.Getenv("XACCT_TEST_SECRET"), ""),
	}
	withStore := func(o *xacct.Options) { o.Store = store }
	session, err := xacct.MFASession(cfg, jenkinsMFA, token, withStore)
	if err != nil {
		return err
	}
	cfg.Credentials = session
	hop, err := xacct.AssumeRole(cfg, xacct.Role{ARN: crossRole, ExternalID: "ext-123", SessionName: "store"}, withStore)
	if err != nil {
		return err
	}
	if _, err := hop.Retrieve(ctx); err != nil {
		return err
	}
	fmt.Println("ARN", whoAmI(with(cfg, hop)))
	return nil
}
