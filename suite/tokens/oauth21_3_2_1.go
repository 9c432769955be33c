package tokens

import (
	"context"
	"net/url"
	"slices"

	"github.com/mcpauth/conformance/suite/framework"
)

// OAuth 2.1 §3.2.1 and §3.2.2 (RFC 6749 §3.2.1, §4.1.3): a confidential
// client must authenticate, and the server must require it. CONF's code is
// redeemed with only its client_id.
var _ = framework.It("OAUTH21-3.2.1-confidential-auth-required",
	"a confidential client's code redemption without client authentication is refused with invalid_client",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.ConfidentialClient()
		code, p := fresh(t, m, c)
		form := t.CodeRedemption(c, code, p)
		form.Set("client_id", c.ID)
		t.ExpectRejected(t.TokenRequest(m, nil, form), "a confidential client's code redemption with only its client_id",
			[]string{"invalid_client"}, framework.Warn)
	}, framework.Browser)

// OAuth 2.1 §2.4.1: a server that issues secrets supports them in the body
// (client_secret_post); Basic is optional in OAuth 2.1; whatever the server
// advertises must work. Each method is tried only with a client the server
// registered for it (servers bind clients to their method, pitfall 6), so a
// method it does not offer SKIPs.
var secretMethods = []string{"client_secret_post", "client_secret_basic"}

var _ = func() bool {
	for _, method := range secretMethods {
		framework.It("OAUTH21-2.4.1-secret-auth-methods",
			"a code exchange of a client registered for "+method+" succeeds with that method",
			func(ctx context.Context, t *framework.T) {
				m := t.Metadata()
				c := t.ClientWithMethod(method)
				code, p := fresh(t, m, c)
				judgeTokenResponse(t, t.TokenRequest(m, c, t.CodeRedemption(c, code, p)), "a code exchange authenticated with "+method)
			}, framework.Browser)
	}
	return true
}()

// OAuth 2.1 §2.4.1 (RFC 6749 §2.3.1): client credentials belong in the body
// or the Authorization header, never the URL, and a server should refuse
// them there so that leaked URLs are useless. A client_secret_post client is
// used where the server offers it, so that a server that takes query
// credentials as body ones is seen doing it.
var _ = framework.It("OAUTH21-2.4.1-secret-not-in-query",
	"a code redemption whose client_id and client_secret are in the token endpoint's URL query is refused",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		var c *framework.Client
		if methods, _ := framework.MemberStrings(m.Doc, "token_endpoint_auth_methods_supported"); slices.Contains(methods, "client_secret_post") {
			c = t.ClientWithMethod("client_secret_post")
		} else {
			c = t.ConfidentialClient()
		}
		code, p := fresh(t, m, c)
		target, err := framework.MergeQuery(t.Endpoint(m, "token_endpoint"), url.Values{"client_id": {c.ID}, "client_secret": {c.Secret}})
		if err != nil {
			t.Errorf("the token endpoint URL does not parse: %v", err)
		}
		e := t.HTTP().PostForm(ctx, target, t.CodeRedemption(c, code, p), nil)
		if succeeded(e) {
			t.WarnExpected("client credentials in the URL query to be refused (OAuth 2.1 §2.4.1)", "the server issued tokens for them")
		}
	}, framework.Browser)
