package pkce

import (
	"context"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 9700 §4.8.2 (PKCE downgrade): if the authorization request had no
// code_challenge, a token request that carries a code_verifier must be
// refused; otherwise an attacker who strips the challenge from a victim's
// request can still redeem the injected code. OAuth 2.1 §4.1.3 classifies it
// as invalid_request; invalid_grant is accepted too, another error is a WARN,
// tokens are a FAIL.
//
// The test needs a code issued without a challenge. One flow is spent on it,
// with a confidential client when one is available: that is where servers
// grant exemptions (PKCE required for public clients only is a common
// setting), and a server lenient for every client issues it one too. A public
// client getting such a code is OAUTH21-4.1.2.1-pkce-required-public's FAIL.
// A server that issues no such code enforces the rule implicitly (RFC 9700
// says mandatory PKCE satisfies it): PASS with a note.
var _ = framework.It("RFC9700-4.8.2-pkce-downgrade", "a code_verifier sent for a code issued without code_challenge is refused",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		var c *framework.Client
		if confidentialAvailable(t, m) {
			c = t.ConfidentialClient()
		} else {
			c = t.PublicClient()
		}
		params := withoutChallenge(t, c)
		res := t.Authorize(m, framework.AuthorizationRequest{Params: params})
		if res.Code() == "" {
			ae := framework.AuthorizationError{Code: authorizationError(res), Page: !res.Redirected}
			attributeRefusal(t, m, c, params, ae)
			t.Notef("implicitly enforced: the server issued no code for an authorization request of a %s client without code_challenge, so a downgraded code cannot exist", clientKind(c))
			return
		}
		t.Notef("a %s client got a code without code_challenge (judged by the pkce-required specs); the token request for it carries a code_verifier", clientKind(c))
		e := redeem(t, m, c, res.Code(), framework.NewPKCE().Verifier)
		t.ExpectRejected(e, "a token request with a code_verifier for a code issued without code_challenge",
			[]string{"invalid_request", "invalid_grant"}, framework.Warn)
	}, framework.Browser)

func clientKind(c *framework.Client) string {
	if c.Public() {
		return "public"
	}
	return "confidential"
}
