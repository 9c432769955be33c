package pkce

import (
	"context"
	"fmt"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 7636 §4.2: S256 is mandatory to implement on the server, and OAuth 2.1
// makes PKCE mandatory, so the ordinary flow with an S256 challenge must work.
// The verifier is 32 random bytes base64url-encoded without padding (43
// characters), and the challenge has neither padding nor + or / (requirements
// §3, Tricky), so a failure cannot come from an unusual client value.
func s256Flow(t *framework.T, client *framework.Client) {
	m := t.Metadata()
	p := framework.NewPKCE()
	res := t.ApprovedAuthorization(m, t.AuthorizationParams(client, p))
	if res.Code() == "" {
		hint := ""
		if e := res.Error(); (e == "access_denied" || e == "invalid_scope") && t.Scope() == "" {
			hint = "\n(the request had no scope and the server advertises no plain OAuth scope to retry with; if it needs one, give --scope)"
		}
		t.FailExpected("an approved S256 authorization request to redirect with a code", res.Describe()+hint)
	}
	e := t.TokenRequest(m, client, t.CodeRedemption(client, res.Code(), p))
	if _, err := framework.ParseTokenResponse(e); err != nil {
		t.FailExpected("the code and its S256 verifier to be exchanged for tokens (200 with access_token)", err.Error()+"; "+e.Summary())
	}
}

var _ = framework.It("RFC7636-4.2-s256-mti", "a public client's code issued for an S256 challenge is redeemed with its verifier",
	func(ctx context.Context, t *framework.T) {
		s256Flow(t, t.PublicClient())
	}, framework.Browser)

// The same for a confidential client: PKCE applies to every client type
// (OAuth 2.1 §7.5.2), and the token request then also carries the client's
// authentication in its registered method.
var _ = framework.It("RFC7636-4.2-s256-mti", "a confidential client's code issued for an S256 challenge is redeemed with its verifier",
	func(ctx context.Context, t *framework.T) {
		s256Flow(t, t.ConfidentialClient())
	}, framework.Browser)

// RFC 7636 §4.2: a code_challenge has the verifier's syntax, 43 to 128
// unreserved characters, and an S256 challenge is exactly 43 base64url
// characters without padding. A malformed challenge makes the request
// malformed, so it should be refused with invalid_request (§4.4.1). No text
// states a server MUST here, and a server that strips a client's stray "="
// harms nobody, so acceptance is a WARN, never a FAIL. An error page instead
// of a redirect still refuses the request; the error channel is judged by the
// §4.4.1 specs.
var _ = framework.It("RFC7636-4.2-challenge-syntax", "an S256 code_challenge of 10 characters, or with = padding, is refused with invalid_request",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		p := framework.NewPKCE()
		cases := []struct{ what, challenge string }{
			{"an S256 code_challenge of 10 characters", p.Challenge[:10]},
			{"an S256 code_challenge padded with = (44 characters)", p.Challenge + "="},
		}
		for _, tc := range cases {
			c := t.PublicClient()
			res := t.Authorize(m, framework.AuthorizationRequest{Params: challengeParams(t, c, tc.challenge, "S256")})
			if res.Code() != "" {
				t.WarnExpected(fmt.Sprintf("%s to be refused with invalid_request", tc.what),
					fmt.Sprintf("the server issued a code for code_challenge=%q: %s", tc.challenge, res.Describe()))
				continue
			}
			t.ExpectAuthorizationRefused(res, tc.what, []string{"invalid_request"}, framework.Warn, framework.Pass)
		}
	}, framework.Browser)
