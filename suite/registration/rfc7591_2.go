package registration

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 7591 §3.2.2: a refused registration is 400 with a JSON error from the
// registration set. Problems with an initial access token use RFC 6750
// instead, so a 401 is left out (register SKIPs on it).
var _ = framework.It("RFC7591-3.2.2-error-format", "an invalid registration is refused with 400 and a JSON registration error code",
	func(ctx context.Context, t *framework.T) {
		_, endpoint := dcr(t)
		judged := 0
		for _, p := range []struct {
			what string
			md   map[string]any
		}{
			{"redirect_uris as a string instead of an array", map[string]any{"redirect_uris": "not-an-array", "token_endpoint_auth_method": "none"}},
			{"a redirect URI that is not a URI", map[string]any{"redirect_uris": []string{"not a uri"}, "token_endpoint_auth_method": "none"}},
		} {
			r := register(t, endpoint, p.md)
			want := fmt.Sprintf("a registration with %s to be refused with status 400 and a JSON error %s", p.what, strings.Join(registrationErrors, ", "))
			switch {
			case r.e.Err != nil:
				t.FailExpected(want, r.describe())
			case r.accepted():
				t.Notef("a registration with %s was accepted (status %d); RFC7591-3.2.2-bad-redirect-uri-rejected judges that", p.what, r.e.Status)
				continue
			case r.e.Status >= 500:
				t.FailExpected(want, r.describe())
			case r.doc == nil || r.e.MediaType() != "application/json":
				t.FailExpected(want, fmt.Sprintf("status %d with Content-Type %q: %s", r.e.Status, r.e.ResponseHeader.Get("Content-Type"), framework.Snippet(r.e.Body, 120)))
			case !slices.Contains(registrationErrors, r.errorCode()):
				t.FailExpected(want, r.describe())
			case r.e.Status != http.StatusBadRequest:
				t.WarnExpected(want, r.describe())
			}
			judged++
		}
		if judged == 0 {
			t.Skipf("the server accepted both invalid registrations, so no registration error could be read")
		}
	})

// OAuth 2.1 §2.3 and RFC 6749 §3.1.2: redirect URIs are absolute, without a
// fragment; javascript: can never be a redirect target. invalid_redirect_uri
// is the code (RFC 7591 §3.2.2); invalid_client_metadata is a WARN.
var _ = framework.It("RFC7591-3.2.2-bad-redirect-uri-rejected", "registrations with a fragment, relative or javascript: redirect URI are refused with invalid_redirect_uri",
	func(ctx context.Context, t *framework.T) {
		_, endpoint := dcr(t)
		var accepted []string
		for _, uri := range []string{"http://127.0.0.1:5000/cb#frag", "/relative/cb", "javascript:alert(1)"} {
			r := register(t, endpoint, with(minimal(t), "redirect_uris", []string{uri}))
			if r.e.Err != nil {
				t.FailExpected("an answer to a registration", r.describe())
			}
			if r.accepted() {
				accepted = append(accepted, uri)
				continue
			}
			judgeRefusal(t, "a registration with redirect URI "+uri, r, "invalid_redirect_uri")
		}
		if len(accepted) > 0 {
			t.FailExpected("invalid redirect URIs to be refused at registration", "registered: "+strings.Join(accepted, ", "))
		}
	})

// RFC 9700 §2.6, OAuth 2.1 §1.5: no http redirect URIs except loopback. An
// http URI the server registers is then tried at the authorization endpoint:
// a code delivered to it is the FAIL; refusing it there passes.
var _ = framework.It("RFC9700-2.6-no-http-redirect-non-loopback", "an http redirect URI on a non-loopback host is refused, at registration or at the authorization endpoint",
	func(ctx context.Context, t *framework.T) {
		m, endpoint := dcr(t)
		const uri = "http://client.example.test/cb"
		md := with(minimal(t), "redirect_uris", []string{uri})
		if _, ok := md["application_type"]; ok {
			md["application_type"] = "web"
		}
		r := register(t, endpoint, md)
		if !r.accepted() {
			return
		}
		c := client(t, r, md)
		c.RedirectURI = uri
		res := t.Authorize(m, framework.AuthorizationRequest{Params: t.AuthorizationParams(c, framework.NewPKCE())})
		if res.Code() != "" || res.Fragment.Get("code") != "" {
			t.FailExpected("no authorization code delivered to "+uri+" (http on a non-loopback host, RFC 9700 §2.6)", "the server registered it and redirected a code there: "+res.Describe())
		}
		t.Notef("the server registered %s but did not deliver a code to it: %s", uri, res.Describe())
	}, framework.Browser)

