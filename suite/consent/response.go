package consent

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// OAuth 2.1 §3.1: the authorization endpoint supports GET; POST is a MAY,
// only noted. A GET the endpoint answers with 405 or 501 is a FAIL even
// when the browser flow cannot be completed.
var _ = framework.It("OAUTH21-3.1-get-supported",
	"the authorization request sent with GET and query parameters completes with a code",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		params := t.AuthorizationParams(c, framework.NewPKCE())
		endpoint := t.Endpoint(m, "authorization_endpoint")
		get := t.HTTP().Get(ctx, authorizationURL(t, m, params), nil)
		if get.Status == http.StatusMethodNotAllowed || get.Status == http.StatusNotImplemented {
			t.FailExpected("the authorization endpoint to accept GET (OAuth 2.1 §3.1)", "GET answered "+get.Summary())
		}
		post := t.HTTP().Send(ctx, framework.Request{Method: http.MethodPost, URL: endpoint, Form: t.AuthorizationParams(c, framework.NewPKCE())})
		switch {
		case post.Err != nil:
		case post.Status == http.StatusMethodNotAllowed || post.Status == http.StatusNotImplemented:
			t.Notef("the authorization endpoint does not accept POST (status %d), which OAuth 2.1 §3.1 leaves optional", post.Status)
		default:
			t.Notef("the authorization endpoint answered a form POST with status %d (POST support is optional)", post.Status)
		}
		res := t.ApprovedAuthorization(m, params)
		if res.Code() != "" {
			return
		}
		if res.Redirected && res.Error() != "" {
			t.FailExpected("the GET authorization request to complete with a code (OAuth 2.1 §3.1)", describeRedirect(res))
		}
		t.Skipf("the GET flow ended without a code or an error redirect (%s), so GET support could not be confirmed", res.Describe())
	}, framework.Browser)

// OAuth 2.1 §3.1: unrecognized parameters are ignored, at the authorization
// and the token endpoint. The names are private ones no extension defines.
var _ = framework.It("OAUTH21-3.1-unknown-params-ignored",
	"an authorization request and a token request with unknown parameters (x_unknown, foo) succeed",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		p := framework.NewPKCE()
		params := t.AuthorizationParams(c, p)
		params.Set("x_unknown", "1")
		params.Set("foo", "bar")
		res := t.ApprovedAuthorization(m, params)
		if res.Code() == "" {
			control := t.ApprovedAuthorization(m, t.AuthorizationParams(c, framework.NewPKCE()))
			if control.Code() == "" {
				t.Skipf("the same request without the unknown parameters gave no code either (%s)", control.Describe())
			}
			t.FailExpected("an authorization request with x_unknown=1 and foo=bar to succeed like the same request without them (OAuth 2.1 §3.1)", describeRedirect(res))
		}
		form := t.CodeRedemption(c, res.Code(), p)
		form.Set("x_unknown", "1")
		e := t.TokenRequest(m, c, form)
		if _, err := framework.ParseTokenResponse(e); err != nil {
			t.FailExpected("a token request with x_unknown=1 to succeed (OAuth 2.1 §3.2)", e.Summary())
		}
	}, framework.Browser)

