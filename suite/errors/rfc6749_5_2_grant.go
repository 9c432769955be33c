package errors

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 6749 §5.2: a grant type the server does not implement is
// unsupported_grant_type. (A grant type it implements but this client may
// not use is unauthorized_client; the grant here is an unregistered URN, so
// that reading does not apply.) invalid_request is a common near miss: WARN.
var _ = framework.It("RFC6749-5.2-unsupported-grant-type",
	"a token request with a grant_type the server does not implement gets unsupported_grant_type",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		x := expectation{What: "grant_type=urn:example:unknown", Pass: []string{"unsupported_grant_type"}, Warn: []string{"invalid_request"},
			Accepted: framework.Fail, Other: framework.Fail}
		x.judge(t, t.TokenRequest(m, c, url.Values{"grant_type": {"urn:example:unknown"}}))
	})

// RFC 6749 §5.2: a request missing a required parameter is invalid_request.
// Without grant_type, unsupported_grant_type is just as defensible (the
// server sees an empty grant type). Without code, a server that looks the
// empty code up answers invalid_grant: a WARN.
var _ = framework.It("RFC6749-5.2-invalid-request-missing-param",
	"a token request without grant_type, or without code, gets invalid_request",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()

		form := t.CodeRedemption(c, framework.NewPKCE().Verifier, framework.NewPKCE())
		form.Del("grant_type")
		noGrantType := expectation{What: "a token request without grant_type", Pass: []string{"invalid_request", "unsupported_grant_type"},
			Accepted: framework.Fail, Other: framework.Fail}
		noGrantType.judge(t, t.TokenRequest(m, c, form))

		form = t.CodeRedemption(c, "", framework.NewPKCE())
		form.Del("code")
		noCode := expectation{What: "an authorization_code token request without code", Pass: []string{"invalid_request"}, Warn: []string{"invalid_grant"},
			Accepted: framework.Fail, Other: framework.Fail}
		noCode.judge(t, t.TokenRequest(m, c, form))
	})

// RFC 6749 §5.2: an authorization code the server never issued is
// invalid_grant, with status 400. Another 4xx (some servers say
// invalid_client, finding no client session for a public client) is a WARN;
// a success or a 5xx is a FAIL: a server error for a bad code is a bug a
// client cannot act on.
var _ = framework.It("RFC6749-5.2-invalid-grant-unknown-code",
	"a token request with an unknown authorization code gets 400 invalid_grant",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		code := framework.NewPKCE().Verifier // 43 random base64url characters, the shape of a real code
		e := t.TokenRequest(m, c, t.CodeRedemption(c, code, framework.NewPKCE()))
		t.Responded(e, "an HTTP response from the token endpoint")
		o := readTokenOutcome(e)
		expected := "an unknown 43-character code to be refused with status 400 and error invalid_grant (another 4xx is accepted with a WARN)"
		actual := fmt.Sprintf("status %d, error %q", e.Status, o.Code)
		if o.Code == "" {
			actual = fmt.Sprintf("status %d: %s", e.Status, describeOutcome(o, e))
		}
		switch {
		case e.Status == http.StatusBadRequest && o.Code == "invalid_grant":
		case o.Code == "" && e.Status >= 400 && e.Status < 500:
			warnUnreadable(t, "an unknown 43-character code", []string{"invalid_grant"}, o)
		case e.Status >= 400 && e.Status < 500:
			t.WarnExpected(expected, actual)
		default:
			t.FailExpected(expected, actual)
		}
	})
