package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/xacct/xacct/xaccttest"
)

// issueScenario is the scenario of the xaccttest issue, shared with xaccttest's tests.
const issueScenario = "../../xaccttest/testdata/issue.json"

func TestFakeSTSUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"fake-sts"}, 2, "--config FILE is required"},
		{[]string{"fake-sts", "--config", "testdata/nope.json"}, 1, "no such file"},
		{[]string{"fake-sts", "--config", issueScenario, "--addr", "nonsense"}, 2, "want host:port"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), tt.args, &out, &errOut)
		if code != tt.code || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("xacct %v: exit %d, stderr %q; want %d and %q", tt.args, code, errOut.String(), tt.code, tt.want)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"accounts":{},"acounts":{}}`), 0o600)
	var errOut bytes.Buffer
	code := run(context.Background(), []string{"fake-sts", "--config", bad}, &bytes.Buffer{}, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), `unknown field "acounts"`) {
		t.Errorf("bad scenario: exit %d: %s", code, errOut.String())
	}
}

func goClient(url, key, secret, token string) *sts.Client {
	return sts.NewFromConfig(aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, token),
	}, func(o *sts.Options) { o.RetryMaxAttempts = 1 })
}

func TestFakeSTSCommand(t *testing.T) {
	t.Parallel()
	fake := startFake(t, issueScenario)
	out, err := goClient(fake.url, "AKIAEXAMPLEJENKINS01", "any-string", "").GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Arn) != "arn:aws:iam::111111111111:user/jenkins" {
		t.Fatalf("Arn %s", aws.ToString(out.Arn))
	}
	log := fake.stop(t)
	if !strings.Contains(log, "GetCallerIdentity caller=arn:aws:iam::111111111111:user/jenkins => allowed") || !strings.Contains(log, "stopped") {
		t.Errorf("stderr log:\n%s", log)
	}
}

// outcome is what a client saw: the error code ("" for success) and, on
// success, the caller ARN or assumed-role ARN.
type outcome struct{ Code, ARN string }

// TestInteroperability drives `xacct fake-sts` from clients written by
// others, boto3 and the AWS CLI, and checks they see what the Go SDK sees.
func TestInteroperability(t *testing.T) {
	t.Parallel()
	py := pythonWithBoto3()
	if py == "" {
		t.Skip("skipping interoperability with boto3: no python3 with boto3 found (install python3-boto3, or set XACCT_PYTHON)")
	}
	awsCLI, err := exec.LookPath("aws")
	if err != nil {
		t.Skipf("skipping interoperability with the AWS CLI: %v (install awscli to run it)", err)
	}
	fake := startFake(t, issueScenario)
	url := fake.url
	ctx := context.Background()
	const role = "arn:aws:iam::222222222222:role/CrossAccountRole"
	cases := []struct {
		name, op, secret, ext string
	}{
		{"identity", "identity", "any-string", ""},
		{"bad secret", "identity", "wrong-secret", ""},
		{"assume without External ID", "assume", "any-string", ""},
		{"assume with wrong External ID", "assume", "any-string", "ext-999"},
		{"assume with External ID", "assume", "any-string", "ext-123"},
	}

	goResult := func(op, secret, ext string) outcome {
		c := goClient(url, "AKIAEXAMPLEJENKINS01", secret, "")
		if op == "identity" {
			out, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				return outcome{Code: errorCode(err)}
			}
			return outcome{ARN: aws.ToString(out.Arn)}
		}
		in := &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("interop")}
		if ext != "" {
			in.ExternalId = aws.String(ext)
		}
		out, err := c.AssumeRole(ctx, in)
		if err != nil {
			return outcome{Code: errorCode(err)}
		}
		// The session works with the Go SDK too.
		id, err := goClient(url, *out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken).
			GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return outcome{Code: "session: " + errorCode(err)}
		}
		return outcome{ARN: aws.ToString(id.Arn)}
	}

	env := func(secret string) []string {
		home := t.TempDir()
		return cleanEnv(home, "AWS_CONFIG_FILE="+filepath.Join(home, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "none"),
			"AWS_ACCESS_KEY_ID=AKIAEXAMPLEJENKINS01", "AWS_SECRET_ACCESS_KEY="+secret, "AWS_DEFAULT_REGION=us-east-1",
			"AWS_RETRY_MODE=standard", "AWS_MAX_ATTEMPTS=1", "XACCT_URL="+url, "XACCT_ROLE="+role)
	}
	const boto = `
