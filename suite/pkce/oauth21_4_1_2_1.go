package pkce

import (
	"context"

	"github.com/mcpauth/conformance/suite/framework"
)

// OAuth 2.1 §4.1.2.1 and §7.5.2 (RFC 9700 §2.1.1 for clients): the server
// must refuse an authorization request without code_challenge from a public
// client. MCP clients are public clients registered by DCR or CIMD, so that is
// the client tested (some servers make PKCE a per-client setting). Refusal is
// what counts here: an invalid_request redirect or an error page both PASS,
// and the error format is RFC7636-4.4.1-missing-challenge-error's to judge. A
// code is a FAIL even if the token endpoint then refuses it ("late
// enforcement").
var _ = framework.It("OAUTH21-4.1.2.1-pkce-required-public", "a public client's authorization request without code_challenge is refused at the authorization endpoint",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		params := withoutChallenge(t, c)
		res := t.Authorize(m, framework.AuthorizationRequest{Params: params})
		if res.Code() != "" {
			codeIssuedWithoutChallenge(t, m, c, res, "public")
		}
		ae := t.ExpectAuthorizationRefused(res, "an authorization request of a public client without code_challenge",
			anyError(t, res, "RFC7636-4.4.1-missing-challenge-error"), framework.Fail, framework.Pass)
		attributeRefusal(t, m, c, params, ae)
	}, framework.Browser)
