package errors

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// bogusScope is a scope no server defines.
const bogusScope = "nonexistent_scope_xyz"

// RFC 6749 §3.3 (OAuth 2.1 §1.4.1): for a requested scope it does not know,
// the server either refuses with invalid_scope or issues tokens for another
// scope, and then the scope response member is required, so that the client
// learns what it got. Tokens without scope tell the client it got everything
// it asked for, the unknown scope included. Scope values are a set: order and
// repetition do not matter.
var _ = framework.It("RFC6749-3.3-scope-handling",
	"a request for a known plus an unknown scope is refused with invalid_scope, or its tokens state a scope without the unknown one",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		p := framework.NewPKCE()
		requested := strings.TrimSpace(validScope(t, m) + " " + bogusScope)
		params := t.AuthorizationParams(c, p)
		params.Set("scope", requested)
		res := t.Authorize(m, framework.AuthorizationRequest{Params: params})
		expected := fmt.Sprintf("scope %q to be refused with invalid_scope, or tokens whose scope member omits %s", requested, bogusScope)

		if ep, _ := errorParams(res); ep != nil {
			if code := ep.Get("error"); code != "invalid_scope" {
				t.WarnExpected(expected, fmt.Sprintf("the request was refused with error %q rather than invalid_scope: %s", code, res.URL))
			}
			return
		}
		if !res.Redirected {
			// No code for the unknown scope: refused. Whether an error page
			// may replace the redirect is RFC6749-4.1.2.1-authz-error-redirect's
			// concern; here it matters only that the page names the scope.
			text := res.Page.Text
			if strings.Contains(text, "invalid_scope") || strings.Contains(text, bogusScope) {
				t.Notef("the request was refused on an error page that names the scope (%s); the page in place of a redirect is judged by RFC6749-4.1.2.1-authz-error-redirect", res.Describe())
				return
			}
			t.WarnExpected(expected, res.Describe()+"\n(an error page that does not name the scope, so whether the unknown scope was the reason could not be confirmed)")
			return
		}
		code := res.Code()
		if code == "" {
			t.FailExpected(expected, "a redirect with neither error nor code: "+res.URL.String())
		}
		e := t.TokenRequest(m, c, t.CodeRedemption(c, code, p))
		tr, err := framework.ParseTokenResponse(e)
		if err != nil {
			t.Skipf("the server issued a code for scope %q, but the code could not be redeemed, so the granted scope could not be read: %v; %s", requested, err, e.Summary())
		}
		raw, present := tr.Doc["scope"]
		if !present {
			t.FailExpected(expected, fmt.Sprintf("tokens without a scope member, which tells the client it was granted %q, the unknown scope included (RFC 6749 §3.3 requires scope when it differs from the request)", requested))
		}
		if _, ok := raw.(string); !ok {
			t.FailExpected(expected, "the scope member is "+framework.DescribeJSON(raw)+", not a space-separated string")
		}
		if slices.Contains(scopeSet(tr.Scope), bogusScope) {
			t.FailExpected(expected, fmt.Sprintf("the granted scope %q includes the unknown %s", tr.Scope, bogusScope))
		}
		t.Notef("the unknown scope was dropped; granted scope %q", tr.Scope)
	}, framework.Browser)

// validScope picks a scope the server knows: the configured one (what the
// operator wants requested), else the first of scopes_supported that is
// neither offline_access nor openid (each changes what is issued, and openid
// turns the request into an OpenID Connect one), else none.
func validScope(t *framework.T, m *framework.Metadata) string {
	if s := t.Config().Scope; s != "" {
		return s
	}
	supported, _ := framework.MemberStrings(m.Doc, "scopes_supported")
	for _, s := range supported {
		if s != "offline_access" && s != "openid" && s != bogusScope {
			return s
		}
	}
	if slices.Contains(supported, "offline_access") {
		return "offline_access"
	}
	t.Notef("no scope is configured or advertised, so only %s was requested", bogusScope)
	return ""
}
