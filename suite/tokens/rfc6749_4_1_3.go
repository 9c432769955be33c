package tokens

import (
	"context"
	"net/url"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 6749 §4.1.3 (kept by OAuth 2.1 §10.2 for OAuth 2.0 clients): a
// redirect_uri in the token request must equal the authorization request's.
// invalid_grant is the code; invalid_request is a WARN.
var _ = framework.It("RFC6749-4.1.3-redirect-uri-mismatch",
	"a code redemption naming another redirect_uri than the authorization request is refused",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		code, p := fresh(t, m, c)
		other, err := url.Parse(c.RedirectURI)
		if err != nil {
			t.Errorf("the client's redirect URI %q does not parse: %v", c.RedirectURI, err)
		}
		other.Path = "/other"
		form := t.CodeRedemption(c, code, p)
		form.Set("redirect_uri", other.String())
		t.ExpectRejected(t.TokenRequest(m, c, form), "a code redemption with redirect_uri "+other.String()+" for a code requested with "+c.RedirectURI,
			[]string{"invalid_grant"}, framework.Warn)
	}, framework.Browser)

// OAuth 2.1 §10.2: OAuth 2.1 clients leave redirect_uri out of the token
// request (PKCE protects the code). RFC 6749 servers demand it, and OAuth 2.1
// lets a server keep that for 2.0 clients, so a refusal is only a WARN.
var _ = framework.It("OAUTH21-10.2-redirect-uri-omission",
	"a code redemption without redirect_uri (an OAuth 2.1 client) gets tokens",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		code, p := fresh(t, m, c)
		form := t.CodeRedemption(c, code, p)
		form.Del("redirect_uri")
		if e := t.TokenRequest(m, c, form); !succeeded(e) {
			t.WarnExpected("a code redemption without redirect_uri to get tokens, as OAuth 2.1 clients send it (OAuth 2.1 §10.2)",
				"it was "+outcome(e)+": RFC 6749-only behaviour")
		}
	}, framework.Browser)

// RFC 6749 §3.2.1 and §4.1.3: a client that does not authenticate names
// itself with client_id, so that the server can check the code was issued to
// it. Inferring the client from the code is not exploitable by itself but
// skips the binding check: a WARN, as the research grades it.
var _ = framework.It("RFC6749-3.2.1-public-client-id-required",
	"a public client's code redemption without client_id is refused",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		code, p := fresh(t, m, c)
		form := t.CodeRedemption(c, code, p)
		expectRefusedWarn(t, t.TokenRequest(m, nil, form), "a code redemption with neither client_id nor client authentication",
			[]string{"invalid_request", "invalid_client", "invalid_grant"}, "the client was inferred from the code")
	}, framework.Browser)
