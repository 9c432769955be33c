package tokens

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 7009 §2.1: revocation requests are form-encoded POSTs with token and
// an optional token_type_hint; the form must be accepted (only JSON fails).
var _ = framework.It("RFC7009-2.1-post-form",
	"a form-encoded revocation POST of the client's own refresh token (its access token when it has none) is answered 200",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		revocationEndpoint(t, m)
		c := t.PublicClient()
		token, hint := revocable(mustTokens(t, t.RedeemNewCode(m, c, "")))
		expectRevoked200(t, revoke(t, m, c, token, hint), "a form-encoded revocation request")
	}, framework.Browser)

// RFC 7009 §2.1: the client authenticates as at the token endpoint, and the
// server checks a confidential client's credentials. CONF's refresh token is
// revoked with no credentials and then with a wrong secret; what decides is
// whether the token survived (statuses vary).
var _ = framework.It("RFC7009-2.1-client-authentication",
	"revocation of a confidential client's refresh token without or with wrong credentials does not revoke it",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		endpoint := revocationEndpoint(t, m)
		c := t.ConfidentialClient()
		g := t.GrantWithRefreshToken(m, c, "")
		noAuth := url.Values{"token": {g.Tokens.RefreshToken}, "token_type_hint": {"refresh_token"}, "client_id": {c.ID}}
		first := t.HTTP().PostForm(ctx, endpoint, noAuth, nil)
		second := revoke(t, m, withSecret(c, "wrong-"+framework.RandomString(8)), g.Tokens.RefreshToken, "refresh_token")
		if ok, e := refreshWorks(t, m, c, g.Tokens.RefreshToken); !ok {
			t.FailExpected("a revocation request without valid client credentials to leave the confidential client's refresh token valid (RFC 7009 §2.1)",
				fmt.Sprintf("after a request with only client_id (status %d) and one with a wrong secret (status %d), the refresh was %s", first.Status, second.Status, outcome(e)))
		}
		for _, e := range []*framework.Exchange{first, second} {
			if e.Status == http.StatusOK {
				t.Notef("an unauthenticated revocation request was answered 200 (the token survived it)")
				break
			}
		}
	}, framework.Browser)

// RFC 7009 §2.1: the server checks that the token belongs to the requesting
// client. PUB2 revokes PUB's refresh token; PUB's refresh must still work,
// whatever PUB2 was told (200 is common, to hide whether the token exists).
var _ = framework.It("RFC7009-2.1-foreign-token-not-revoked",
	"another client cannot revoke a client's refresh token",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		revocationEndpoint(t, m)
		c := t.PublicClient()
		g := t.GrantWithRefreshToken(m, c, "")
		pub2 := secondPublic(t)
		e := revoke(t, m, pub2, g.Tokens.RefreshToken, "refresh_token")
		if ok, re := refreshWorks(t, m, c, g.Tokens.RefreshToken); !ok {
			t.FailExpected("PUB's refresh token to survive a revocation request from PUB2 (RFC 7009 §2.1)",
				fmt.Sprintf("after PUB2's request (status %d), PUB's refresh was %s", e.Status, outcome(re)))
		}
	}, framework.Browser)

// RFC 7009 §2.1 (RFC 6749 §5.2): a request without token is malformed:
// 400 invalid_request. 200 is a WARN, a 5xx a FAIL.
var _ = framework.It("RFC7009-2.1-missing-token-invalid-request",
	"a revocation request without token is refused with 400 invalid_request",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		revocationEndpoint(t, m)
		e := revoke(t, m, t.PublicClient(), "", "")
		t.Responded(e, "an HTTP response from the revocation endpoint")
		want := "a revocation request without token to be refused with 400 invalid_request (RFC 7009 §2.1)"
		switch code := tokenErrorCode(e); {
		case e.Status >= 500:
			t.FailExpected(want, fmt.Sprintf("status %d", e.Status))
		case e.Status >= 200 && e.Status < 300:
			t.WarnExpected(want, fmt.Sprintf("status %d", e.Status))
		case code == "":
			// One defect, one FAIL: the error format is judged elsewhere.
			_, err := framework.ParseOAuthError(e)
			t.Warnf("%s", framework.UnreadableRefusal("a revocation request without token", []string{"invalid_request"}, err))
		case code != "invalid_request":
			t.WarnExpected(want, fmt.Sprintf("status %d with error %q", e.Status, code))
		}
	})

// RFC 7009 §2.1: the hint only speeds up the lookup; a token not found under
// the hinted type is searched under the others, and an unknown hint is
// ignored. A refresh token is revoked with hint access_token, and another
// (its own grant) with hint foo.
var _ = framework.It("RFC7009-2.1-wrong-hint-still-revoked",
	"a refresh token revoked with token_type_hint access_token, or with an unknown hint, is revoked",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		revocationEndpoint(t, m)
		c := t.PublicClient()
		for _, hint := range []string{"access_token", "foo"} {
			g := t.GrantWithRefreshToken(m, c, "")
			e := revoke(t, m, c, g.Tokens.RefreshToken, hint)
			if e.Status != http.StatusOK {
				t.FailExpected(fmt.Sprintf("a revocation with token_type_hint=%s to be answered 200 and honoured (RFC 7009 §2.1)", hint),
					fmt.Sprintf("status %d: %s", e.Status, framework.Snippet(e.Body, 160)))
			}
			if refused, re := refreshRefused(t, m, c, g.Tokens.RefreshToken); !refused {
				t.FailExpected(fmt.Sprintf("a refresh token revoked with token_type_hint=%s to be revoked (RFC 7009 §2.1)", hint),
					fmt.Sprintf("the refresh still works %s later (%s)", pollWindow(t), outcome(re)))
			}
		}
	}, framework.Browser)

// RFC 7009 §2.1: revoking a refresh token should also invalidate the access
// tokens of its grant. Judged through introspection only.
var _ = framework.It("RFC7009-2.1-rt-revocation-cascades",
	"after its refresh token is revoked, the grant's access token is reported inactive by introspection",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		revocationEndpoint(t, m)
		mustIntrospect(t, m)
		c := t.PublicClient()
		g := t.GrantWithRefreshToken(m, c, "")
		expectRevokedOrSkip(t, revoke(t, m, c, g.Tokens.RefreshToken, "refresh_token"))
		if inactive, observable, why := introspectInactive(t, m, g.Tokens.AccessToken); !observable {
			t.Skipf("introspection could not be used: %s", why)
		} else if !inactive {
			t.WarnExpected("the access token of a grant whose refresh token was revoked to be revoked too (RFC 7009 §2.1)",
				fmt.Sprintf("introspection still reports it active %s after the revocation", pollWindow(t)))
		}
	}, framework.Browser)

// expectRevokedOrSkip SKIPs when a revocation the row builds on was refused
// (RFC7009-2-refresh-token-revocation judges that).
func expectRevokedOrSkip(t *framework.T, e *framework.Exchange) {
	if e.Status != http.StatusOK {
		t.Skipf("precondition not met: the revocation of the refresh token was answered %d (RFC7009-2-refresh-token-revocation judges it)", e.Status)
	}
}

// revocable is the token a row revokes when any will do: the refresh token,
// or the access token of a server that issues none.
func revocable(tr *framework.TokenResponse) (token, hint string) {
	if tr.RefreshToken != "" {
		return tr.RefreshToken, "refresh_token"
	}
	return tr.AccessToken, "access_token"
}
