package metadata

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/mcpauth/conformance/suite/framework"
)

// MCP 2025-03-26, "Fallbacks for Servers without Metadata Discovery": when no
// metadata is served, clients use {base}/authorize, {base}/token and
// {base}/register, base being the MCP server URL with its path removed. Only
// in that profile and only when discovery found nothing; the mechanism was
// removed later and never satisfies MCP-Overview-as-discovery-available in
// newer profiles. /token must answer a bad request like an OAuth token
// endpoint (a JSON error, RFC 6749 §5.2); /authorize must exist. Dynamic
// registration was only a SHOULD in 2025-03-26, so a missing /register is a
// WARN.
var _ = framework.It("MCP-2025-03-26-default-endpoints",
	"without metadata, the MCP 2025-03-26 default endpoints {base}/authorize, /token and /register answer like OAuth endpoints",
	func(ctx context.Context, t *framework.T) {
		profile := t.Config().MCPVersion
		if profile != framework.MCP20250326 {
			t.Skipf("the default endpoints apply only to the MCP 2025-03-26 profile (this run uses %s; --mcp-version 2025-03-26 selects it)", profile)
		}
		d := t.Discovery()
		if loc := d.Metadata(profile); loc != nil {
			t.Skipf("discovery found metadata (%s), so MCP 2025-03-26 clients use its endpoints, not the defaults", loc.URL)
		}
		base := defaultBase(t)
		t.Notef("no usable metadata, so the default endpoints below %s are checked", base)

		// /token: a bad token request gets a JSON OAuth error.
		tokenURL := base + "/token"
		form := url.Values{
			"grant_type":    {"authorization_code"},
			"code":          {"mcp-conformance-invalid-" + framework.RandomString(8)},
			"redirect_uri":  {t.RedirectURI()},
			"client_id":     {"mcp-conformance-unknown-" + framework.RandomString(4)},
			"code_verifier": {framework.NewPKCE().Verifier},
		}
		e := t.HTTP().PostForm(ctx, tokenURL, form, nil)
		t.Responded(e, "an HTTP response from the default token endpoint "+tokenURL)
		var bad []string
		if e.Status == http.StatusNotFound {
			bad = append(bad, fmt.Sprintf("%s answered 404: there is no token endpoint", tokenURL))
		} else if _, err := framework.ParseOAuthError(e); err != nil {
			bad = append(bad, fmt.Sprintf("%s did not answer an invalid code with a JSON OAuth error (RFC 6749 §5.2): %v", tokenURL, err))
		}

		// /authorize: exists (any answer but 404; an error page or a
		// redirect to a login page are both fine for a request without
		// parameters).
		authzURL := base + "/authorize"
		e = t.HTTP().Get(ctx, authzURL, nil)
		t.Responded(e, "an HTTP response from the default authorization endpoint "+authzURL)
		if e.Status == http.StatusNotFound {
			bad = append(bad, fmt.Sprintf("%s answered 404: there is no authorization endpoint", authzURL))
		}
		if len(bad) > 0 {
			t.FailExpected(fmt.Sprintf("OAuth endpoints at the MCP 2025-03-26 default locations below %s, since the AS serves no metadata", base), findings(bad).String())
		}

		// /register: an invalid registration request, which creates nothing.
		regURL := base + "/register"
		e = t.HTTP().Send(ctx, framework.Request{Method: http.MethodPost, URL: regURL, Body: []byte(`{"redirect_uris": 0}`),
			Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}})
		if e.Err == nil && e.Status == http.StatusNotFound {
			t.WarnExpected(fmt.Sprintf("a registration endpoint at %s (the MCP 2025-03-26 default; dynamic registration is a SHOULD there)", regURL), "404")
		}
	})

// defaultBase is the MCP server URL with its path removed (MCP 2025-03-26):
// the configured MCP server, else the resource, else the issuer's origin.
func defaultBase(t *framework.T) string {
	for _, candidate := range []string{t.Config().MCPServer, t.Target().Resource, t.Discovery().Issuer} {
		if o := originOf(candidate); o != "" {
			return o
		}
	}
	return ""
}
