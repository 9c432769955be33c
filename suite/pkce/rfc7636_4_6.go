package pkce

import (
	"context"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 7636 §4.6: when BASE64URL(SHA256(code_verifier)) differs from the
// stored challenge, the token request fails with invalid_grant. The wrong
// verifier is itself well formed (43 base64url characters), so only the
// comparison can refuse it. invalid_request is the wrong code (WARN); tokens
// are a FAIL. The code gets a second, correct attempt afterwards: a server
// may burn a code on a failed attempt or keep it, and the note records which.
var _ = framework.It("RFC7636-4.6-wrong-verifier-invalid-grant", "a token request with another well-formed code_verifier is refused with invalid_grant",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		p := framework.NewPKCE()
		code, _ := t.ObtainCode(m, t.AuthorizationParams(c, p))
		e := redeem(t, m, c, code, framework.NewPKCE().Verifier)
		t.ExpectRejected(e, "a token request whose code_verifier does not match the S256 challenge", []string{"invalid_grant"}, framework.Warn)

		retry := redeem(t, m, c, code, p.Verifier)
		if issuedTokens(retry) {
			t.Notef("the code survived the failed attempt: the correct code_verifier then redeemed it")
		} else {
			t.Notef("the failed attempt invalidated the code (allowed): the correct code_verifier was then %s", outcome(retry))
		}
	}, framework.Browser)

// RFC 7636 §4.6 and OAuth 2.1 §7.5.1 (code injection): each code is bound to
// its own challenge. Two flows A and B of one client are run, and code A is
// redeemed with B's verifier while code B is still outstanding. That catches
// servers that check "any outstanding challenge of this client", or cache the
// challenge per session instead of per code. invalid_grant PASSes, another
// error is a WARN (the wrong code), tokens are a FAIL.
var _ = framework.It("RFC7636-4.6-cross-flow-verifier", "a code is not redeemed with the verifier of another, still outstanding flow of the same client",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		pa, pb := framework.NewPKCE(), framework.NewPKCE()
		codeA, _ := t.ObtainCode(m, t.AuthorizationParams(c, pa))
		t.ObtainCode(m, t.AuthorizationParams(c, pb)) // code B stays outstanding
		e := redeem(t, m, c, codeA, pb.Verifier)
		t.ExpectRejected(e, "code A redeemed with the code_verifier of flow B", []string{"invalid_grant"}, framework.Warn)
	}, framework.Browser)
