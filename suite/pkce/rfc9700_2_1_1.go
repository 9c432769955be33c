package pkce

import (
	"context"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 9700 §2.1.1 encourages servers to detect a client that reuses one
// code_challenge across authorization requests, but states no requirement:
// this records what the server does (INFO), and is never a WARN or FAIL. The
// first flow is completed and its code redeemed, then a second request of
// the same client carries the same challenge.
var _ = framework.It("RFC9700-2.1.1-constant-challenge", "whether a second authorization request reusing the same code_challenge is refused (recorded only)",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		p := framework.NewPKCE()
		code, _ := t.ObtainCode(m, t.AuthorizationParams(c, p))
		if e := redeem(t, m, c, code, p.Verifier); !issuedTokens(e) {
			t.Notef("the first code was not redeemed: %s", outcome(e))
		}
		res := t.Authorize(m, framework.AuthorizationRequest{Params: t.AuthorizationParams(c, p)})
		switch {
		case res.Code() != "":
			t.Infof("not detected: a second authorization request with the same code_challenge got a code")
		case authorizationError(res) != "":
			t.Infof("detected: a second authorization request with the same code_challenge was refused with error %q", authorizationError(res))
		default:
			t.Infof("detected: a second authorization request with the same code_challenge got no code: %s", res.Describe())
		}
	}, framework.Browser)
