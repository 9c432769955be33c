package errors

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"github.com/mcpauth/conformance/suite/framework"
)

// authorizationDefects are the one-at-a-time defects that make a valid
// client's authorization request fail after the user logs in, so that the
// error must be redirected to the client (RFC 6749 §4.1.2.1): a bad
// client_id or redirect_uri would rightly never redirect. A server may
// accept some of them (an unknown scope may be ignored, RFC 6749 §3.3), so a
// spec tries them in turn.
var authorizationDefects = []struct {
	What   string
	Mutate func(url.Values)
}{
	{"an unknown code_challenge_method (S999)", func(p url.Values) { p.Set("code_challenge_method", "S999") }},
	{"no code_challenge", func(p url.Values) { p.Del("code_challenge"); p.Del("code_challenge_method") }},
	{"an unknown scope (nonexistent_scope_xyz)", func(p url.Values) { p.Set("scope", "nonexistent_scope_xyz") }},
}

// responseTypeDefects are the response_type defects of RFC6749-3.1.1: every
// server refuses them, whatever its PKCE and scope policies.
var responseTypeDefects = []struct {
	What   string
	Mutate func(url.Values)
}{
	{"no response_type", func(p url.Values) { p.Del("response_type") }},
	{"response_type=foo_bar", func(p url.Values) { p.Set("response_type", "foo_bar") }},
}

// errorRedirectDefects are all the ways the suite has to provoke an error
// redirect, for the rows that need one, whatever its cause, before they SKIP.
var errorRedirectDefects = append(slices.Clone(authorizationDefects), responseTypeDefects...)

// RFC 6749 §4.1.2.1: once client and redirect URI are valid, an
// authorization error goes back to the client as a redirect with error (and
// optional error_description, error_uri) in the query component; for
// response_type=code the fragment is never used. A server may show a page
// instead to a redirect URI it does not trust (RFC 9700 §4.11.2), which is
// a WARN for a dynamically registered client.
var _ = framework.It("RFC6749-4.1.2.1-authz-error-redirect",
	"an authorization request refused after login redirects to the redirect URI with error in the query",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		exercised := 0
		for _, d := range authorizationDefects {
			res := authorizeWith(t, m, c, d.Mutate)
			expected := fmt.Sprintf("a request with %s to be redirected to %s with error in the query (RFC 6749 §4.1.2.1)", d.What, c.RedirectURI)
			switch {
			case issuedCode(res):
				t.Notef("a request with %s was not refused (a code was issued), so it could not exercise the error redirect; the PKCE and scope specs judge that", d.What)
				continue
			case !res.Redirected:
				exercised++
				v, why := errorPageVerdict(c)
				record(t, v, expected, res.Describe()+why)
				continue
			}
			params, inFragment := errorParams(res)
			if params == nil {
				t.FailExpected(expected, "a redirect with neither error nor code: "+res.URL.String())
			}
			exercised++
			if !sameEndpoint(res.URL, c.RedirectURI) {
				t.FailExpected(expected, "a redirect to another URI: "+res.URL.String())
			}
			if inFragment {
				t.FailExpected(expected, "the error parameters are in the fragment: "+res.URL.String())
			}
			if code := params.Get("error"); !knownAuthorizationError(t, code) {
				t.WarnExpected(fmt.Sprintf("a request with %s to be refused with an RFC 6749 §4.1.2.1 or registered extension code (%s)", d.What, oneOf(authorizationErrorCodes...)),
					fmt.Sprintf("error %q in %s", code, res.URL))
			}
			issNote(t, m, params, "a request with "+d.What)
		}
		if exercised == 0 {
			t.Skipf("the server issued a code for every defective request (%d tried), so no authorization error could be observed", len(authorizationDefects))
		}
	}, framework.Browser)

// RFC 6749 §4.1.2.1: state is REQUIRED in an error response if the request
// had one, and must be the exact value the client sent; the client matches
// the response to its request (and defends against CSRF) with it. The value
// sent holds reserved characters, a plus and a space; both sides are compared
// decoded.
var _ = framework.It("RFC6749-4.1.2.1-state-in-error",
	"an authorization error redirect carries the exact state the client sent, reserved characters included",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		for _, d := range errorRedirectDefects {
			res := authorizeWith(t, m, c, d.Mutate)
			params, _ := errorParams(res)
			if params == nil {
				t.Notef("a request with %s did not end in an error redirect (%s)", d.What, res.Describe())
				continue
			}
			expected := fmt.Sprintf("the error redirect for a request with %s to carry state %q, as sent (%s on the wire)", d.What, sentState, stateOnWire)
			if !params.Has("state") {
				t.FailExpected(expected, "no state parameter: "+res.URL.String())
			}
			if got := params.Get("state"); got != sentState {
				t.FailExpected(expected, fmt.Sprintf("state %q (decoded) in %s", got, res.URL))
			}
			return
		}
		t.Skipf("no defective authorization request (%d tried) ended in an error redirect, so state in an error response could not be checked", len(errorRedirectDefects))
	}, framework.Browser)
