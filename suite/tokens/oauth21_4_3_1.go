package tokens

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mcpauth/conformance/suite/framework"
)

// rotated refreshes a public client's grant once and returns the new refresh
// token, or SKIPs when the refresh does not work or does not rotate
// (OAUTH21-4.3.1-public-rt-rotation reports that).
func rotated(t *framework.T, m *framework.Metadata, c *framework.Client, g *framework.Grant) (string, time.Time) {
	e, tr := t.Refresh(m, c, t.RefreshRequest(g.Tokens.RefreshToken))
	at := time.Now()
	switch {
	case tr == nil:
		t.Skipf("precondition not met: STD-REFRESH was %s (RFC8707-2.2-refresh-with-resource judges a refused refresh)", outcome(e))
	case tr.RefreshToken == "" || tr.RefreshToken == g.Tokens.RefreshToken:
		t.Skipf("precondition not met: the refresh did not rotate the refresh token, which OAUTH21-4.3.1-public-rt-rotation reports")
	}
	return tr.RefreshToken, at
}

// OAuth 2.1 §4.3.1, RFC 9700 §4.14.2, MCP "Token Theft": for public clients
// the server detects refresh-token replay, and MCP requires it to rotate: a
// new refresh token on every refresh. Sender-constrained (DPoP) tokens
// satisfy OAuth 2.1, but not MCP's "rotate": a WARN then.
var _ = framework.It("OAUTH21-4.3.1-public-rt-rotation",
	"a public client's refresh returns a new refresh token",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		g := t.GrantWithRefreshToken(m, c, "")
		e, tr := t.Refresh(m, c, t.RefreshRequest(g.Tokens.RefreshToken))
		if tr == nil {
			t.Skipf("precondition not met: STD-REFRESH was %s (RFC8707-2.2-refresh-with-resource judges a refused refresh)", outcome(e))
		}
		if tr.RefreshToken != "" && tr.RefreshToken != g.Tokens.RefreshToken {
			return
		}
		actual := "the refresh response has no refresh_token"
		if tr.RefreshToken != "" {
			actual = "the refresh response returned the same refresh token"
		}
		want := "a public client's refresh to return a new refresh token (OAuth 2.1 §4.3.1; MCP: the server must rotate)"
		if strings.EqualFold(g.Tokens.TokenType, "DPoP") {
			t.WarnExpected(want, actual+"; the tokens are DPoP-bound, which satisfies OAuth 2.1 but not MCP's rotation")
			return
		}
		t.FailExpected(want, actual)
	}, framework.Browser)

// OAuth 2.1 §4.3.1: after rotation the previous refresh token is invalid.
// Some servers keep a short reuse leeway for network retries: refused at
// once passes; accepted at once but refused after the first wait (65 s) or
// the second (305 s) is a WARN ("reuse grace window"); accepted after the
// second is a FAIL. --refresh-reuse-wait changes the waits.
var _ = framework.It("OAUTH21-4.3.1-rotated-rt-rejected",
	"a refresh token that was rotated is refused",
	func(ctx context.Context, t *framework.T) {
		w1, w2 := t.Config().RefreshReuseWaits()
		m := t.Metadata()
		c := t.PublicClient()
		g := t.GrantWithRefreshToken(m, c, "")
		_, at := rotated(t, m, c, g)
		old := g.Tokens.RefreshToken
		e, tr := t.Refresh(m, c, t.RefreshRequest(old))
		if tr == nil {
			t.ExpectRejected(e, "a refresh with the rotated refresh token", []string{"invalid_grant"}, framework.Warn)
			return
		}
		for _, wait := range []time.Duration{w1, w2} {
			sleep(t, time.Until(at.Add(wait)))
			if _, tr = t.Refresh(m, c, t.RefreshRequest(old)); tr == nil {
				t.WarnExpected("the rotated refresh token to be refused at once (OAuth 2.1 §4.3.1)",
					fmt.Sprintf("it still worked right after rotation and was refused %s later: a reuse grace window", wait))
				return
			}
		}
		t.FailExpected("the rotated refresh token to be refused (OAuth 2.1 §4.3.1)", fmt.Sprintf("it still worked %s after rotation", w2))
	}, framework.Browser)

// OAuth 2.1 §4.3.1, RFC 9700 §4.14.2: presenting an invalidated refresh token
// is a breach signal; the server revokes the grant's active refresh token
// too. RT1 is rotated to RT2, RT1 is replayed (waiting out a reuse window if
// the server has one), and then RT2 must be refused. Its own grant, because
// this destroys the family.
var _ = framework.It("OAUTH21-4.3.1-reuse-revokes-family",
	"replaying a rotated refresh token revokes its successor",
	func(ctx context.Context, t *framework.T) {
		w1, _ := t.Config().RefreshReuseWaits()
		m := t.Metadata()
		c := t.PublicClient()
		g := t.GrantWithRefreshToken(m, c, "")
		rt2, at := rotated(t, m, c, g)
		successors := []string{rt2}
		_, tr := t.Refresh(m, c, t.RefreshRequest(g.Tokens.RefreshToken))
		if tr != nil {
			// A reuse grace window: the replay worked. Replay again once it
			// is over (OAUTH21-4.3.1-rotated-rt-rejected judges the window).
			if tr.RefreshToken != "" {
				successors = append(successors, tr.RefreshToken)
			}
			sleep(t, time.Until(at.Add(w1)))
			if _, tr = t.Refresh(m, c, t.RefreshRequest(g.Tokens.RefreshToken)); tr != nil {
				t.Skipf("the rotated refresh token still worked %s after rotation, which OAUTH21-4.3.1-rotated-rt-rejected reports; reuse detection could not be judged", w1)
			}
			t.Notef("the replay worked within a reuse window and was refused %s after rotation; the family was judged after that", w1)
		}
		for i, rt := range slices.Compact(successors) {
			if refused, _ := refreshRefused(t, m, c, rt); !refused {
				t.FailExpected("the successor of a replayed rotated refresh token to be revoked (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2)",
					fmt.Sprintf("successor %d still works %s after the replay: only the replayed token was invalidated", i+1, pollWindow(t)))
			}
		}
	}, framework.Browser)