// OAuth 2.1 §2.3.1, §8.4.3: private-use schemes are reverse domain names. A
// scheme without a dot should be refused; refusing a proper one is a
// server's choice (many web-only servers refuse all custom schemes).
var _ = framework.It("OAUTH21-2.3.1-private-scheme-needs-dot", "a private-use redirect URI scheme without a dot is refused",
	func(ctx context.Context, t *framework.T) {
		_, endpoint := dcr(t)
		profile := t.Config().MCPVersion
		if r := register(t, endpoint, framework.ClientMetadataFor(profile, "none", "myapp:/callback")); r.accepted() {
			t.WarnExpected("the private-use scheme myapp: (no dot) to be refused", "the server registered myapp:/callback")
		}
		if r := register(t, endpoint, framework.ClientMetadataFor(profile, "none", "com.example.conformance:/callback")); !r.accepted() {
			t.Infof("the server refused the reverse-domain private-use scheme com.example.conformance:/callback too (%s): it may not support native schemes at all", r.describe())
		}
	})

// RFC 7591 §2: a client of a redirect-based grant registers redirect URIs. A
// server may accept the registration and refuse at authorization time, so an
// accepted one is a WARN, and a redirect anywhere afterwards a FAIL.
var _ = framework.It("RFC7591-2-redirect-uris-required", "a code-flow registration without redirect_uris is refused, or its authorization requests never redirect",
	func(ctx context.Context, t *framework.T) {
		m, endpoint := dcr(t)
		md := map[string]any{"grant_types": []string{"authorization_code"}, "response_types": []string{"code"}, "token_endpoint_auth_method": "none"}
		r := register(t, endpoint, md)
		if !r.accepted() {
			judgeRefusal(t, "a registration without redirect_uris", r, "invalid_redirect_uri", "invalid_client_metadata")
			return
		}
		t.WarnExpected("a code-flow registration without redirect_uris to be refused", "the server registered it ("+r.describe()+")")
		c := client(t, r, md)
		c.RedirectURI = t.RedirectURI()
		res := t.Authorize(m, framework.AuthorizationRequest{Params: t.AuthorizationParams(c, framework.NewPKCE())})
		if res.Redirected {
			t.FailExpected("no redirect for a client that registered no redirect URI", res.Describe())
		}
	}, framework.Browser)

// RFC 7591 §2.1: grant_types and response_types must go together; the server
// should refuse or correct authorization_code with token.
var _ = framework.It("RFC7591-2.1-grant-response-consistency", "inconsistent grant_types and response_types are refused or corrected",
	func(ctx context.Context, t *framework.T) {
		_, endpoint := dcr(t)
		md := with(with(minimal(t), "grant_types", []string{"authorization_code"}), "response_types", []string{"token"})
		r := register(t, endpoint, md)
		if !r.accepted() {
			return
		}
		if got, ok := stringsOf(r.doc["response_types"]); ok && slices.Contains(got, "token") {
			t.WarnExpected("grant_types [authorization_code] with response_types [token] to be refused or corrected (RFC 7591 §2.1)", fmt.Sprintf("stored as sent: response_types %v", got))
			return
		}
		t.Notef("the server corrected the registration: response_types %v", r.doc["response_types"])
	})

// RFC 7591 §2: jwks and jwks_uri MUST NOT both be present. What the server
// controls is its response: echoing both is the FAIL.
var _ = framework.It("RFC7591-2-jwks-and-jwks-uri-exclusive", "a registration with both jwks and jwks_uri is refused, and a response never has both",
	func(ctx context.Context, t *framework.T) {
		_, endpoint := dcr(t)
		md := with(with(minimal(t), "jwks", map[string]any{"keys": []any{}}), "jwks_uri", "https://example.test/jwks")
		r := register(t, endpoint, md)
		if !r.accepted() {
			return
		}
		_, jwks := r.doc["jwks"]
		_, jwksURI := r.doc["jwks_uri"]
		if jwks && jwksURI {
			t.FailExpected("a registration response without both jwks and jwks_uri (RFC 7591 §2)", "the response has both")
		}
		t.Infof("the server accepted a registration with both jwks and jwks_uri and stored %s", map[bool]string{true: "one of them", false: "neither"}[jwks || jwksURI])
	})

