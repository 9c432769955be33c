package tokens

import (
	"context"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 7009 §2.2: revoking an invalid or unknown token is not an error, since
// the client could not act on one: 200. Many servers answer 400 here
// (pitfall 19).
var _ = framework.It("RFC7009-2.2-invalid-token-200",
	"revoking an unknown token is answered 200",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		revocationEndpoint(t, m)
		expectRevoked200(t, revoke(t, m, t.PublicClient(), randomValue(), ""), "the revocation of an unknown token (RFC 7009 §2.2: invalid tokens yield 200)")
	})