// OAuth 2.1 §3.1: an empty parameter counts as omitted: scope= gets the
// default-scope behaviour, state= no (or an empty) state, resource= the
// no-resource behaviour, at both endpoints.
var _ = framework.It("OAUTH21-3.1-empty-params-as-omitted",
	"scope=, state= and resource= are treated as omitted at the authorization endpoint, and resource= at the token endpoint",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		base := func(p framework.PKCE) url.Values { return withParam(t.AuthorizationParams(c, p), "scope") }
		control := t.Authorize(m, framework.AuthorizationRequest{Params: base(framework.NewPKCE())})
		pkces := []framework.PKCE{framework.NewPKCE(), framework.NewPKCE(), framework.NewPKCE()}
		cases := []struct{ name, what string }{{"scope", "scope="}, {"state", "state="}, {"resource", "resource="}}
		reqs := make([]framework.AuthorizationRequest, len(cases))
		for i, cs := range cases {
			reqs[i] = framework.AuthorizationRequest{Params: withParam(base(pkces[i]), cs.name, "")}
		}
		results := t.AuthorizeAll(m, reqs)
		var fails failures
		for i, res := range results {
			cs := cases[i]
			switch {
			case cs.name == "scope" && res.Error() == "invalid_scope" && control.Code() != "":
				fails.add("Expected: scope= to get the default scope, as the same request without scope did (OAuth 2.1 §3.1)\nActual:   %s", describeRedirect(res))
			case cs.name == "resource" && res.Error() == "invalid_target":
				fails.add("Expected: resource= to be treated as no resource (OAuth 2.1 §3.1)\nActual:   %s", describeRedirect(res))
			case cs.name == "state" && res.Code() != "" && res.Query.Get("state") != "":
				fails.add("Expected: state= to be answered without state or with an empty one\nActual:   state %q in %s", res.Query.Get("state"), describeRedirect(res))
			case res.Code() == "" && control.Code() != "":
				t.Notef("%s was refused (%s) while the request without it succeeded", cs.what, describeRedirect(res))
			}
		}
		if res := results[2]; res.Code() != "" {
			form := t.CodeRedemption(c, res.Code(), pkces[2])
			form.Set("resource", "")
			e := t.TokenRequest(m, c, form)
			if oe, err := framework.ParseOAuthError(e); err == nil && oe.Code == "invalid_target" {
				fails.add("Expected: resource= at the token endpoint to be treated as no resource (OAuth 2.1 §3.2)\nActual:   %s", e.Summary())
			}
		}
		fails.report(t)
	}, framework.Browser)

// RFC 6749 §3.3: without scope, the server applies a default or refuses with
// invalid_scope (conformant, but MCP clients omit scope when scopes_supported
// is absent: INFO).
var _ = framework.It("RFC6749-3.3-scope-omitted",
	"an authorization request without scope succeeds with a default scope or is refused with invalid_scope",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		res := t.Authorize(m, framework.AuthorizationRequest{Params: withParam(t.AuthorizationParams(c, framework.NewPKCE()), "scope")})
		switch {
		case res.Code() != "":
		case res.Error() == "invalid_scope":
			t.Infof("the server refuses authorization requests without scope (invalid_scope), which RFC 6749 §3.3 allows; MCP clients omit scope when the metadata has no scopes_supported")
		default:
			t.FailExpected("a request without scope to succeed with a default scope, or to be refused with invalid_scope (RFC 6749 §3.3)", describeRedirect(res))
		}
	}, framework.Browser)

// reservedState is the state with reserved characters of
// RFC6749-4.1.2-state-roundtrip, and stateQuery how it goes on the wire:
// percent-encoded, with %20 for the space, so that it is unambiguous whether
// the server form-decodes or percent-decodes.
const reservedState = "a b+c/d=e&f?g%25"

func stateQuery(s string) string {
	return "state=" + strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// RFC 6749 §4.1.2: the success response carries exactly the state sent.
// A length cap answered with a clear error is a WARN (requirements §6).
var _ = framework.It("RFC6749-4.1.2-state-roundtrip",
	"state comes back exactly as sent: 43 random characters, reserved characters, 512 characters",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		states := []struct{ what, value string }{
			{"43 random base64url characters", framework.RandomString(22)[:43]},
			{"reserved characters", reservedState},
			{"512 characters", strings.Repeat(framework.RandomString(16), 16)},
		}
		endpoint := t.Endpoint(m, "authorization_endpoint")
		reqs := make([]framework.AuthorizationRequest, len(states))
		for i, s := range states {
			u, err := url.Parse(endpoint)
			if err != nil {
				t.Skipf("the authorization_endpoint is not a URL: %v", err)
			}
			if u.RawQuery != "" {
				u.RawQuery += "&"
			}
			u.RawQuery += stateQuery(s.value)
			reqs[i] = framework.AuthorizationRequest{Endpoint: u.String(), Params: withParam(t.AuthorizationParams(c, framework.NewPKCE()), "state")}
		}
		results := []*framework.AuthorizationResponse{t.Authorize(m, reqs[0])}
		results = append(results, t.AuthorizeAll(m, reqs[1:])...)
		var fails failures
		exercised := 0
		for i, res := range results {
			s := states[i]
			switch {
			case res.Code() == "" && i == 2 && (res.Error() != "" || !res.Redirected):
				t.WarnExpected("a 512-character state to be accepted", "the request was refused: "+describeRedirect(res))
			case res.Code() == "":
				t.Notef("the request with state of %s gave no code (%s)", s.what, describeRedirect(res))
			case !res.Query.Has("state"):
				exercised++
				fails.add("Expected: the success redirect to carry state (%s) as sent (RFC 6749 §4.1.2)\nActual:   no state: %s", s.what, describeRedirect(res))
			case res.Query.Get("state") != s.value:
				exercised++
				fails.add("Expected: state %q (%s), decoded\nActual:   state %q", framework.Snippet([]byte(s.value), 80), s.what, framework.Snippet([]byte(res.Query.Get("state")), 80))
			default:
				exercised++
			}
		}
		fails.report(t)
		if exercised == 0 {
			t.Skipf("no request with state gave a code, so the state could not be compared")
		}
	}, framework.Browser)