// OAuth 2.1 §4.3.1: a confidential client authenticates on the refresh
// grant too. CONF's refresh token is presented with only its client_id.
var _ = framework.It("OAUTH21-4.3.1-confidential-auth-on-refresh",
	"a confidential client's refresh without client authentication is refused with invalid_client",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.ConfidentialClient()
		g := t.GrantWithRefreshToken(m, c, "")
		form := t.RefreshRequest(g.Tokens.RefreshToken)
		form.Set("client_id", c.ID)
		t.ExpectRejected(t.TokenRequest(m, nil, form), "a confidential client's refresh with only its client_id",
			[]string{"invalid_client"}, framework.Warn)
	}, framework.Browser)

// OAuth 2.1 §4.3.1: a refresh cannot widen the grant. The grant is for scope
// A; the refresh asks for A and B (a valid scope never granted).
// invalid_scope passes, and so do tokens whose scope leaves B out (silent
// narrowing); tokens with B fail.
var _ = framework.It("OAUTH21-4.3.1-no-scope-escalation",
	"a refresh asking for a scope the user never granted does not get it",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		a, b := twoScopes(t, m)
		c := t.PublicClient()
		g := t.GrantWithRefreshToken(m, c, a)
		form := t.RefreshRequest(g.Tokens.RefreshToken)
		form.Set("scope", a+" "+b)
		e, tr := t.Refresh(m, c, form)
		if tr == nil {
			t.ExpectRejected(e, "a refresh asking for the ungranted scope "+b, []string{"invalid_scope"}, framework.Warn)
			return
		}
		got, source, ok := responseScope(t, m, tr)
		if !ok {
			t.Skipf("the refresh was accepted, and its scope cannot be observed (no scope member, no scope claim, no introspection)")
		}
		if slices.Contains(got, b) {
			t.FailExpected(fmt.Sprintf("a refresh of a grant for %q not to get scope %q (OAuth 2.1 §4.3.1)", a, b),
				fmt.Sprintf("%s is %q", source, strings.Join(got, " ")))
		}
	}, framework.Browser)

// OAuth 2.1 §4.3.1 (RFC 6749 §6): a refresh without scope asks for the
// originally granted scope. Narrower without a scope member, or broader,
// fails. The grant is for one scope, so that a broader answer shows.
var _ = framework.It("OAUTH21-4.3.1-scope-omitted-equals-original",
	"a refresh without scope gets the originally granted scope",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		scope := ""
		if s := plainScopes(t, m); len(s) > 0 {
			scope = s[0]
		}
		g := t.GrantWithRefreshToken(m, c, scope)
		original := grantedScope(t, m, g.Tokens, g.Scope)
		form := t.RefreshRequest(g.Tokens.RefreshToken)
		form.Del("scope")
		e, tr := t.Refresh(m, c, form)
		if tr == nil {
			t.Skipf("precondition not met: the refresh was %s", outcome(e))
		}
		got, source, ok := responseScope(t, m, tr)
		if !ok {
			t.Skipf("the refreshed token's scope cannot be observed (no scope member, no scope claim, no introspection)")
		}
		want := fmt.Sprintf("a refresh without scope to get the original scope %q (OAuth 2.1 §4.3.1)", strings.Join(original, " "))
		for _, s := range got {
			if !slices.Contains(original, s) {
				t.FailExpected(want, fmt.Sprintf("%s is %q, broader than the grant", source, strings.Join(got, " ")))
			}
		}
		if !sameScopes(got, original) {
			if _, member := tr.Doc["scope"]; !member {
				t.FailExpected(want, fmt.Sprintf("%s is %q, narrower, and the response has no scope member", source, strings.Join(got, " ")))
			}
			t.Notef("the refresh was granted the narrower scope %q and said so in the scope member", strings.Join(got, " "))
		}
	}, framework.Browser)

// RFC 6749 §5.2, OAuth 2.1 §4.3.1: an unknown refresh token is invalid_grant.
var _ = framework.It("OAUTH21-4.3.1-invalid-rt",
	"a refresh with an unknown refresh token is refused with invalid_grant",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		e, _ := t.Refresh(m, c, t.RefreshRequest(randomValue()))
		t.ExpectRejected(e, "a refresh with a random 43-character refresh token", []string{"invalid_grant"}, framework.Warn)
	})
