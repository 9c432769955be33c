package protectedresource

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// malformedToken is a token no server issued: three segments that are not
// base64url JSON (requirements §11, RFC6750-3.1-invalid-token-401).
const malformedToken = "abc.def.ghi"

// RFC 6750 §3 and RFC 9110 §11.6.1: a 401 carries WWW-Authenticate; the
// Bearer challenge has at least one auth-param, each parameter at most once,
// and scope and error use the allowed characters. Checked on the challenge
// to a request without a token and to one with a malformed token.
var _ = framework.It("RFC6750-3-bearer-challenge-syntax",
	"the 401 challenges are well-formed Bearer challenges (RFC 9110 syntax, no repeated parameter, valid scope and error)",
	func(ctx context.Context, t *framework.T) {
		target := mcpServer(t)
		for _, probe := range []struct{ what, authorization string }{
			{"initialize without a token", ""},
			{"initialize with a malformed token", "Bearer " + malformedToken},
		} {
			e := rsCall(t, target, probe.authorization)
			responded(t, e, probe.what)
			if e.Status != http.StatusUnauthorized {
				continue // judged by MCP-PRMDiscovery-401-challenge and RFC6750-3.1-invalid-token-401
			}
			judgeChallengeSyntax(t, probe.what, challengesOf(e))
		}
	})

func judgeChallengeSyntax(t *framework.T, what string, c challengeSet) {
	if len(c.headers) == 0 {
		t.FailExpected("a WWW-Authenticate header on the 401 to "+what, "none")
	}
	if len(c.problems) > 0 {
		t.FailExpected("WWW-Authenticate in RFC 9110 syntax on the 401 to "+what, fmt.Sprintf("%s: %s", c.describe(), strings.Join(c.problems, "; ")))
	}
	b := c.bearer()
	if b == nil {
		t.FailExpected("a Bearer challenge on the 401 to "+what, c.describe())
	}
	if dup := b.Duplicates(); len(dup) > 0 {
		t.FailExpected("each auth-param at most once in the Bearer challenge (RFC 6750 §3, RFC 9110 §11.2)", fmt.Sprintf("%s repeated in %s", strings.Join(dup, ", "), c.describe()))
	}
	if len(b.Params) == 0 && b.Token68 == "" {
		t.WarnExpected("at least one auth-param in the Bearer challenge to "+what+" (RFC 6750 §3)", "a bare Bearer")
	}
	if s, ok := b.Param("scope"); ok && !validScope(s) {
		t.FailExpected("scope as space-separated scope-tokens (RFC 6750 §3: %x21 / %x23-5B / %x5D-7E)", fmt.Sprintf("scope %q", s))
	}
	for _, name := range []string{"error", "error_description"} {
		if s, ok := b.Param(name); ok && !validErrorChars(s, name == "error") {
			t.FailExpected(name+" in the characters RFC 6750 §3 allows (%x20-21 / %x23-5B / %x5D-7E)", fmt.Sprintf("%s %q", name, s))
		}
	}
}

func validScope(s string) bool {
	if s == "" || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") || strings.Contains(s, "  ") {
		return false
	}
	for _, tok := range strings.Split(s, " ") {
		for i := 0; i < len(tok); i++ {
			if c := tok[i]; c < 0x21 || c == '"' || c == '\\' || c > 0x7e {
				return false
			}
		}
	}
	return true
}

func validErrorChars(s string, nonEmpty bool) bool {
	if nonEmpty && s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c > 0x7e {
			return false
		}
	}
	return true
}

// RFC 6750 §3.1, OAuth 2.1 §5.3.2, MCP "Token Handling": an invalid token is
// answered 401 (never 403), with error="invalid_token"; in the 2025-06-18
// profile the challenge also names the metadata.
var _ = framework.It("RFC6750-3.1-invalid-token-401",
	"a malformed or unknown token is answered 401 with error=invalid_token",
	func(ctx context.Context, t *framework.T) {
		target := mcpServer(t)
		for _, probe := range []struct{ what, token string }{
			{"a malformed token (three segments that are not JWS)", malformedToken},
			{"an unknown 43-character token", framework.RandomString(43)},
		} {
			e := rsCall(t, target, "Bearer "+probe.token)
			responded(t, e, "initialize with "+probe.what)
			if e.Status != http.StatusUnauthorized {
				t.FailExpected("initialize with "+probe.what+" to be answered 401", describe(e))
			}
			c := challengesOf(e)
			if code, _ := c.param("error"); code != "invalid_token" {
				t.WarnExpected("error=\"invalid_token\" in the Bearer challenge to "+probe.what, c.describe())
			}
			if _, ok := c.param("resource_metadata"); !ok && t.Config().MCPVersion == framework.MCP20250618 {
				t.FailExpected(fmt.Sprintf("resource_metadata in the challenge to %s (MCP %s)", probe.what, t.Config().MCPVersion), c.describe())
			}
		}
	})