// OAuth 2.1 §4.1.1: state is optional (PKCE protects against CSRF).
var _ = framework.It("OAUTH21-4.1.1-state-optional",
	"an authorization request without state completes with a code",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		res := t.ApprovedAuthorization(m, withParam(t.AuthorizationParams(c, framework.NewPKCE()), "state"))
		if res.Code() == "" {
			t.WarnExpected("a request without state to succeed (OAuth 2.1 §4.1.1: state is optional)", describeRedirect(res))
		}
	}, framework.Browser)

// RFC 6749 §4.1.2 and §3.1.2: the code goes in the query, and a query the
// registered redirect URI has is kept, once.
var _ = framework.It("RFC6749-4.1.2-success-response-shape",
	"the code comes in the query of the redirect URI, and a redirect URI's own query (tenant=a) is kept once",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c, res := loggedIn(t, m)
		if res.Fragment.Get("code") != "" {
			t.FailExpected("the code in the query component (RFC 6749 §4.1.2)", "the code is in the fragment: "+describeRedirect(res))
		}
		withQuery := t.RedirectURI() + "?tenant=a"
		cq, err := registerWith(t, m, func(md map[string]any) { md["redirect_uris"] = []string{withQuery} })
		if err != nil {
			t.Notef("the server refused a redirect URI with a query (%v), so keeping it could not be checked", err)
			return
		}
		_ = c
		r2 := t.ApprovedAuthorization(m, t.AuthorizationParams(cq, framework.NewPKCE()))
		expected := "a redirect to " + withQuery + " with code added and tenant=a kept once (RFC 6749 §3.1.2)"
		switch {
		case r2.Fragment.Get("code") != "":
			t.FailExpected(expected, "the code is in the fragment: "+describeRedirect(r2))
		case r2.Code() == "":
			t.Notef("the client with a query in its redirect URI got no code (%s)", describeRedirect(r2))
		case len(r2.Query["tenant"]) != 1 || r2.Query.Get("tenant") != "a":
			t.FailExpected(expected, describeRedirect(r2))
		}
	}, framework.Browser)

// issSupport returns the metadata issuer and whether the metadata says the
// server sends iss (authorization_response_iss_parameter_supported).
func issSupport(m *framework.Metadata) (string, bool) {
	issuer, _ := framework.MemberString(m.Doc, "issuer")
	flag, _ := m.Doc["authorization_response_iss_parameter_supported"].(bool)
	return issuer, flag
}

// RFC 9207 §2: a server that supports iss (flag, or iss seen) sends it,
// equal to the metadata issuer after form-decoding, without normalization.
// Neither flag nor iss: MCP 2026-07-28 says SHOULD (WARN), earlier INFO.
var _ = framework.It("RFC9207-2-iss-in-authorization-response",
	"the success redirect carries iss identical to the metadata issuer when RFC 9207 is supported",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		_, res := loggedIn(t, m)
		issuer, flag := issSupport(m)
		switch {
		case res.Query.Has("iss") && res.Query.Get("iss") != issuer:
			t.FailExpected(fmt.Sprintf("iss %q, the metadata issuer, exactly (RFC 9207 §2)", issuer), fmt.Sprintf("iss %q", res.Query.Get("iss")))
		case res.Query.Has("iss"):
		case flag:
			t.FailExpected("iss in the success redirect, since the metadata sets authorization_response_iss_parameter_supported (RFC 9207 §2)", "no iss: "+describeRedirect(res))
		case t.Config().MCPVersion >= framework.MCP20260728:
			t.WarnExpected("iss in authorization responses (MCP 2026-07-28: an authorization server SHOULD support RFC 9207)", "neither iss nor the metadata flag")
		default:
			t.Infof("the server does not support RFC 9207 (no iss, no metadata flag); MCP %s does not ask for it", t.Config().MCPVersion)
		}
	}, framework.Browser)

