package pkce

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/mcpauth/conformance/suite/framework"
)

// randomURLSafe returns n characters of random base64url text.
func randomURLSafe(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// RFC 7636 §4.1: a code_verifier is 43 to 128 characters from
// [A-Z a-z 0-9 - . _ ~]; anything else is a malformed request. Each malformed
// verifier gets its own flow whose challenge is its real S256 hash, so the
// token request succeeds unless the server checks the syntax. RFC 7636 states
// no explicit server MUST, and S256 security does not depend on it, so tokens
// are a WARN, never a FAIL; invalid_request and invalid_grant both PASS.
var _ = framework.It("RFC7636-4.1-verifier-syntax", "code_verifiers of 42 or 129 characters, or containing + and /, are refused even when their S256 hash matches",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		cases := []struct{ what, verifier string }{
			{"a code_verifier of 42 characters", randomURLSafe(42)},
			{"a code_verifier of 129 characters", randomURLSafe(129)},
			{"a code_verifier of 43 characters containing + and /", randomURLSafe(41) + "+/"},
		}
		for _, tc := range cases {
			c := t.PublicClient()
			code, _ := t.ObtainCode(m, challengeParams(t, c, framework.S256(tc.verifier), "S256"))
			e := redeem(t, m, c, code, tc.verifier)
			what := fmt.Sprintf("%s (its S256 hash matches the challenge)", tc.what)
			t.ExpectRejected(e, what, []string{"invalid_request", "invalid_grant"}, framework.Warn)
		}
	}, framework.Browser)