// RFC 6750 §3.1: a request without credentials gets a challenge without an
// error code.
var _ = framework.It("RFC6750-3.1-no-error-without-credentials",
	"the challenge to a request without any token has no error code",
	func(ctx context.Context, t *framework.T) {
		c := unauthenticatedChallenge(t)
		if code, ok := c.param("error"); ok {
			t.WarnExpected("no error in the challenge to a request that carried no token (RFC 6750 §3.1)", fmt.Sprintf("error %q in %s", code, c.describe()))
		}
	})

// MCP "Scope Selection Strategy": the 401 challenge names the scope the
// request needs.
var _ = framework.It("MCP-ScopeSelection-challenge-scope",
	"the 401 challenge carries scope",
	func(ctx context.Context, t *framework.T) {
		c := unauthenticatedChallenge(t)
		if _, ok := c.param("scope"); !ok {
			t.WarnExpected("a scope parameter in the Bearer challenge (MCP: the scopes the request needs)", c.describe())
		}
	})

// RFC 6750 §3.1 and MCP "Runtime Insufficient Scope Errors": a valid token
// without the scope a request needs gets 403 with error=insufficient_scope
// and scope. Observable where the challenge names a scope and the server
// offers another one: a token for only that other scope is refused at
// initialize. A server that accepts it gates no scope at the HTTP level for
// initialize, and the requirement is not observable.
var _ = framework.It("RFC6750-3.1-insufficient-scope-403",
	"a valid token without the challenge's scope is answered 403 insufficient_scope with scope",
	func(ctx context.Context, t *framework.T) {
		target := mcpServer(t)
		d, f := metadata(t)
		needed, _ := d.Challenges.param("scope")
		if needed == "" {
			t.Skipf("the 401 challenge names no scope, so no token lacking a needed scope could be constructed (see MCP-ScopeSelection-challenge-scope)")
		}
		narrow := otherScope(t, f, strings.Fields(needed))
		if narrow == "" {
			t.Skipf("neither the resource nor the authorization server advertises a scope outside the challenge's %q, so no narrower token could be requested", needed)
		}
		tr := tokenFor(t, resource(t), narrow, nil)
		if granted := strings.Fields(tr.Scope); tr.Scope != "" && slices.ContainsFunc(strings.Fields(needed), func(s string) bool { return slices.Contains(granted, s) }) {
			t.Skipf("asked for scope %q, the authorization server granted %q, which includes a scope of the challenge", narrow, tr.Scope)
		}
		e := rsCall(t, target, "Bearer "+tr.AccessToken)
		responded(t, e, "initialize with a token for scope "+narrow)
		c := challengesOf(e)
		code, _ := c.param("error")
		switch {
		case accepted(e) && jsonRPCError(e):
			t.WarnExpected(fmt.Sprintf("initialize with a valid token for scope %q only (the challenge names %q) to be answered 403 with error=\"insufficient_scope\"", narrow, needed), "HTTP "+fmt.Sprint(e.Status)+" with a JSON-RPC error")
		case accepted(e):
			t.Skipf("initialize with a token for scope %q only (the challenge names %q) was accepted: the server enforces no scope on initialize at the HTTP level, so this requirement is not observable", narrow, needed)
		case e.Status == http.StatusForbidden && code == "insufficient_scope":
			if _, ok := c.param("scope"); !ok {
				t.WarnExpected("scope in the insufficient_scope challenge, naming what the request needs", c.describe())
			}
		default:
			t.WarnExpected(fmt.Sprintf("initialize with a valid token for scope %q only (the challenge names %q) to be answered 403 with error=\"insufficient_scope\"", narrow, needed), describe(e))
		}
	})

// otherScope is a scope the resource or AS advertises that the challenge
// does not name (openid and offline_access last, as they change the grant).
func otherScope(t *framework.T, f *prmFetch, needed []string) string {
	var candidates []string
	prm, _ := framework.MemberStrings(f.Doc, "scopes_supported")
	candidates = append(candidates, prm...)
	as, _ := framework.MemberStrings(t.Metadata().Doc, "scopes_supported")
	candidates = append(candidates, as...)
	var fallback string
	for _, s := range candidates {
		if slices.Contains(needed, s) {
			continue
		}
		if s == "openid" || s == "offline_access" {
			if fallback == "" {
				fallback = s
			}
			continue
		}
		return s
	}
	return fallback
}

// queryURL adds access_token to the query of target.
func queryURL(target, token string) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	q := u.Query()
	q.Set("access_token", token)
	u.RawQuery = q.Encode()
	return u.String()
}

// unauthenticatedChallenge is the challenge to initialize without a token,
// or a SKIP when the answer is not a 401 (judged by
// MCP-PRMDiscovery-401-challenge).
func unauthenticatedChallenge(t *framework.T) challengeSet {
	e := rsCall(t, mcpServer(t), "")
	responded(t, e, "initialize without a token")
	if e.Status != http.StatusUnauthorized {
		t.Skipf("precondition not met: initialize without a token got %s, not 401 (see MCP-PRMDiscovery-401-challenge)", describe(e))
	}
	return challengesOf(e)
}

// jsonRPCError reports whether a response body is a JSON-RPC error.
func jsonRPCError(e *framework.Exchange) bool {
	doc, err := e.JSONObject()
	if err != nil {
		return false
	}
	_, ok := doc["error"]
	return ok
}
