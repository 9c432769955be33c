package pkce

import (
	"context"

	"github.com/mcpauth/conformance/suite/framework"
)

// OAuth 2.1 §7.5.2: confidential clients must use PKCE too, unless the server
// has reasonable assurance that the client uses the OpenID Connect nonce
// instead. The request therefore carries no openid scope and no nonce, which
// leaves no room for that exemption. Any refusal PASSes; a code is a FAIL,
// "late enforcement" if the token endpoint then refuses it.
var _ = framework.It("OAUTH21-7.5.2-pkce-required-confidential", "a confidential client's authorization request without code_challenge (and without openid or nonce) is refused",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.ConfidentialClient()
		params := withoutChallenge(t, c)
		res := t.Authorize(m, framework.AuthorizationRequest{Params: params})
		if res.Code() != "" {
			// Some enterprise servers exempt confidential clients by configuration.
			t.Notef("some servers make PKCE for confidential clients configurable; if this one does, require it for every client")
			codeIssuedWithoutChallenge(t, m, c, res, "confidential")
		}
		ae := t.ExpectAuthorizationRefused(res, "an authorization request of a confidential client without code_challenge",
			anyError(t, res, "RFC7636-4.4.1-missing-challenge-error"), framework.Fail, framework.Pass)
		attributeRefusal(t, m, c, params, ae)
	}, framework.Browser)
