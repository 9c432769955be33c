package registration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// MCP: DCR is a SHOULD up to 2025-06-18, a MAY from 2025-11-25, and
// deprecated in favour of client ID metadata documents in 2026-07-28. A
// missing endpoint is a WARN only where it is a SHOULD; otherwise INFO.
var _ = framework.It("MCP-DCR-endpoint-available", "the metadata names a registration endpoint where an MCP client registers as a public client",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		profile := t.Config().MCPVersion
		endpoint, _ := framework.MemberString(m.Doc, "registration_endpoint")
		if endpoint == "" {
			alt := "no client ID metadata document support is advertised"
			if framework.CIMDSupported(m) {
				alt = "client ID metadata documents are advertised instead"
			}
			if !atLeast(t, framework.MCP20251125) {
				t.WarnExpected("a registration_endpoint in the metadata (MCP "+profile+": the server SHOULD support RFC 7591)", "the metadata at "+m.Location.URL+" has none")
				return
			}
			t.Infof("the metadata has no registration_endpoint; under MCP %s dynamic client registration is optional (%s)", profile, alt)
			return
		}
		r := register(t, endpoint, minimal(t))
		if !r.accepted() {
			msg := fmt.Sprintf("Expected: a minimal public registration (token_endpoint_auth_method none) at %s to succeed\nActual:   %s", endpoint, r.describe())
			if atLeast(t, framework.MCP20251125) {
				t.Infof("%s (dynamic client registration is optional under MCP %s)", msg, profile)
				return
			}
			t.Warnf("%s", msg)
			return
		}
		if atLeast(t, framework.MCP20260728) {
			t.Notef("MCP %s deprecates dynamic client registration in favour of client ID metadata documents", profile)
		}
	})

// RFC 7591 §3: the registration request is a POST with a JSON body. Refusing
// a form-encoded body is correct, so a form is sent only to tell a refusal of
// JSON from a refusal of the metadata.
var _ = framework.It("RFC7591-3-post-json", "the registration endpoint accepts client metadata POSTed as application/json",
	func(ctx context.Context, t *framework.T) {
		m, endpoint := dcr(t)
		md := minimal(t)
		r := register(t, endpoint, md)
		if r.accepted() {
			return
		}
		if r.e.Err != nil {
			t.FailExpected("an answer to a JSON registration", r.describe())
		}
		if r.e.Status == http.StatusUnsupportedMediaType {
			t.FailExpected("a POST with Content-Type application/json to be accepted (RFC 7591 §3)", "415 Unsupported Media Type")
		}
		form := url.Values{}
		for k, v := range md {
			if list, ok := stringsOf(v); ok && k != "client_name" {
				form[k] = list
			} else {
				form.Set(k, fmt.Sprint(v))
			}
		}
		if f := t.HTTP().PostForm(t.Context(), endpoint, form, nil); f.Err == nil && f.Status >= 200 && f.Status < 300 {
			t.FailExpected("the registration to be accepted as JSON (RFC 7591 §3)", "the JSON registration was refused ("+r.describe()+") and the same metadata form-encoded was accepted")
		}
		if conf := register(t, endpoint, confidentialMetadata(t, m)); conf.accepted() {
			t.Notef("the public registration was refused (%s); a confidential one as JSON was accepted", r.describe())
			return
		}
		t.Skipf("both a public and a confidential JSON registration were refused (%s), and so was the form-encoded one, so whether JSON is accepted could not be told", r.describe())
	})

// RFC 7591 §3.2.1: success is 201 Created with an application/json object.
// 200 is a real violation that lenient clients hide.
var _ = framework.It("RFC7591-3.2.1-201-json", "a successful registration answers 201 Created with a JSON object",
	func(ctx context.Context, t *framework.T) {
		_, endpoint := dcr(t)
		r := register(t, endpoint, minimal(t))
		if !r.accepted() {
			t.Skipf("precondition not met: the minimal registration was refused (%s); see RFC7591-2-public-client-none", r.describe())
		}
		if r.e.Status != http.StatusCreated {
			t.FailExpected("status 201 Created for a successful registration (RFC 7591 §3.2.1)", fmt.Sprintf("status %d", r.e.Status))
		}
		if mt := r.e.MediaType(); mt != "application/json" {
			t.FailExpected("Content-Type application/json", fmt.Sprintf("%q", r.e.ResponseHeader.Get("Content-Type")))
		}
		if r.doc == nil {
			_, err := r.e.JSONObject()
			t.FailExpected("a JSON object body", err.Error())
		}
	})

