package framework

import (
	"net/url"
	"slices"
	"strings"
)

// RefreshRequest is the standard refresh request (STD-REFRESH): the refresh
// grant, the token and, as MCP clients send it on every token request, the
// configured resource. Callers change members to build other cases.
func (t *T) RefreshRequest(rt string) url.Values {
	v := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	if r := t.Target().Resource; r != "" {
		v.Set("resource", r)
	}
	return v
}

// Refresh sends a refresh request as client c and returns the exchange and,
// when it succeeded, the parsed response.
func (t *T) Refresh(m *Metadata, c *Client, form url.Values) (*Exchange, *TokenResponse) {
	e := t.TokenRequest(m, c, form)
	tr, err := ParseTokenResponse(e)
	if err != nil {
		return e, nil
	}
	return e, tr
}

// Grant is one authorization flow redeemed for tokens.
type Grant struct {
	Client *Client
	PKCE   PKCE
	// Scope is the scope the authorization request asked for ("" if none).
	Scope    string
	Exchange *Exchange
	Tokens   *TokenResponse
}

// GrantWithRefreshToken runs STD-AUTHZ (with scope, or the run's scope when
// empty) and STD-TOKEN for c, and returns the grant once it carries a refresh
// token. Issuing one is the server's choice (OAuth 2.1 §1.3.2; MCP: clients
// must not assume one), so when none comes back and scopes_supported lists
// offline_access, one more flow asks for it too; a server that still issues
// none SKIPs the spec.
func (t *T) GrantWithRefreshToken(m *Metadata, c *Client, scope string) *Grant {
	g := t.RedeemNewCode(m, c, scope)
	if g.Tokens == nil {
		t.Skipf("precondition not met: the code exchange gave no tokens, so no refresh token could be had: %s", g.Exchange.Summary())
	}
	if g.Tokens.RefreshToken != "" {
		return g
	}
	supported, _ := MemberStrings(m.Doc, "scopes_supported")
	if !slices.Contains(supported, "offline_access") || slices.Contains(strings.Fields(g.Scope), "offline_access") {
		t.Skipf("precondition not met: the server issued no refresh token (OAuth 2.1 §1.3.2 leaves that to it), so this requirement could not be exercised")
	}
	retry := strings.TrimSpace(g.Scope + " offline_access")
	again := t.RedeemNewCode(m, c, retry)
	if again.Tokens == nil || again.Tokens.RefreshToken == "" {
		t.Skipf("precondition not met: the server issued no refresh token, not even for scope %q (OAuth 2.1 §1.3.2 leaves that to it), so this requirement could not be exercised", retry)
	}
	t.Notef("the server issued a refresh token only when offline_access was requested")
	return again
}

// RedeemNewCode runs STD-AUTHZ for c (scope as in GrantWithRefreshToken) and
// redeems the code with STD-TOKEN. Flows of one spec share its browser
// session, so a second one costs only the consent step.
func (t *T) RedeemNewCode(m *Metadata, c *Client, scope string) *Grant {
	p := NewPKCE()
	params := t.AuthorizationParams(c, p)
	if scope != "" {
		params.Set("scope", scope)
	}
	code, _ := t.ObtainCode(m, params)
	g := &Grant{Client: c, PKCE: p, Scope: scope}
	if scope == "" {
		g.Scope = t.Scope()
	}
	g.Exchange = t.TokenRequest(m, c, t.CodeRedemption(c, code, p))
	g.Tokens, _ = ParseTokenResponse(g.Exchange)
	return g
}