import json, os, sys, boto3, botocore.exceptions
op, ext = sys.argv[1], sys.argv[2]
c = boto3.client("sts", endpoint_url=os.environ["XACCT_URL"])
try:
    if op == "identity":
        print(json.dumps({"ARN": c.get_caller_identity()["Arn"]}))
    else:
        kw = {"RoleArn": os.environ["XACCT_ROLE"], "RoleSessionName": "interop"}
        if ext:
            kw["ExternalId"] = ext
        cr = c.assume_role(**kw)["Credentials"]
        s = boto3.client("sts", endpoint_url=os.environ["XACCT_URL"], aws_access_key_id=cr["AccessKeyId"],
                         aws_secret_access_key=cr["SecretAccessKey"], aws_session_token=cr["SessionToken"])
        print(json.dumps({"ARN": s.get_caller_identity()["Arn"]}))
except botocore.exceptions.ClientError as e:
    print(json.dumps({"Code": e.response["Error"]["Code"]}))
`
	botoResult := func(op, secret, ext string) outcome {
		cmd := exec.Command(py, "-c", boto, op, ext)
		cmd.Env = env(secret)
		out, err := cmd.Output()
		var o outcome
		if err != nil || json.Unmarshal(out, &o) != nil {
			return outcome{Code: fmt.Sprintf("boto3 failed: %v %s", err, out)}
		}
		return o
	}
	cliResult := func(op, secret, ext string) outcome {
		args := []string{"sts", "get-caller-identity", "--endpoint-url", url, "--output", "json"}
		if op == "assume" {
			args = []string{"sts", "assume-role", "--endpoint-url", url, "--output", "json", "--role-arn", role, "--role-session-name", "interop"}
			if ext != "" {
				args = append(args, "--external-id", ext)
			}
		}
		cmd := exec.Command(awsCLI, args...)
		cmd.Env = env(secret)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return outcome{Code: stsCode(stderr.String())}
		}
		var v struct {
			Arn         string
			Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		}
		if err := json.Unmarshal(out, &v); err != nil {
			return outcome{Code: "aws output: " + string(out)}
		}
		if op == "identity" {
			return outcome{ARN: v.Arn}
		}
		id, err := goClient(url, v.Credentials.AccessKeyId, v.Credentials.SecretAccessKey, v.Credentials.SessionToken).
			GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return outcome{Code: "session: " + errorCode(err)}
		}
		return outcome{ARN: aws.ToString(id.Arn)}
	}

	want := map[string]outcome{
		"identity":                      {ARN: "arn:aws:iam::111111111111:user/jenkins"},
		"bad secret":                    {Code: "SignatureDoesNotMatch"},
		"assume without External ID":    {Code: "AccessDenied"},
		"assume with wrong External ID": {Code: "AccessDenied"},
		"assume with External ID":       {ARN: "arn:aws:sts::222222222222:assumed-role/CrossAccountRole/interop"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, b, a := goResult(c.op, c.secret, c.ext), botoResult(c.op, c.secret, c.ext), cliResult(c.op, c.secret, c.ext)
			if g != want[c.name] || b != g || a != g {
				t.Errorf("Go %+v, boto3 %+v, AWS CLI %+v; want all %+v", g, b, a, want[c.name])
			}
		})
	}
	log := fake.stop(t)
	if strings.Contains(log, "any-string") {
		t.Error("the secret appears in the server log")
	}
}

// TestFakeSTSRealClock runs the command past a TOTP step and past a
// session's expiry without waiting: its clock follows the real time from an
// offset (--clock-offset), and the admin API moves it on.
func TestFakeSTSRealClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := startFake(t, "demo.json", "--clock-offset", "10m")
	url := fake.url
	offset := 10 * time.Minute
	mfaSession := func(key, secret, serial, code string) error {
		_, err := goClient(url, key, secret, "").GetSessionToken(ctx, &sts.GetSessionTokenInput{
			SerialNumber: aws.String(serial), TokenCode: aws.String(code)})
		return err
	}

	// The clock is 10 minutes ahead: the device shows the code of then.
	if err := mfaSession("AKIAEXAMPLEJENKINS01", "any-string", jenkinsMFA,
		codeAt(t, "JBSWY3DPEHPK3PXP", time.Now().Add(offset))); err != nil {
		t.Fatalf("the code of the clock's time (real time + 10m): %v", err)
	}

	// It follows the real time.
	first := adminClock(t, url, nil)
	time.Sleep(100 * time.Millisecond)
	second := adminClock(t, url, nil)
	if d := second.now.Sub(first.now); d < 100*time.Millisecond || !second.Real {
		t.Fatalf("the clock moved %v in 100ms of real time (real %v)", d, second.Real)
	}
	if d := time.Until(second.now) - offset; d < -5*time.Second || d > 5*time.Second {
		t.Fatalf("the clock is %v off real time + 10m", d)
	}

	// Past a TOTP step: three steps on, the code of before is refused and
	// the code of the new time accepted.
	offset += 90 * time.Second
	adminClock(t, url, map[string]string{"advance": "90s"})
	bobMFA := "arn:aws:iam::111111111111:mfa/bob"
	if err := mfaSession("AKIAEXAMPLEBOB000001", "bob-secret", bobMFA,
		codeAt(t, "GEZDGNBVGY3TQOJQ", time.Now().Add(offset-90*time.Second))); errorCode(err) != "AccessDenied" {
		t.Fatalf("a code three steps old: %v, want AccessDenied", err)
	}
	if err := mfaSession("AKIAEXAMPLEBOB000001", "bob-secret", bobMFA,
		codeAt(t, "GEZDGNBVGY3TQOJQ", time.Now().Add(offset))); err != nil {
		t.Fatalf("the code of the advanced clock: %v", err)
	}

	// Credentials expire DurationSeconds after the clock's now, not after
	// the start.
	out, err := goClient(url, "AKIAEXAMPLEJENKINS01", "any-string", "").AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(roleB), RoleSessionName: aws.String("clock"), ExternalId: aws.String("ext-123"),
		DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	want := time.Now().Add(offset + 900*time.Second)
	if d := aws.ToTime(out.Credentials.Expiration).Sub(want); d < -5*time.Second || d > 5*time.Second {
		t.Fatalf("expires %v, %v off real time + offset + 900s", out.Credentials.Expiration, d)
	}
	session := goClient(url, *out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken)
	if _, err := session.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("the session before expiry: %v", err)
	}
	adminClock(t, url, map[string]string{"advance": "15m"})
	if _, err := session.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); errorCode(err) != "ExpiredToken" {
		t.Fatalf("the session 15 minutes on: %v, want ExpiredToken", err)
	}

	// Log lines carry the clock's time.
	var line string
	for _, l := range strings.Split(fake.stop(t), "\n") {
		if strings.Contains(l, " GetSessionToken ") {
			line = l
			break
		}
	}
	logged, err := time.Parse(time.RFC3339, strings.SplitN(line, " ", 2)[0])
	if err != nil {
		t.Fatalf("log line %q: %v", line, err)
	}
	if d := time.Until(logged) - 10*time.Minute; d < -10*time.Second || d > 5*time.Second {
		t.Errorf("the first log line says %v, %v off real time + 10m", logged, d)
	}
}

// clockAnswer is the admin API's answer.
type clockAnswer struct {
	Now  string `json:"now"`
	Real bool   `json:"real"`
	now  time.Time
}

// adminClock reads the fake's clock, or moves it with form.
func adminClock(t *testing.T, url string, form map[string]string) clockAnswer {
	t.Helper()
	var resp *http.Response
	var err error
	if form == nil {
		resp, err = http.Get(url + xaccttest.AdminPath + "clock")
	} else {
		values := neturl.Values{}
		for k, v := range form {
			values.Set(k, v)
		}
		resp, err = http.PostForm(url+xaccttest.AdminPath+"clock", values)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a clockAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("admin API: %d %v", resp.StatusCode, err)
	}
	if a.now, err = time.Parse(time.RFC3339Nano, a.Now); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestFakeSTSWebIdentityToken: --web-identity-token writes a token file that
// an AWS profile's web_identity_token_file names; the Go SDK, boto3 and the
// AWS CLI all get the same role session with it.
func TestFakeSTSWebIdentityToken(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tokenPath := filepath.Join(dir, "token")
	const (
		role = "arn:aws:iam::444444444444:role/Deployer"
		want = "arn:aws:sts::444444444444:assumed-role/Deployer/interop"
	)
	fake := startFake(t, "../../xaccttest/testdata/webidentity.json", "--web-identity-token",
		"https://oidc.example.com/cluster1,system:serviceaccount:ci:builder,sts.amazonaws.com="+tokenPath)
	url := fake.url
	info, err := os.Stat(tokenPath)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v, mode %v", err, info.Mode())
	}
	token, _ := os.ReadFile(tokenPath)

	// Go: the SDK's web identity provider reads the file.
	anon := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url)})
	p := stscreds.NewWebIdentityRoleProvider(anon, role, stscreds.IdentityTokenFile(tokenPath),
		func(o *stscreds.WebIdentityRoleOptions) { o.RoleSessionName = "interop" })
	creds, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	id, err := goClient(url, creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken).
		GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != want {
		t.Fatalf("Go SDK: %v %v", id, err)
	}

	// boto3 and the AWS CLI: a profile with web_identity_token_file.
	profile := filepath.Join(dir, "config")
	os.WriteFile(profile, []byte("[profile web]\nrole_arn = "+role+"\nweb_identity_token_file = "+tokenPath+
		"\nrole_session_name = interop\nregion = us-east-1\n"), 0o600)
	env := cleanEnv(dir, "AWS_CONFIG_FILE="+profile,
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"), "AWS_ENDPOINT_URL_STS="+url, "AWS_PROFILE=web")
	if py := pythonWithBoto3(); py != "" {
		cmd := exec.Command(py, "-c", "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])")
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != want {
			t.Errorf("boto3: %v %s", err, out)
		}
	} else {
		t.Log("no python3 with boto3: boto3 not tried")
	}
	if awsCLI, err := exec.LookPath("aws"); err == nil {
		cmd := exec.Command(awsCLI, "sts", "get-caller-identity", "--query", "Arn", "--output", "text")
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != want {
			t.Errorf("AWS CLI: %v %s", err, out)
		}
	} else {
		t.Log("no aws: the AWS CLI not tried")
	}
	if log := fake.stop(t); strings.Contains(log, string(token)) || !strings.Contains(log, "wrote a web identity token") {
		t.Errorf("log:\n%s", log)
	}
}

func TestFakeSTSWebIdentityTokenFlagErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--web-identity-token", "https://i,sub=/tmp/x"}, 2, "want ISSUER,SUBJECT,AUDIENCE=PATH"},
		{[]string{"--web-identity-token", "https://i,sub,aud"}, 2, "each part non-empty"},
		{[]string{"--web-identity-token", "http://i,sub,aud=" + filepath.Join(t.TempDir(), "t")}, 1,
			"an issuer URL is https://host[/path]"},
		{[]string{"--web-identity-token-ttl", "0s"}, 2, "a token must live for a while"},
	} {
		var errOut bytes.Buffer
		args := append([]string{"fake-sts", "--config", issueScenario}, tt.args...)
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // a run that gets past the flags stops at once
		if code := run(ctx, args, &bytes.Buffer{}, &errOut); code != tt.code || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%v: exit %d, %s; want %d and %q", tt.args, code, errOut.String(), tt.code, tt.want)
		}
	}
}

// The token file is 0600 even when a file of another mode was there.
func TestFakeSTSWebIdentityTokenFileMode(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the fake stops once it has written the token
	var errOut bytes.Buffer
	if code := run(ctx, []string{"fake-sts", "--config", "../../xaccttest/testdata/webidentity.json", "--web-identity-token",
		"https://oidc.example.com/cluster1,system:serviceaccount:ci:builder,sts.amazonaws.com=" + path},
		&bytes.Buffer{}, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	info, err := os.Stat(path)
	if b, _ := os.ReadFile(path); err != nil || info.Mode().Perm() != 0o600 || string(b) == "old" {
		t.Errorf("token file: %v, mode %v, %d bytes; want a new token, mode 0600", err, info.Mode(), len(b))
	}
	if des, _ := os.ReadDir(filepath.Dir(path)); len(des) != 1 {
		t.Errorf("files beside the token: %v", des)
	}
}

// pythonWithBoto3 returns a python3 that imports boto3, or "".
func pythonWithBoto3() string {
	for _, candidate := range []string{os.Getenv("XACCT_PYTHON"), "python3", "/usr/bin/python3"} {
		if candidate == "" {
			continue
		}
		if path, err := exec.LookPath(candidate); err == nil && exec.Command(path, "-c", "import boto3").Run() == nil {
			return path
		}
	}
	return ""
}