// RFC 7591 §3.2.1: client_id is a string unique at the server. A JSON number
// is not a string.
var _ = framework.It("RFC7591-3.2.1-client-id", "each registration returns a non-empty client_id string that differs from another registration's",
	func(ctx context.Context, t *framework.T) {
		_, endpoint := dcr(t)
		var ids []string
		for i := range 2 {
			r := register(t, endpoint, minimal(t))
			if !r.accepted() || r.doc == nil {
				t.Skipf("precondition not met: registration %d was refused or unreadable (%s)", i+1, r.describe())
			}
			v, ok := r.doc["client_id"]
			if !ok {
				t.FailExpected("a client_id member in the registration response", "none: "+framework.Snippet(r.e.Body, 200))
			}
			s, ok := v.(string)
			if !ok {
				t.FailExpected("client_id to be a JSON string", fmt.Sprintf("a JSON %T (%v)", v, v))
			}
			if s == "" {
				t.FailExpected("a non-empty client_id", "an empty string")
			}
			ids = append(ids, s)
		}
		if ids[0] == ids[1] {
			t.FailExpected("two registrations to get different client_ids", "both got the same client_id")
		}
	})

// RFC 7591 §3.2.1: a client_secret comes with client_secret_expires_at (0:
// never). client_id_issued_at is optional and not required here.
var _ = framework.It("RFC7591-3.2.1-secret-expires-at", "a registration that issues a client_secret also returns a numeric client_secret_expires_at",
	func(ctx context.Context, t *framework.T) {
		m, endpoint := dcr(t)
		judged := false
		for _, md := range []map[string]any{confidentialMetadata(t, m), minimal(t)} {
			r := register(t, endpoint, md)
			if !r.accepted() || r.doc == nil {
				continue
			}
			if _, ok := r.doc["client_secret"]; !ok {
				continue
			}
			judged = true
			v, ok := r.doc["client_secret_expires_at"]
			if !ok {
				t.FailExpected("client_secret_expires_at with the client_secret of a "+md["token_endpoint_auth_method"].(string)+" registration", "no client_secret_expires_at member")
			}
			if _, isNumber := v.(json.Number); !isNumber {
				t.FailExpected("client_secret_expires_at to be a JSON number (seconds since the epoch, or 0)", fmt.Sprintf("a JSON %T (%v)", v, v))
			}
		}
		if !judged {
			t.Skipf("precondition not met: no registration (confidential or public) returned a client_secret")
		}
	})

// RFC 7591 §3.2.1: the response holds every registered member, including
// values the server chose. A different value is a substitution the server
// may make (INFO), and later steps use it; a missing one is a FAIL.
var _ = framework.It("RFC7591-3.2.1-echo-registered-metadata", "the registration response returns every registered member; substituted values are recorded",
	func(ctx context.Context, t *framework.T) {
		m, endpoint := dcr(t)
		md := minimal(t)
		if s := framework.AdvertisedScope(m); s != "" {
			md["scope"] = s
		}
		r := register(t, endpoint, md)
		if !r.accepted() || r.doc == nil {
			t.Skipf("precondition not met: the registration was refused (%s)", r.describe())
		}
		var missing, substituted []string
		for _, k := range []string{"redirect_uris", "token_endpoint_auth_method", "grant_types", "response_types", "client_name", "scope"} {
			sent, ok := md[k]
			if !ok {
				continue
			}
			got, ok := r.doc[k]
			if !ok {
				missing = append(missing, k)
				continue
			}
			a, _ := stringsOf(sent)
			b, okb := stringsOf(got)
			if k == "client_name" || k == "token_endpoint_auth_method" {
				a, b = []string{fmt.Sprint(sent)}, []string{fmt.Sprint(got)}
			}
			if !okb || !sameSet(a, b) {
				substituted = append(substituted, fmt.Sprintf("%s: sent %v, registered %v", k, sent, got))
			}
		}
		if len(missing) > 0 {
			t.FailExpected("the response to return every registered member (RFC 7591 §3.2.1)", "missing: "+strings.Join(missing, ", "))
		}
		if len(substituted) > 0 {
			t.Infof("the server substituted registered values, which RFC 7591 §3.2.1 allows; the suite uses the returned ones: %s", strings.Join(substituted, "; "))
		}
	})

// RFC 7591 §2: metadata the server does not understand is ignored, not
// refused; MCP 2026-07-28's application_type is one such member at a non-OIDC
// server. Echoing an unknown member means it was stored (INFO).
var _ = framework.It("RFC7591-2-ignore-unknown-metadata", "a registration with unknown metadata members is accepted",
	func(ctx context.Context, t *framework.T) {
		_, endpoint := dcr(t)
		md := with(with(with(minimal(t), "x_conformance_unknown", "v"), "application_type", "native"), "software_statement_foo", 1)
		r := register(t, endpoint, md)
		if r.accepted() {
			if _, ok := r.doc["x_conformance_unknown"]; ok {
				t.Infof("the server echoed the unknown member x_conformance_unknown: it stored it rather than ignoring it")
			}
			return
		}
		if plain := register(t, endpoint, minimal(t)); !plain.accepted() {
			t.Skipf("precondition not met: the registration without unknown members was refused too (%s)", plain.describe())
		}
		t.FailExpected("unknown members (x_conformance_unknown, software_statement_foo, application_type) to be ignored (RFC 7591 §2)",
			"the registration with them was refused ("+r.describe()+") while the same one without them was accepted")
	})

