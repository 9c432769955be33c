package tokens

import (
	"context"
	"fmt"

	"github.com/mcpauth/conformance/suite/framework"
)

// OAuth 2.1 §3.2.3, RFC 9700 §4.14.2, RFC 8707 §2.2: a refresh token is bound
// to the resources the user consented to. A grant for RES is refreshed
// naming RES2, another resource the server knows. invalid_target (or
// invalid_grant) passes; a token for RES (the parameter ignored) passes with
// a note; a token audienced to RES2 fails. A server whose standard token
// does not show RES at all does not implement RFC 8707: not applicable.
var _ = framework.It("OAUTH21-3.2.3-rt-bound-to-resource",
	"a refresh token granted for RES does not yield an access token for RES2",
	func(ctx context.Context, t *framework.T) {
		res := configuredResource(t)
		res2 := t.Config().SecondResource
		if res2 == "" {
			t.Skipf("this requirement needs a second resource the authorization server knows (RES2); give one with --second-resource")
		}
		m := t.Metadata()
		c := t.PublicClient()
		g := t.GrantWithRefreshToken(m, c, "")
		form := t.RefreshRequest(g.Tokens.RefreshToken)
		form.Set("resource", res2)
		e, tr := t.Refresh(m, c, form)
		if tr == nil {
			t.ExpectRejected(e, "a refresh naming resource "+res2+" for a grant of "+res, []string{"invalid_target", "invalid_grant"}, framework.Warn)
			return
		}
		o := t.Audience(tr.AccessToken)
		if !o.Observable() {
			t.Skipf("the refresh naming %s got tokens, and their audience cannot be observed: %s", res2, o.Why)
		}
		if v, ok := anyAud(o, func(a string) bool { return exactly(a, res2) }); ok {
			t.FailExpected(fmt.Sprintf("a refresh of a grant for %s not to yield a token for %s (OAuth 2.1 §3.2.3)", res, res2),
				fmt.Sprintf("the new access token has aud %q (%s)", v, o.Source))
		}
		if _, ok := anyAud(o, func(a string) bool { return relatesTo(a, res) }); ok {
			t.Notef("the server ignored the refresh-time resource: the new token keeps the granted audience (%s)", o.Describe())
			return
		}
		std := t.Audience(g.Tokens.AccessToken)
		if _, ok := anyAud(std, func(a string) bool { return relatesTo(a, res) }); !ok {
			t.Infof("not applicable (see RFC8707-2-audience-restriction): the token granted for %s has %s, so the server does not restrict audiences by resource", res, std.Describe())
		}
	}, framework.Browser)

// RFC 8707 §2.2, MCP: clients send resource on every token request, refresh
// included. The server must tolerate it (unknown parameters are ignored) and
// should accept the granted resource. invalid_target for it is a WARN (a
// serious interop problem); any other refusal, when the same refresh
// without resource works, fails: the request is a valid RFC 6749 one.
var _ = framework.It("RFC8707-2.2-refresh-with-resource",
	"a refresh naming the originally granted resource gets tokens for it",
	func(ctx context.Context, t *framework.T) {
		res := configuredResource(t)
		m := t.Metadata()
		c := t.PublicClient()
		g := t.GrantWithRefreshToken(m, c, "")
		form := t.RefreshRequest(g.Tokens.RefreshToken)
		form.Set("resource", res)
		e, tr := t.Refresh(m, c, form)
		if tr != nil {
			if o := t.Audience(tr.AccessToken); o.Observable() {
				if _, ok := anyAud(o, func(a string) bool { return relatesTo(a, res) }); !ok {
					t.Notef("the refreshed token has %s, not %s", o.Describe(), res)
				}
			}
			return
		}
		// Compare with a refresh without resource on a grant of its own.
		g2 := t.GrantWithRefreshToken(m, c, "")
		plain := t.RefreshRequest(g2.Tokens.RefreshToken)
		plain.Del("resource")
		if e2, tr2 := t.Refresh(m, c, plain); tr2 == nil {
			t.Skipf("the refresh grant fails even without resource (%s), so tolerance of resource could not be judged", outcome(e2))
		}
		want := fmt.Sprintf("a refresh naming the granted resource %s to get tokens (RFC 8707 §2.2)", res)
		if tokenErrorCode(e) == "invalid_target" {
			t.WarnExpected(want, "it was refused with invalid_target, while the same refresh without resource works: MCP clients send resource on every refresh")
			return
		}
		t.FailExpected(want, "it was "+outcome(e)+", while the same refresh without resource works")
	}, framework.Browser)

// OAuth 2.1 §4.3.2: the refresh response is an ordinary token response:
// the §3.2.3 format and Cache-Control: no-store; scope may be left out when
// unchanged.
var _ = framework.It("OAUTH21-4.3.2-refresh-response-format",
	"a refresh is answered like a code exchange: 200 JSON with access_token, token_type, numeric expires_in and no-store",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		g := t.GrantWithRefreshToken(m, c, "")
		e, _ := t.Refresh(m, c, t.RefreshRequest(g.Tokens.RefreshToken))
		judgeTokenResponse(t, e, "STD-REFRESH")
		if !noStore(e.ResponseHeader) {
			t.FailExpected("the refresh response to carry Cache-Control: no-store (OAuth 2.1 §4.3.2, §3.2.3)", cacheControl(e.ResponseHeader))
		}
	}, framework.Browser)

// RFC 6749 §6, OAuth 2.1 §4.3.1: only a refresh token works with the refresh
// grant; an access token presented as one is an invalid grant (token-type
// confusion, likely with JWTs for both signed by one key).
var _ = framework.It("RFC6749-6-access-token-not-refresh-token",
	"an access token presented as refresh_token is refused with invalid_grant",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		tr := mustTokens(t, t.RedeemNewCode(m, c, ""))
		e, _ := t.Refresh(m, c, t.RefreshRequest(tr.AccessToken))
		t.ExpectRejected(e, "a refresh whose refresh_token is the access token", []string{"invalid_grant"}, framework.Warn)
	}, framework.Browser)
