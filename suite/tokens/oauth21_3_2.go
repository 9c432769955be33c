package tokens

import (
	"context"
	"net/http"

	"github.com/mcpauth/conformance/suite/framework"
)

// OAuth 2.1 §3.2: clients POST to the token endpoint, so a GET carrying the
// token request in its URL should not get tokens (credentials and codes end
// up in logs). 405 or any refusal passes; a fresh code, since a refused GET
// may burn it.
var _ = framework.It("OAUTH21-3.2-post-only",
	"a GET to the token endpoint with the token request in its query gets no tokens",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		code, p := fresh(t, m, c)
		form := t.CodeRedemption(c, code, p)
		c.Authenticate(form)
		target, err := framework.MergeQuery(t.Endpoint(m, "token_endpoint"), form)
		if err != nil {
			t.Errorf("the token endpoint URL does not parse: %v", err)
		}
		if e := t.HTTP().Get(ctx, target, nil); succeeded(e) {
			t.WarnExpected("a GET token request to be refused (405, or a 400 error; OAuth 2.1 §3.2)", "the server issued tokens for it")
		}
	}, framework.Browser)

// OAuth 2.1 §3.2.2: token requests are application/x-www-form-urlencoded in
// UTF-8, and the server must accept them with and without an explicit
// charset parameter (some frameworks choke on it: a real interop bug).
var _ = framework.It("OAUTH21-3.2.2-form-urlencoded",
	"code redemptions sent as application/x-www-form-urlencoded, with and without ; charset=UTF-8, get tokens",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		for _, ct := range []string{"application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=UTF-8"} {
			code, p := fresh(t, m, c)
			form := t.CodeRedemption(c, code, p)
			auth := c.Authenticate(form)
			e := t.HTTP().Send(ctx, framework.Request{Method: http.MethodPost, URL: t.Endpoint(m, "token_endpoint"),
				Header: http.Header{"Content-Type": {ct}}, Form: form, BasicAuth: auth})
			if !succeeded(e) {
				t.FailExpected("a code redemption sent with Content-Type "+ct+" to get tokens (OAuth 2.1 §3.2.2)", "it was "+outcome(e))
			}
		}
	}, framework.Browser)