// RFC 9207 §2: iss goes in error responses too (pitfall 17: often only on
// success). The errors: a deny on the consent page and an unknown PKCE
// method after login.
var _ = framework.It("RFC9207-2-iss-in-error-response",
	"error redirects (access_denied, an unknown code_challenge_method) carry iss identical to the metadata issuer when RFC 9207 is supported",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c, res := loggedIn(t, m)
		issuer, flag := issSupport(m)
		if !flag && !res.Query.Has("iss") {
			t.Skipf("the server does not support RFC 9207 (no iss in the success redirect, no metadata flag)")
		}
		c2 := t.PublicClient()
		results := t.AuthorizeAll(m, []framework.AuthorizationRequest{
			{Params: t.AuthorizationParams(c2, framework.NewPKCE()), Deny: true},
			{Params: withParam(t.AuthorizationParams(c, framework.NewPKCE()), "code_challenge_method", "S999")},
		})
		what := []string{"the deny on the consent page", "an unknown code_challenge_method"}
		var fails failures
		seen := 0
		for i, r := range results {
			if !r.Redirected || r.Error() == "" {
				continue
			}
			seen++
			if !r.Query.Has("iss") || r.Query.Get("iss") != issuer {
				fails.add("Expected: the error redirect for %s to carry iss %q (RFC 9207 §2)\nActual:   %s", what[i], issuer, describeRedirect(r))
			}
		}
		fails.report(t)
		if seen == 0 {
			t.Skipf("neither a deny nor an unknown code_challenge_method ended in an error redirect, so iss in errors could not be checked")
		}
	}, framework.Browser)

// OAuth 2.1 §4.1.1, §10.1: response_type=token is not defined any more and
// must be refused; an access token anywhere in the redirect is a FAIL.
var _ = framework.It("OAUTH21-4.1.1-implicit-rejected",
	"response_type=token is refused: an error redirect or an error page, never an access token or a code",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		params := t.AuthorizationParams(c, framework.NewPKCE())
		params.Set("response_type", "token")
		params.Del("code_challenge")
		params.Del("code_challenge_method")
		res := t.Authorize(m, framework.AuthorizationRequest{Params: params})
		switch {
		case res.Fragment.Get("access_token") != "" || res.Query.Get("access_token") != "":
			t.FailExpected("response_type=token to be refused (OAuth 2.1 §4.1.1: the implicit grant is gone)", "an access token was issued in the redirect (check the client settings for a legacy implicit option)")
		case hasCode(res):
			t.FailExpected("response_type=token to be refused with unsupported_response_type", "a code was issued: "+describeRedirect(res))
		case res.Redirected && res.Error() != "unsupported_response_type":
			t.Notef("refused with %q rather than unsupported_response_type", res.Error())
		}
	}, framework.Browser)

// RFC 6749 §4.1.2.1: a deny is access_denied with state. A server may show a
// page instead for an untrusted (dynamically registered) redirect URI (RFC
// 9700 §4.11.2): WARN there, FAIL for a configured client.
var _ = framework.It("RFC6749-4.1.2.1-access-denied-on-deny",
	"declining on the consent page redirects with error=access_denied and the state, and issues no code",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		params := t.AuthorizationParams(c, framework.NewPKCE())
		res := t.Authorize(m, framework.AuthorizationRequest{Params: params, Deny: true})
		expected := "a redirect with error=access_denied and the state sent (RFC 6749 §4.1.2.1)"
		switch {
		case hasCode(res) && !res.ConsentShown:
			t.Skipf("no consent step: the server approved without a consent page, so there was nothing to decline")
		case hasCode(res):
			t.FailExpected(expected, "declining issued a code: "+describeRedirect(res))
		case !res.Redirected && dcrClient(c):
			t.WarnExpected(expected, res.Describe()+" (a WARN: RFC 9700 §4.11.2 lets a server show a page rather than redirect to a dynamically registered redirect URI)")
		case !res.Redirected:
			t.FailExpected(expected, res.Describe())
		case res.AuthorizationError().Code != "access_denied":
			t.FailExpected(expected, describeRedirect(res))
		default:
			// The state and the place of the error parameters are rows of
			// their own (RFC6749-4.1.2.1-state-in-error, -authz-error-redirect).
			t.ErrorRedirectShape(res, res.AuthorizationError(), params.Get("state"))
		}
	}, framework.Browser)
