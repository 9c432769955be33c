package errors

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// basicFailureExpected is RFC 6749 §5.2's rule for a client that
// authenticated through the Authorization header and failed.
const basicFailureExpected = "status 401, a WWW-Authenticate challenge with the Basic scheme, and error invalid_client (RFC 6749 §5.2)"

// judgeBasicFailure checks a failed Basic client authentication. It returns
// the problems found; the caller decides their verdict.
func judgeBasicFailure(t *framework.T, e *framework.Exchange) (tokenOutcome, []string) {
	t.Responded(e, "an HTTP response from the token endpoint")
	o := readTokenOutcome(e)
	if o.Success {
		t.FailExpected(basicFailureExpected, fmt.Sprintf("status %d: the server accepted the credentials (%s)", e.Status, framework.Snippet(e.Body, 160)))
	}
	var problems []string
	if e.Status != http.StatusUnauthorized {
		problems = append(problems, fmt.Sprintf("status %d, not 401", e.Status))
	}
	if !hasBasicChallenge(e.ResponseHeader) {
		if got := e.ResponseHeader.Values("WWW-Authenticate"); len(got) > 0 {
			problems = append(problems, fmt.Sprintf("WWW-Authenticate %q has no Basic challenge", strings.Join(got, ", ")))
		} else {
			problems = append(problems, "no WWW-Authenticate header")
		}
	}
	switch {
	case o.Code == "" && !o.Success:
		// The status and the challenge are still judged here.
		warnUnreadable(t, "a failed HTTP Basic client authentication", []string{"invalid_client"}, o)
	case o.Code != "invalid_client":
		problems = append(problems, fmt.Sprintf("error %q, not invalid_client", o.Code))
	}
	return o, problems
}

// RFC 6749 §5.2: a client that authenticated with the Authorization header
// and failed gets 401 with a WWW-Authenticate challenge for the scheme it
// used. The code is fresh and valid and was issued to this very client, so
// the wrong secret is the only defect: invalid_grant would be wrong too.
var _ = framework.It("RFC6749-5.2-invalid-client-401-basic",
	"a wrong client secret in HTTP Basic gets 401, a Basic WWW-Authenticate challenge and invalid_client",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.ConfidentialClient()
		if c.AuthMethod != "client_secret_basic" {
			t.Skipf("the confidential client authenticates with %s, not client_secret_basic, so a failed Basic authentication could not be tested with its registered method", c.AuthMethod)
		}
		p := framework.NewPKCE()
		code, _ := t.ObtainCode(m, t.AuthorizationParams(c, p))
		e := t.HTTP().PostForm(ctx, t.Endpoint(m, "token_endpoint"), t.CodeRedemption(c, code, p),
			&framework.Credentials{ID: c.ID, Secret: "wrong-" + framework.RandomString(8)})
		if _, problems := judgeBasicFailure(t, e); len(problems) > 0 {
			t.FailExpected("a token request with a fresh valid code and a wrong secret in HTTP Basic to be refused with "+basicFailureExpected,
				strings.Join(problems, "; "))
		}
	}, framework.Browser)

// The same rule for a client_id the server does not know, sent in HTTP
// Basic. The code is fresh and valid, issued to another client, so the
// client is the only defect: invalid_client is the answer. invalid_grant
// (the code "was issued to another client", RFC 6749 §5.2) is the server
// looking at the code first: a WARN; anything else than 401 + Basic +
// invalid_client is a FAIL.
var _ = framework.It("RFC6749-5.2-invalid-client-401-basic",
	"an unknown client_id in HTTP Basic, with a fresh valid code of another client, gets 401, a Basic WWW-Authenticate challenge and invalid_client",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		form := foreignCodeRedemption(t, m)
		e := t.HTTP().PostForm(ctx, t.Endpoint(m, "token_endpoint"), form,
			&framework.Credentials{ID: "does-not-exist-" + framework.RandomString(6), Secret: "wrong-" + framework.RandomString(8)})
		o, problems := judgeBasicFailure(t, e)
		expected := "HTTP Basic credentials of an unknown client, with a fresh valid code of another client, to be refused with " + basicFailureExpected
		switch {
		case o.Code == "invalid_grant":
			t.WarnExpected(expected+" (invalid_grant is accepted with a WARN: the server judged the code, issued to another client, before the client)",
				fmt.Sprintf("error invalid_grant (status %d)", e.Status))
		case len(problems) > 0:
			t.FailExpected(expected+" (or invalid_grant, with a WARN)", strings.Join(problems, "; "))
		}
	}, framework.Browser)

// invalidClientStatus checks the status of an invalid_client error for body
// credentials: 400 or 401, at the server's option (RFC 6749 §5.2; requirements
// §13 pitfall 6).
func invalidClientStatus(t *framework.T, o tokenOutcome, what string) {
	if o.Code == "invalid_client" && o.Status != http.StatusBadRequest && o.Status != http.StatusUnauthorized {
		t.FailExpected(what+" to be refused with invalid_client and status 400 or 401", fmt.Sprintf("status %d", o.Status))
	}
}

// RFC 6749 §5.2: an unknown client is invalid_client, with 400 or 401. The
// code is fresh and valid, issued to another client, so the client is the
// only defect. A server that looks at the code first says invalid_grant, a
// common deviation: WARN (requirements §5).
var _ = framework.It("RFC6749-5.2-invalid-client-body",
	"a token request with an unknown client_id in the body, and a fresh valid code of another client, gets invalid_client (400 or 401)",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		form := foreignCodeRedemption(t, m)
		form.Set("client_id", "does-not-exist-"+framework.RandomString(6))
		x := expectation{What: "a token request with an unknown client_id and a fresh valid code of another client", Pass: []string{"invalid_client"}, Warn: []string{"invalid_grant"},
			Accepted: framework.Fail, Other: framework.Fail}
		o := x.judge(t, t.HTTP().PostForm(ctx, t.Endpoint(m, "token_endpoint"), form, nil))
		invalidClientStatus(t, o, x.What)
	}, framework.Browser)

// RFC 6749 §5.2: a wrong client_secret in the body is invalid_client, with
// 400 or 401 (401 is required only for the Authorization header). The code is
// fresh, valid and issued to this client_secret_post client, so the secret is
// the only defect.
var _ = framework.It("RFC6749-5.2-invalid-client-body",
	"a wrong client_secret in the body of a client_secret_post client gets invalid_client (400 or 401)",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := postClient(t)
		p := framework.NewPKCE()
		code, _ := t.ObtainCode(m, t.AuthorizationParams(c, p))
		form := t.CodeRedemption(c, code, p)
		form.Set("client_id", c.ID)
		form.Set("client_secret", "wrong-"+framework.RandomString(8))
		x := expectation{What: "a token request with a fresh valid code and a wrong client_secret in the body", Pass: []string{"invalid_client"},
			Accepted: framework.Fail, Other: framework.Fail}
		o := x.judge(t, t.HTTP().PostForm(ctx, t.Endpoint(m, "token_endpoint"), form, nil))
		invalidClientStatus(t, o, x.What)
	}, framework.Browser)

// foreignCodeRedemption is the redemption of a fresh, valid code issued to
// another (public) client, with its verifier and redirect URI, and without
// client identification: the caller names the unknown client, so that the
// client is the only thing wrong with the request (isolate each defect).
func foreignCodeRedemption(t *framework.T, m *framework.Metadata) url.Values {
	c := t.PublicClient()
	p := framework.NewPKCE()
	code, _ := t.ObtainCode(m, t.AuthorizationParams(c, p))
	return t.CodeRedemption(c, code, p)
}