// RFC 9700 §4.15.1: the server chooses client_id; a client must not pick one
// that could be confused with a user's identifier.
var _ = framework.It("RFC9700-4.15.1-client-cannot-choose-client-id", "a client_id in a registration request is not used as the client's identifier",
	func(ctx context.Context, t *framework.T) {
		_, endpoint := dcr(t)
		user := t.Config().Login.Username
		for _, chosen := range []string{"admin", user} {
			if chosen == "" {
				continue
			}
			r := register(t, endpoint, with(minimal(t), "client_id", chosen))
			if !r.accepted() {
				t.Notef("a registration asking for client_id %q was refused (%s)", chosen, r.describe())
				continue
			}
			if id, _ := framework.MemberString(r.doc, "client_id"); id == chosen {
				if chosen == user {
					t.FailExpected("a server-chosen client_id", "the client was given the test user's name as client_id, so a client can pose as a user (RFC 9700 §4.15.1)")
				}
				t.WarnExpected("a server-chosen client_id", fmt.Sprintf("the client was given the client_id %q it asked for", chosen))
			}
		}
	})

// MCP 2026-07-28: clients send application_type (native for loopback). An
// OIDC server should accept native with loopback http redirect URIs; refusing
// web with them is legitimate OIDC policy (INFO).
var _ = framework.It("MCP-DCR-application-type-native", "application_type native with a loopback redirect URI is accepted",
	func(ctx context.Context, t *framework.T) {
		_, endpoint := dcr(t)
		md := map[string]any{"application_type": "native", "redirect_uris": []string{t.RedirectURI()}, "token_endpoint_auth_method": "none",
			"grant_types": []string{"authorization_code", "refresh_token"}, "response_types": []string{"code"}}
		if r := register(t, endpoint, md); !r.accepted() {
			t.WarnExpected("application_type native with loopback redirect URI "+t.RedirectURI()+" to be accepted", r.describe())
		}
		if r := register(t, endpoint, with(md, "application_type", "web")); !r.accepted() {
			t.Infof("application_type web with a loopback http redirect URI was refused (%s), which OpenID Connect Registration allows", r.describe())
		}
	})

// RFC 7591 §5: logo_uri and client_uri are self-asserted; a server should
// check their host against the redirect URIs. Black-box, only what the
// consent page shows is seen, and that is ambiguous (the server may have
// checked the host some other way), so the research makes this row
// informational: a foreign-host logo or link shown without a warning is INFO.
var _ = framework.It("RFC7591-5-uri-host-consistency", "a logo_uri on another host than the redirect URIs is not shown on the consent page without a warning",
	func(ctx context.Context, t *framework.T) {
		m, endpoint := dcr(t)
		const foreign = "other-host.test"
		md := with(with(minimal(t), "logo_uri", "https://"+foreign+"/logo.png"), "client_uri", "https://"+foreign+"/")
		r := register(t, endpoint, md)
		if !r.accepted() {
			t.Notef("the registration with a foreign-host logo_uri and client_uri was refused (%s)", r.describe())
			return
		}
		c := client(t, r, md)
		res := t.Authorize(m, framework.AuthorizationRequest{Params: t.AuthorizationParams(c, framework.NewPKCE()), Deny: true})
		if !res.ConsentShown {
			t.Skipf("precondition not met: no consent page was shown (%s)", res.Describe())
		}
		html := strings.ToLower(res.ConsentHTML)
		warned := strings.Contains(strings.ToLower(res.ConsentText), "warning") || strings.Contains(strings.ToLower(res.ConsentText), "unverified")
		switch {
		case strings.Contains(html, `src="https://`+foreign) && !warned:
			t.Infof("the consent page renders a logo from %s, a host other than the redirect URIs', without a warning (RFC 7591 §5 asks servers to check it)", foreign)
		case strings.Contains(html, foreign):
			t.Infof("the consent page mentions %s, the host of the registered client_uri/logo_uri, which differs from the redirect URIs' host", foreign)
		}
	}, framework.Browser)
