package pkce

import (
	"context"
	"fmt"

	"github.com/mcpauth/conformance/suite/framework"
)

// OAuth 2.1 §1.9: protocol parameter values are case-sensitive, so "s256" is
// not the S256 method but an unknown one, to be refused with invalid_request
// (RFC 7636 §4.4.1). Lenient matching has no security impact, so acceptance
// is a WARN, never a FAIL. An error page refuses as well; an error code
// other than invalid_request is a WARN.
var _ = framework.It("OAUTH21-1.9-method-case-sensitive", "a request with code_challenge_method=s256 (lower case) is refused with invalid_request",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		p := framework.NewPKCE()
		res := t.Authorize(m, framework.AuthorizationRequest{Params: challengeParams(t, c, p.Challenge, "s256")})
		const what = "an authorization request with code_challenge_method=s256"
		if res.Code() != "" {
			t.WarnExpected(what+" to be refused with invalid_request: method names are case-sensitive",
				fmt.Sprintf("the server issued a code, so it matched s256 to S256 without regard to case: %s", res.Describe()))
			return
		}
		t.ExpectAuthorizationRefused(res, what, []string{"invalid_request"}, framework.Warn, framework.Pass)
	}, framework.Browser)
