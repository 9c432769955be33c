package pkce

import (
	"context"
	"fmt"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 7636 §4.3: a code_challenge without code_challenge_method means plain.
// The server either processes it as plain or, if it does not support plain,
// refuses it with invalid_request. Treating it as S256 is wrong: harmless for
// security, but non-conformant, and it breaks legacy plain clients.
//
// The challenge sent is C = BASE64URL(SHA256(V)) with no method, so the two
// readings can be told apart: (a) the verifier V works only if the server
// defaulted to S256 (FAIL); (b) on a fresh flow, the verifier C works only
// with plain semantics (PASS). A refusal at the authorization endpoint PASSes
// (plain unsupported); an error page refuses as well, and the error channel is
// judged by the §4.4.1 specs; an error code other than invalid_request is a
// WARN (requirements §1.4 rule 4).
var _ = framework.It("RFC7636-4.3-default-method-plain", "a code_challenge without code_challenge_method is treated as plain or refused, never as S256",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		p := framework.NewPKCE()
		const what = "an authorization request with code_challenge and no code_challenge_method (plain)"
		res := t.Authorize(m, framework.AuthorizationRequest{Params: challengeParams(t, c, p.Challenge, "")})
		if res.Code() == "" {
			t.ExpectAuthorizationRefused(res, what, []string{"invalid_request"}, framework.Warn, framework.Pass)
			t.Notef("the challenge without a method was refused: plain is not supported")
			return
		}

		// (a) The S256 reading: V against C.
		a := redeem(t, m, c, res.Code(), p.Verifier)
		if issuedTokens(a) {
			t.FailExpected(what+" to be processed as plain (or refused with invalid_request)",
				"the code was redeemed with code_verifier=V where the challenge was BASE64URL(SHA256(V)): the server defaulted the method to S256")
		}

		// (b) The plain reading, on a fresh flow and code: C itself is the verifier.
		c2 := t.PublicClient()
		p2 := framework.NewPKCE()
		res2 := t.Authorize(m, framework.AuthorizationRequest{Params: challengeParams(t, c2, p2.Challenge, "")})
		if res2.Code() == "" {
			t.FailExpected(what+" to be processed the same way each time",
				fmt.Sprintf("the first request got a code, which code_verifier=V did not redeem (%s); a second one got no code: %s", outcome(a), res2.Describe()))
		}
		b := redeem(t, m, c2, res2.Code(), p2.Challenge)
		if !issuedTokens(b) {
			t.FailExpected(what+" to be processed as plain: the code redeemed with code_verifier equal to the challenge",
				fmt.Sprintf("code_verifier=V was %s and code_verifier=C was %s: neither plain nor S256 semantics", outcome(a), outcome(b)))
		}
		t.Notef("plain semantics: the challenge without a method was compared with the verifier as is")
	}, framework.Browser)
