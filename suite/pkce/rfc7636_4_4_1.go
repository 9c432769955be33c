package pkce

import (
	"context"
	"fmt"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 7636 §4.4.1: when the server requires PKCE and the request has no
// code_challenge, the error goes back to the client as an ordinary
// authorization error response (RFC 6749 §4.1.2.1): error=invalid_request in
// the query of the redirect URI, with state as sent. A server may decline to
// redirect to a redirect URI it does not trust (RFC 9700 §4.11.2), and a fresh
// DCR client's is untrusted, so an error page is a WARN for a DCR client and a
// FAIL for a client configured as pre-registered. Any other error code, or a
// code, is a FAIL.
var _ = framework.It("RFC7636-4.4.1-missing-challenge-error", "a request without code_challenge gets an invalid_request error redirect that echoes state",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		params := withoutChallenge(t, c)
		res := t.Authorize(m, framework.AuthorizationRequest{Params: params})
		page := framework.Fail
		if registeredByDCR(c) {
			page = framework.Warn
		}
		ae := t.ExpectAuthorizationRefused(res, "an authorization request without code_challenge (PKCE is required)",
			[]string{"invalid_request"}, framework.Fail, page)
		if ae.Page {
			return
		}
		// Where the error parameters are and whether state comes back are
		// rows of their own; this one judges the refusal.
		t.ErrorRedirectShape(res, ae, params.Get("state"))
	}, framework.Browser)

// RFC 7636 §4.4.1: a code_challenge_method the server does not support gets
// an authorization error with error=invalid_request. S512 is a made-up
// method, so no server supports it; a server that silently treats it as S256
// issues a code, which is a FAIL. An error page alone is a WARN (an untrusted
// redirect URI, RFC 9700 §4.11.2), as is an error code other than
// invalid_request (requirements §1.4 rule 4).
//
// The requirement also suggests repeating the test with plain when plain is
// not advertised. That is left to MCP-AuthCodeProtection-plain-refused and
// RFC8414-2-pkce-metadata-truthful: a server that accepts plain supports it,
// so accepting it is not a §4.4.1 violation, only a metadata or policy one.
var _ = framework.It("RFC7636-4.4.1-unsupported-method-error", "a request with code_challenge_method=S512 is refused with invalid_request",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		p := framework.NewPKCE()
		res := t.Authorize(m, framework.AuthorizationRequest{Params: challengeParams(t, c, p.Challenge, "S512")})
		const what = "an authorization request with code_challenge_method=S512, a method the server cannot support"
		if res.Code() != "" {
			e := redeem(t, m, c, res.Code(), p.Verifier)
			detail := "the token endpoint then refused the S256 verifier too: " + outcome(e)
			if issuedTokens(e) {
				detail = "the token endpoint then accepted the S256 verifier: the unknown method was silently treated as S256"
			}
			t.FailExpected(what+" to be refused with an invalid_request error redirect",
				fmt.Sprintf("the server issued a code (%s); %s", res.Describe(), detail))
		}
		t.ExpectAuthorizationRefused(res, what, []string{"invalid_request"}, framework.Warn, framework.Warn)
	}, framework.Browser)
