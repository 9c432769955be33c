package tokens

import (
	"context"

	"github.com/mcpauth/conformance/suite/framework"
)

// OAuth 2.1 §4.3 and §4.3.1 (RFC 6749 §6, §10.4): a refresh token is bound
// to its client. PUB's refresh token is presented by PUB2, and, on a grant
// of its own (a refused cross-client attempt may count as reuse and revoke
// the family, which is allowed), with CONF's valid authentication.
var _ = framework.It("OAUTH21-4.3-rt-bound-to-client",
	"a refresh token issued to one client is refused to another public client and to a confidential client",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		pub := t.PublicClient()
		accepted := []string{"invalid_grant", "invalid_client", "unauthorized_client"}
		g := t.GrantWithRefreshToken(m, pub, "")
		pub2 := secondPublic(t)
		e, _ := t.Refresh(m, pub2, t.RefreshRequest(g.Tokens.RefreshToken))
		t.ExpectRejected(e, "PUB's refresh token presented by PUB2", accepted, framework.Warn)
		if !confidentialAvailable(t, m) {
			t.Notef("no confidential client can be had, so only the public-client case was checked")
			return
		}
		conf := t.ConfidentialClient()
		g = t.GrantWithRefreshToken(m, pub, "")
		e, _ = t.Refresh(m, conf, t.RefreshRequest(g.Tokens.RefreshToken))
		t.ExpectRejected(e, "PUB's refresh token presented by a confidential client with its valid authentication", accepted, framework.Warn)
	}, framework.Browser)
