package pkce

import (
	"context"

	"github.com/mcpauth/conformance/suite/framework"
)

// OAuth 2.1 §4.1.3 (RFC 9700 §2.1.1): a code bound to a challenge can only be
// redeemed with a code_verifier. Both invalid_request (a missing parameter)
// and invalid_grant (RFC 7636 §4.6 style) are defensible, so either PASSes;
// another error is a WARN, tokens are a FAIL.
var _ = framework.It("OAUTH21-4.1.3-missing-verifier-rejected", "a code issued for an S256 challenge is not redeemed without code_verifier",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		code, _ := t.ObtainCode(m, t.AuthorizationParams(c, framework.NewPKCE()))
		e := redeem(t, m, c, code, "")
		t.ExpectRejected(e, "a token request without code_verifier for a code issued for a code_challenge",
			[]string{"invalid_request", "invalid_grant"}, framework.Warn)
	}, framework.Browser)
