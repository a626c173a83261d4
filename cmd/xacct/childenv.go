package main

// The environment of a child process that acts with credentials xacct
// got for it: what `xacct for-each-account` gives each command, and what
// `xacct exec` gives its one. Also what keeps those credentials out of
// the child's output when xacct passes it on (for-each-account).

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// credentialVars are the variables through which a child could pick
// credentials other than the ones xacct gives it: a profile, a web
// identity, a container endpoint, the Go SDK's older names of the keys,
// and the account ID that goes with the keys (botocore and the Go SDK use
// it for account-based endpoints). credentialEnv drops them all.
var credentialVars = []string{
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_ACCOUNT_ID",
	"AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	"AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
}

// credentialEnv returns env (KEY=value entries, as os.Environ gives them)
// with creds in the variables that every AWS SDK and the AWS CLI read
// first (and their account in AWS_ACCOUNT_ID, when known), and region in AWS_REGION and AWS_DEFAULT_REGION when it is set.
// Everything else is kept: endpoints, retry settings, proxies. A profile
// is dropped with the rest of credentialVars, as it could name other
// credentials; its region comes along through region (the caller's
// resolved cfg.Region).
//
// The credentials are those of one moment: a child that runs past their
// expiry (creds.Expires, also in AWS_CREDENTIAL_EXPIRATION) gets errors.
func credentialEnv(env []string, creds aws.Credentials, region string) []string {
	drop := slices.Clone(credentialVars)
	if region != "" {
		drop = append(drop, "AWS_REGION", "AWS_DEFAULT_REGION")
	}
	out := slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return slices.Contains(drop, k)
	})
	for _, v := range credentialVarList(creds, region) {
		out = append(out, v.name+"="+v.value)
	}
	return out
}

// redactor replaces the secret parts of credentials in a child's output
// (a child that prints its environment, or a debug log of a signed
// request, would show them) before xacct passes the output on.
type redactor []string

func newRedactor(creds aws.Credentials) redactor {
	var r redactor
	for _, s := range []string{creds.SecretAccessKey, creds.SessionToken} {
		if s != "" {
			r = append(r, s)
		}
	}
	return r
}

const redacted = "[redacted by xacct]"

func (r redactor) line(b []byte) []byte {
	for _, s := range r {
		b = bytes.ReplaceAll(b, []byte(s), []byte(redacted))
	}
	return b
}

// splitAt returns where a piece of output b may end so that no secret is
// cut in two: len(b), unless b ends with the beginning of a secret, which
// then starts the next piece. Secrets whole in b are redacted with it. At
// most half of b is held back.
func (r redactor) splitAt(b []byte) int {
	longest := 0
	for _, s := range r {
		longest = max(longest, len(s))
	}
	for p := max(len(b)/2, len(b)-longest+1); p < len(b); p++ {
		for _, s := range r {
			if len(b)-p < len(s) && bytes.HasPrefix([]byte(s), b[p:]) {
				return p
			}
		}
	}
	return len(b)
}

// lineWriter passes a child's output on line by line, each line redacted
// and prefixed, whole, to a writer that other children share (mu guards
// it), and keeps the last lines for a report. Secrets hold no newline, so
// redacting whole lines finds them; a line longer than maxLine is passed
// on in pieces that never cut a secret in two (redactor.splitAt).
type lineWriter struct {
	mu     *sync.Mutex // guards out, shared by every child writing to it
	out    io.Writer   // nil: lines are only kept
	prefix string
	redact redactor
	keep   int // how many last lines to keep

	buf  []byte   // the line being written
	tail [][]byte // the last lines, at most keep
}

// maxLine bounds a line: longer output without a newline is passed on in
// pieces, so that a child cannot make xacct hold unbounded data.
const maxLine = 64 << 10

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 || len(w.buf)+i > maxLine {
			// No end of line within reach: take what fits in this line.
			k := min(len(p), maxLine-len(w.buf))
			w.buf = append(w.buf, p[:k]...)
			p = p[k:]
			if len(w.buf) >= maxLine {
				w.emitPiece()
			}
			continue
		}
		w.buf = append(w.buf, p[:i]...)
		w.emit()
		p = p[i+1:]
	}
	return n, nil
}

// Close passes on a last line that had no newline.
func (w *lineWriter) Close() error {
	if len(w.buf) > 0 {
		w.emit()
	}
	return nil
}

// emitPiece passes on a piece of a line too long to hold whole, keeping
// back the beginning of a secret that it ends with.
func (w *lineWriter) emitPiece() {
	cut := w.redact.splitAt(w.buf)
	rest := bytes.Clone(w.buf[cut:])
	w.buf = w.buf[:cut]
	w.emit()
	w.buf = rest
}

func (w *lineWriter) emit() {
	line := w.redact.line(w.buf)
	w.buf = nil
	if w.out != nil {
		w.mu.Lock()
		w.out.Write(append(append([]byte(w.prefix), line...), '\n'))
		w.mu.Unlock()
	}
	if w.keep > 0 {
		w.tail = append(w.tail, line)
		if len(w.tail) > w.keep {
			w.tail = w.tail[1:]
		}
	}
}

// Tail returns the last lines kept, at most maxBytes of them (the end).
func (w *lineWriter) Tail(maxBytes int) string {
	s := string(bytes.Join(w.tail, []byte("\n")))
	if len(s) > maxBytes {
		s = "…" + s[len(s)-maxBytes:]
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