// RFC 7591 §3.2.2 (and pitfall 16): a public MCP client registers with
// token_endpoint_auth_method none and then redeems its code without a secret.
var _ = framework.It("RFC7591-2-public-client-none", "a public registration (none) is accepted without a secret, and its code is redeemed without one",
	func(ctx context.Context, t *framework.T) {
		m, endpoint := dcr(t)
		md := minimal(t)
		r := register(t, endpoint, md)
		if !r.accepted() {
			t.WarnExpected("a public registration with token_endpoint_auth_method none to be accepted", r.describe())
			return
		}
		c := client(t, r, md)
		_, hasSecret := r.doc["client_secret"]
		switch {
		case c.AuthMethod != "none" && hasSecret:
			t.WarnExpected("the public registration to stay public (none)", fmt.Sprintf("the server substituted %s and returned a secret: an MCP client must switch to it", c.AuthMethod))
		case c.AuthMethod != "none":
			t.WarnExpected("token_endpoint_auth_method none", fmt.Sprintf("the server registered %s without a secret", c.AuthMethod))
			return
		case hasSecret:
			t.WarnExpected("no client_secret for a client registered with none", "the response says none and carries a client_secret (contradictory)")
		}
		p := framework.NewPKCE()
		code, _ := t.ObtainCode(m, t.AuthorizationParams(c, p))
		e := t.TokenRequest(m, c, t.CodeRedemption(c, code, p))
		if _, err := framework.ParseTokenResponse(e); err != nil {
			t.WarnExpected("the public client's code to be redeemed with client_id and code_verifier only", e.Summary())
		}
	}, framework.Browser)

// RFC 7591 §3.2.1: a client_secret is unique to its client.
var _ = framework.It("RFC7591-3.2.1-unique-credentials", "two confidential registrations get different client secrets",
	func(ctx context.Context, t *framework.T) {
		m, endpoint := dcr(t)
		var secrets []string
		for range 2 {
			r, _ := mustRegister(t, endpoint, confidentialMetadata(t, m))
			s, _ := framework.MemberString(r.doc, "client_secret")
			if s == "" {
				t.Skipf("precondition not met: the confidential registration returned no client_secret (token_endpoint_auth_method %v)", r.doc["token_endpoint_auth_method"])
			}
			secrets = append(secrets, s)
		}
		if secrets[0] == secrets[1] {
			t.FailExpected("each client to get its own client_secret (RFC 7591 §3.2.1)", "two registrations got the same client_secret")
		}
	})

// A registration response with a secret holds credentials; like a token
// response (OAuth 2.1 §3.2.3) it should not be cached. No explicit MUST.
var _ = framework.It("RFC7591-3.2.1-response-no-store", "a registration response that carries a client secret has Cache-Control: no-store",
	func(ctx context.Context, t *framework.T) {
		m, endpoint := dcr(t)
		r, _ := mustRegister(t, endpoint, confidentialMetadata(t, m))
		_, secret := r.doc["client_secret"]
		_, rat := r.doc["registration_access_token"]
		if !secret && !rat {
			t.Skipf("precondition not met: the confidential registration returned no client_secret or registration_access_token")
		}
		if cc := r.e.ResponseHeader.Get("Cache-Control"); !strings.Contains(strings.ToLower(cc), "no-store") {
			t.WarnExpected("Cache-Control: no-store on a registration response that carries credentials", fmt.Sprintf("Cache-Control %q", cc))
		}
	})

// RFC 7591 §3: the endpoint may demand an initial access token; failures then
// follow RFC 6750 (401 with a Bearer challenge). MCP clients expect open
// registration, so "protected" is recorded, never judged.
var _ = framework.It("RFC7591-3-initial-access-token", "registration without an initial access token: open, or protected with an RFC 6750 challenge",
	func(ctx context.Context, t *framework.T) {
		_, endpoint := dcr(t)
		body, _ := json.Marshal(minimal(t))
		e := t.HTTP().Send(t.Context(), framework.Request{Method: http.MethodPost, URL: endpoint, Body: body,
			Header: http.Header{"Content-Type": {"application/json"}}})
		challenge := e.ResponseHeader.Get("WWW-Authenticate")
		switch {
		case e.Err != nil:
			t.FailExpected("an answer to a registration request", e.Summary())
		case e.Status >= 200 && e.Status < 300:
			t.Infof("open registration: a registration without an initial access token was accepted (status %d)", e.Status)
		case e.Status == http.StatusUnauthorized && strings.HasPrefix(strings.ToLower(challenge), "bearer"):
			iat := t.Config().Registration().InitialAccessToken
			if iat == "" {
				t.Infof("protected registration: 401 with a Bearer challenge; give --initial-access-token to register clients")
				return
			}
			again := register(t, endpoint, minimal(t))
			t.Infof("protected registration: 401 with a Bearer challenge; with the configured initial access token the registration got %s", again.describe())
		case e.Status == http.StatusUnauthorized, e.Status == http.StatusForbidden:
			t.WarnExpected("a protected registration endpoint to answer 401 with a WWW-Authenticate: Bearer challenge (RFC 6750 §3)",
				fmt.Sprintf("status %d with WWW-Authenticate %q", e.Status, challenge))
		default:
			t.Infof("a registration without an initial access token got status %d", e.Status)
		}
	})
