package xacct

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/xacct/xacct/internal/credendpoint"
)

// CredentialsHandler returns an http.Handler that answers the container
// credential protocol with p's credentials: the local endpoint that every
// AWS SDK and the AWS CLI fetch credentials from, and refresh them from,
// when AWS_CONTAINER_CREDENTIALS_FULL_URI names it (with the token in
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or AWS_CONTAINER_AUTHORIZATION_TOKEN).
// Serve it on a loopback listener only (127.0.0.1:0): the JS SDK accepts
// no other host.
//
// A request gets, in this order of checks:
//   - 403 when its Host is not a loopback name or address (localhost,
//     127.0.0.0/8, [::1]): a page of another site that resolves its own
//     name to 127.0.0.1 (DNS rebinding) gets nothing;
//   - 405 for a method other than GET; 413 with a body;
//   - 401 when Authorization is missing or is not authToken (compared in
//     constant time);
//   - 200 with {"AccessKeyId","SecretAccessKey","Token","Expiration"}
//     (Expiration in RFC 3339, UTC, with a Z; "AccountId" when known), and
//     Cache-Control: no-store.
//
// When p is a *Cache, the credentials served have at least 15 minutes
// left on the Cache's clock whenever the session allows it
// (RetrieveValidFor): botocore fetches again before every call under 15
// minutes, and the JS and Go SDKs take under 5 minutes for expired. Any
// other provider's credentials are served as it gives them.
//
// A request never waits on a person: a refresh that needs an MFA code
// answers 503 MFACodeNeeded at once, without calling the TokenFunc; the
// program that owns the terminal asks (its own Retrieve, or `xacct login`,
// whose session the Cache finds in its Store). A request waits at most 1s
// (a refresh under way elsewhere), then gets 503 CredentialsPending while
// the refresh goes on; other failures are 502 CredentialsUnavailable.
// Failures are JSON {"code","message"} (and "Code","Message", for the JS
// SDK) with a 5xx status, so that SDKs retry. No answer holds a secret,
// and nothing is logged.
//
// CredentialsHandler panics when authToken is shorter than 16 bytes (empty
// included): that is a programming error, and a short token a guessable
// one. The handler is safe for concurrent use.
func CredentialsHandler(p aws.CredentialsProvider, authToken string) http.Handler {
	if len(authToken) < credendpoint.MinTokenLen {
		panic(fmt.Sprintf("xacct.CredentialsHandler: the authorization token has %d bytes, "+
			"and must have at least %d (use 32 random bytes)", len(authToken), credendpoint.MinTokenLen))
	}
	if p == nil {
		panic("xacct.CredentialsHandler: the credentials provider is nil")
	}
	return &credentialsHandler{p: p, token: credendpoint.NewToken(authToken)}
}

// credentialsHandler is CredentialsHandler's handler.
type credentialsHandler struct {
	p     aws.CredentialsProvider
	token credendpoint.Token // its hash, for a constant-time compare
}

func (h *credentialsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if no := credendpoint.Check(r, &h.token); no != nil {
		no.Write(w)
		return
	}
	ctx, cancel := context.WithTimeout(withoutPerson(r.Context()), credendpoint.MaxWait)
	defer cancel()
	creds, err := h.retrieve(ctx)
	if err != nil {
		h.fail(w, ctx, err)
		return
	}
	credendpoint.WriteCredentials(w, creds)
}

// retrieve gets the credentials to serve, with credendpoint.MinValidity
// left from a *Cache.
func (h *credentialsHandler) retrieve(ctx context.Context) (creds aws.Credentials, err error) {
	defer func() {
		if v := recover(); v != nil { // another provider's panic is this request's failure alone
			creds, err = aws.Credentials{}, fmt.Errorf("xacct: the credentials provider panicked (value of type %T)", v)
		}
	}()
	if c, ok := h.p.(*Cache); ok {
		return c.RetrieveValidFor(ctx, credendpoint.MinValidity)
	}
	return h.p.Retrieve(ctx)
}

// fail answers a failed retrieve. ctx is the request's, bounded.
func (h *credentialsHandler) fail(w http.ResponseWriter, ctx context.Context, err error) {
	switch {
	case errors.Is(err, errNeedsPerson):
		credendpoint.WriteMFACodeNeeded(w)
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		credendpoint.WritePending(w)
	default:
		credendpoint.WriteError(w, http.StatusBadGateway, credendpoint.CodeUnavailable, err.Error())
	}
}
