package metadata

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 8414 §2: an omitted grant_types_supported defaults to
// ["authorization_code", "implicit"], which advertises the implicit grant
// OAuth 2.1 removed (requirements §13 pitfall 13). An OAuth 2.1 / MCP AS
// should list its grants: authorization_code, refresh_token when it issues
// refresh tokens, and neither implicit nor password. WARN only; the
// behavioural specs (OAUTH21-4.1.1-implicit-rejected,
// RFC9700-2.4-password-grant-refused) decide FAIL. client_credentials, device
// code and token exchange are legitimate extras.
var _ = framework.It("RFC8414-2-grant-types-explicit",
	"grant_types_supported is listed explicitly, with authorization_code and without implicit or password",
	func(ctx context.Context, t *framework.T) {
		var bad findings
		for _, doc := range requireDocuments(t) {
			grants, present, ok := stringList(doc.Doc, "grant_types_supported")
			switch {
			case !present:
				bad.add(doc, "grant_types_supported is omitted, so its RFC 8414 default [\"authorization_code\",\"implicit\"] advertises the implicit grant")
				continue
			case !ok:
				bad.add(doc, "grant_types_supported is %s, not an array of strings", framework.DescribeJSON(doc.Doc["grant_types_supported"]))
				continue
			}
			if !slices.Contains(grants, "authorization_code") {
				bad.add(doc, "grant_types_supported is %s, without authorization_code, the grant MCP clients use", framework.DescribeJSON(doc.Doc["grant_types_supported"]))
			}
			for _, g := range []string{"implicit", "password"} {
				if slices.Contains(grants, g) {
					bad.add(doc, "grant_types_supported lists %q, a grant OAuth 2.1 removed", g)
				}
			}
		}
		if len(bad) > 0 {
			t.WarnExpected("grant_types_supported listed explicitly, with authorization_code and without implicit or password (RFC 8414 §2 default; OAuth 2.1)", bad.String())
		}
	})

// The behavioural half of RFC8414-2-grant-types-explicit: refresh tokens
// issued while grant_types_supported (given explicitly) does not list
// refresh_token make the metadata untrue. Runs one flow only when some
// document leaves refresh_token out.
var _ = framework.It("RFC8414-2-grant-types-explicit",
	"refresh tokens are issued only if grant_types_supported lists refresh_token",
	func(ctx context.Context, t *framework.T) {
		var without findings
		for _, doc := range requireDocuments(t) {
			if grants, present, ok := stringList(doc.Doc, "grant_types_supported"); present && ok && !slices.Contains(grants, "refresh_token") {
				without.add(doc, "%s", describeList(doc.Doc, "grant_types_supported"))
			}
		}
		if len(without) == 0 {
			t.Skipf("every document that lists grant_types_supported includes refresh_token (or omits the member, which the static spec reports), so there is no claim to compare with issued tokens")
		}
		m := t.Metadata()
		c := t.PublicClient()
		p := framework.NewPKCE()
		params := t.AuthorizationParams(c, p)
		if scopes, _, _ := stringList(m.Doc, "scopes_supported"); slices.Contains(scopes, "offline_access") {
			// Some servers issue refresh tokens only for offline_access.
			params.Set("scope", strings.TrimSpace(params.Get("scope")+" offline_access"))
		}
		code, _ := t.ObtainCode(m, params)
		e := t.TokenRequest(m, c, t.CodeRedemption(c, code, p))
		tr, err := framework.ParseTokenResponse(e)
		if err != nil {
			t.Skipf("the code could not be redeemed, so whether refresh tokens are issued is unknown: %v; %s", err, e.Summary())
		}
		if tr.RefreshToken != "" {
			t.WarnExpected("refresh_token in grant_types_supported when the AS issues refresh tokens",
				"the token response carried a refresh_token, but grant_types_supported leaves refresh_token out: "+without.String())
			return
		}
		t.Notef("no refresh token was issued, consistent with grant_types_supported")
	}, framework.Browser)

// RFC 8414 §2: an omitted token_endpoint_auth_methods_supported defaults to
// client_secret_basic alone, which tells clients the AS has no public
// clients; MCP clients are usually public (none). WARN when the member is
// absent, and when the AS accepts public clients (a public client is
// configured, or dynamic registration with none succeeds) but does not list
// none. RFC 8414 does not require every method to be listed, so WARN only.
var _ = framework.It("RFC8414-2-auth-methods-advertised",
	"token_endpoint_auth_methods_supported is published and lists none when public clients are accepted",
	func(ctx context.Context, t *framework.T) {
		var bad findings
		publicAccepted := "" // how the AS was seen to accept public clients
		probed := false
		for _, doc := range requireDocuments(t) {
			methods, present, ok := stringList(doc.Doc, "token_endpoint_auth_methods_supported")
			switch {
			case !present:
				bad.add(doc, "token_endpoint_auth_methods_supported is omitted, so its RFC 8414 default [\"client_secret_basic\"] says public clients (none) are not supported")
				continue
			case !ok:
				bad.add(doc, "token_endpoint_auth_methods_supported is %s, not an array of strings", framework.DescribeJSON(doc.Doc["token_endpoint_auth_methods_supported"]))
				continue
			case slices.Contains(methods, "none"):
				continue
			}
			if !probed {
				probed = true
				publicAccepted = publicClientsAccepted(t, doc.Doc)
			}
			if publicAccepted != "" {
				bad.add(doc, "token_endpoint_auth_methods_supported is %s, without none, although %s", framework.DescribeJSON(doc.Doc["token_endpoint_auth_methods_supported"]), publicAccepted)
			} else {
				t.Notef("%s does not list none, and no public client was seen to be accepted", doc.Name())
			}
		}
		if len(bad) > 0 {
			t.WarnExpected("token_endpoint_auth_methods_supported published, listing none when public clients are accepted (RFC 8414 §2 default is client_secret_basic only)", bad.String())
		}
	})

// publicClientsAccepted returns how the AS accepts public clients ("" when it
// was not seen to): a configured public client, or a successful dynamic
// registration with token_endpoint_auth_method none (RFC7591-2-public-client-none).
func publicClientsAccepted(t *framework.T, doc map[string]any) string {
	if c := t.Config().Clients.Public; c != nil && (c.AuthMethod == "none" || c.AuthMethod == "" && c.ClientSecret == "") {
		return fmt.Sprintf("the configured public client %q uses none", c.ClientID)
	}
	reg, ok := framework.MemberString(doc, "registration_endpoint")
	if !ok || reg == "" {
		return ""
	}
	c, err := t.RegisterClient(reg, "none")
	if err != nil {
		t.Notef("dynamic registration of a public client at %s did not succeed: %v", reg, err)
		return ""
	}
	if c.AuthMethod != "none" {
		t.Notef("dynamic registration asked for none and got token_endpoint_auth_method %q", c.AuthMethod)
		return ""
	}
	return fmt.Sprintf("dynamic registration at %s with token_endpoint_auth_method none succeeded (client %s)", reg, c.ID)
}
