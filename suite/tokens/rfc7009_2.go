package tokens

import (
	"context"
	"fmt"
	"net/http"

	"github.com/mcpauth/conformance/suite/framework"
)

// expectRevoked200 FAILs unless a revocation request was answered 200.
func expectRevoked200(t *framework.T, e *framework.Exchange, what string) {
	t.Responded(e, "an HTTP response from the revocation endpoint")
	if e.Status != http.StatusOK {
		t.FailExpected(what+" to be answered 200 (RFC 7009 §2.2)", fmt.Sprintf("status %d: %s", e.Status, framework.Snippet(e.Body, 160)))
	}
}

// RFC 7009 §2: a revocation endpoint revokes refresh tokens, at once. The
// refresh is then polled for 10 s (with the newest token of the family, so
// that a rotation is not mistaken for revocation).
var _ = framework.It("RFC7009-2-refresh-token-revocation",
	"a revoked refresh token is refused by the refresh grant",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		revocationEndpoint(t, m)
		c := t.PublicClient()
		g := t.GrantWithRefreshToken(m, c, "")
		expectRevoked200(t, revoke(t, m, c, g.Tokens.RefreshToken, "refresh_token"), "the revocation of the client's own refresh token")
		if refused, e := refreshRefused(t, m, c, g.Tokens.RefreshToken); !refused {
			t.FailExpected("a revoked refresh token to be refused (RFC 7009 §2)", fmt.Sprintf("the refresh still works %s after revocation (%s)", pollWindow(t), outcome(e)))
		}
	}, framework.Browser)

// revokeOwnAccessToken has a public client revoke the access token of a
// fresh code exchange.
func revokeOwnAccessToken(t *framework.T) (*framework.Metadata, *framework.TokenResponse, *framework.Exchange) {
	m := t.Metadata()
	revocationEndpoint(t, m)
	c := t.PublicClient()
	tr := mustTokens(t, t.RedeemNewCode(m, c, ""))
	e := revoke(t, m, c, tr.AccessToken, "access_token")
	t.Responded(e, "an HTTP response from the revocation endpoint")
	return m, tr, e
}

// RFC 7009 §2 and §2.2.1: access tokens should be revocable too; a server
// that cannot revoke them answers unsupported_token_type (a WARN here).
// Self-contained JWTs stay valid at signature-only resource servers, so the
// effect is judged through introspection only.
var _ = framework.It("RFC7009-2-access-token-revocation",
	"a revoked access token is reported inactive by introspection",
	func(ctx context.Context, t *framework.T) {
		m, tr, e := revokeOwnAccessToken(t)
		want := "the client's access token to be revoked (RFC 7009 §2)"
		if e.Status != http.StatusOK {
			if tokenErrorCode(e) == "unsupported_token_type" {
				t.WarnExpected(want, "the revocation endpoint answered unsupported_token_type: access tokens cannot be revoked")
				return
			}
			t.WarnExpected(want, fmt.Sprintf("the revocation was answered %d: %s", e.Status, framework.Snippet(e.Body, 160)))
			return
		}
		inactive, observable, why := introspectInactive(t, m, tr.AccessToken)
		switch {
		case !observable:
			t.Skipf("the revocation was answered 200, and its effect cannot be observed without introspection (%s)", why)
		case !inactive:
			t.WarnExpected(want, fmt.Sprintf("the revocation was answered 200, but introspection still reports the access token active %s later", pollWindow(t)))
		}
	}, framework.Browser)

// RFC 7009 §2.2.1: a server that cannot revoke a token type answers
// unsupported_token_type. A server that answers 200 and revokes passes (it
// supports the type); one that answers 200 and leaves the token active is
// silently not revoking it: a WARN. Judged through introspection.
var _ = framework.It("RFC7009-2.2.1-unsupported-token-type",
	"an access token the server does not revoke is answered unsupported_token_type, not a silent 200",
	func(ctx context.Context, t *framework.T) {
		m, tr, e := revokeOwnAccessToken(t)
		if e.Status != http.StatusOK {
			switch code := tokenErrorCode(e); code {
			case "unsupported_token_type":
			case "":
				// Unreadable: the error format is judged elsewhere.
				_, err := framework.ParseOAuthError(e)
				t.Warnf("%s", framework.UnreadableRefusal("a refused access-token revocation", []string{"unsupported_token_type"}, err))
			default:
				t.FailExpected("a refused access-token revocation to say unsupported_token_type (RFC 7009 §2.2.1)",
					fmt.Sprintf("status %d with error %q", e.Status, code))
			}
			return
		}
		inactive, observable, why := introspectInactive(t, m, tr.AccessToken)
		switch {
		case !observable:
			t.Skipf("the revocation was answered 200; whether the token was revoked cannot be observed without introspection (%s)", why)
		case !inactive:
			t.WarnExpected("an access token the server does not revoke to be refused with unsupported_token_type (RFC 7009 §2.2.1)",
				fmt.Sprintf("the revocation was answered 200, and introspection still reports the token active %s later: silently not revoked", pollWindow(t)))
		default:
			t.Notef("the server revokes access tokens, so it has no unsupported type to report here")
		}
	}, framework.Browser)
