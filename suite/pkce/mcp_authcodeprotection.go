package pkce

import (
	"context"
	"fmt"

	"github.com/mcpauth/conformance/suite/framework"
)

// plainFlow runs an authorization request with code_challenge=V and
// code_challenge_method=plain, and redeems any code with code_verifier=V. It
// returns the authorization response and, when a code was issued, the token
// exchange (nil otherwise).
func plainFlow(t *framework.T, m *framework.Metadata) (*framework.AuthorizationResponse, *framework.Exchange) {
	c := t.PublicClient()
	p := framework.NewPKCE()
	res := t.Authorize(m, framework.AuthorizationRequest{Params: challengeParams(t, c, p.Verifier, "plain")})
	if res.Code() == "" {
		return res, nil
	}
	return res, redeem(t, m, c, res.Code(), p.Verifier)
}

// MCP "Authorization Code Protection" requires clients to use S256; OAuth 2.1
// discourages plain and RFC 9700 §2.1.1 tells clients to use a method that
// does not expose the verifier. No text obliges the server to refuse plain
// (requirements §13 pitfall 3), so this is a suite hardening policy checked
// as a SHOULD: a labelled WARN, never a FAIL, in every profile.
var _ = framework.It("MCP-AuthCodeProtection-plain-refused", "an authorization request with code_challenge_method=plain is refused with invalid_request",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		res, e := plainFlow(t, m)
		const what = "an authorization request with code_challenge_method=plain"
		if e == nil {
			t.ExpectAuthorizationRefused(res, what, []string{"invalid_request"}, framework.Warn, framework.Pass)
			return
		}
		want := what + " to be refused at the authorization endpoint with invalid_request"
		if issuedTokens(e) {
			t.WarnExpected(want, "plain PKCE accepted: a code was issued and redeemed with code_verifier equal to the challenge")
			return
		}
		t.WarnExpected(want, fmt.Sprintf("inconsistent: a code was issued for the plain challenge, but the token endpoint then refused code_verifier equal to the challenge (%s)", outcome(e)))
	}, framework.Browser)
