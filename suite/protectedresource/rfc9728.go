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

// MCP "Protected Resource Metadata Discovery Requirements", RFC 9728 §5.1: an
// unauthenticated initialize gets 401. In the 2025-06-18 profile its Bearer
// challenge must name the metadata (resource_metadata); from 2025-11-25 the
// challenge or the well-known locations will do. A URL the challenge names
// must serve the metadata.
var _ = framework.It("MCP-PRMDiscovery-401-challenge",
	"an unauthenticated initialize gets 401, and the challenge or a well-known location leads to the protected resource metadata",
	func(ctx context.Context, t *framework.T) {
		if t.Config().MCPVersion == framework.MCP20250326 {
			t.Skipf("MCP 2025-03-26 has no protected resource metadata discovery (the MCP server's origin is the authorization server); choose a later --mcp-version")
		}
		d := discoverPRM(t)
		if d.Unauth.Status != http.StatusUnauthorized {
			t.FailExpected(fmt.Sprintf("POST initialize to %s without a token to be answered 401", d.Called), describe(d.Unauth))
		}
		if d.Header != nil && !d.Header.found() {
			t.FailExpected("the challenge's resource_metadata URL "+d.HeaderURL+" to serve the protected resource metadata", d.Header.Problem)
		}
		if d.Header != nil {
			return
		}
		if !newerThan0618(t) {
			t.FailExpected(fmt.Sprintf("a Bearer challenge with resource_metadata on the 401 (MCP %s: the header is the only discovery mechanism)", t.Config().MCPVersion), d.Challenges.describe())
		}
		// Without the header, a client uses a well-known document only if
		// its resource matches (RFC 9728 §3.3: otherwise it must not be used).
		for _, f := range []*prmFetch{d.Path, d.Root} {
			if f.found() && f.resourceMatches(d.Called) {
				t.Notef("the challenge has no resource_metadata; the metadata was found at %s (%s form), which this profile allows", f.URL, f.Form)
				return
			}
		}
		t.FailExpected("resource_metadata in the Bearer challenge, or usable protected resource metadata at a well-known location (MCP 2025-11-25 and later; a document whose resource does not match must not be used, see RFC9728-3.3-resource-identical)",
			d.Challenges.describe()+"; "+d.report()+describeResources(d))
	})

// RFC 9728 §3.1 and MCP: the metadata of https://h/p is at
// https://h/.well-known/oauth-protected-resource/p; MCP clients then try the
// root. When the challenge names no metadata, one of them must hold a valid
// document (resource judged as RFC9728-3.3-resource-identical does).
var _ = framework.It("RFC9728-3-well-known-location",
	"the protected resource metadata is at the path-inserted well-known URL, or at the root one, with the matching resource",
	func(ctx context.Context, t *framework.T) {
		d := discoverPRM(t)
		for _, f := range []*prmFetch{d.Path, d.Root} {
			if f.found() && f.resourceMatches(d.Called) {
				if f.Form == "root" {
					t.Notef("the metadata is at the root well-known URL %s (MCP's fallback), not at the path-inserted one", f.URL)
				}
				return
			}
		}
		switch {
		case d.Header.found():
			t.Infof("no valid metadata at the well-known locations (%s); the challenge's resource_metadata leads to it, which is enough", d.report())
		case !newerThan0618(t):
			t.Infof("no valid metadata at the well-known locations (%s); in the %s profile the challenge must name it (see MCP-PRMDiscovery-401-challenge)", d.report(), t.Config().MCPVersion)
		default:
			t.FailExpected(fmt.Sprintf("the challenge has no resource_metadata, so a valid document at %s or %s", d.Root.URL+wellKnownPath(d.Called), d.Root.URL),
				d.report()+describeResources(d))
		}
	})

// describeResources adds the resource members found, for messages.
func describeResources(d *prmDiscovery) string {
	var out []string
	for _, f := range d.fetches() {
		if f.found() {
			out = append(out, fmt.Sprintf("%s has resource %s", f.URL, framework.DescribeJSON(f.Doc["resource"])))
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "; " + strings.Join(out, "; ")
}

// RFC 9728 §3.2: 200, application/json, a JSON object. A URL the challenge
// names must be that; a well-known URL may also be absent (404, or an HTML
// catch-all page).
var _ = framework.It("RFC9728-3.2-response-format",
	"the protected resource metadata is a 200 application/json JSON object",
	func(ctx context.Context, t *framework.T) {
		d := discoverPRM(t)
		seen := false
		for _, f := range d.fetches() {
			e := f.Exchange
			named := f.Form == "header"
			if e.Err != nil || (!named && (e.Status != http.StatusOK || e.MediaType() == "text/html")) {
				continue
			}
			seen = true
			switch {
			case e.Status != http.StatusOK:
				t.FailExpected("the metadata the challenge names ("+f.URL+") served with status 200", describe(e))
			case e.MediaType() != "application/json":
				t.FailExpected("the metadata at "+f.URL+" served as application/json", fmt.Sprintf("media type %q", e.MediaType()))
			case f.Doc == nil:
				t.FailExpected("the metadata at "+f.URL+" to be one JSON object", f.Problem)
			case framework.HasBOM(e.Body):
				t.FailExpected("the metadata at "+f.URL+" to start with the JSON object", "a UTF-8 byte order mark (RFC 8259 §8.1)")
			}
		}
		if !seen {
			t.Skipf("precondition not met: no protected resource metadata was found (%s; see MCP-PRMDiscovery-401-challenge)", d.report())
		}
	})

// RFC 9728 §3.3: resource must be exactly the resource identifier the
// document was found from: the URL called (challenge or path-inserted form);
// for MCP's root fallback, the origin or the MCP URL. No normalization.
var _ = framework.It("RFC9728-3.3-resource-identical",
	"the metadata's resource is identical to the MCP endpoint's URL it was found from",
	func(ctx context.Context, t *framework.T) {
		d := discoverPRM(t)
		judged := false
		for _, f := range d.fetches() {
			if !f.found() {
				continue
			}
			judged = true
			got, _ := framework.MemberString(f.Doc, "resource")
			want := f.expectedResources(d.Called)
			if !slices.Contains(want, got) {
				t.FailExpected(fmt.Sprintf("the metadata found at %s (%s form) to have resource %s", f.URL, f.Form, strings.Join(quoteAll(want), " or ")),
					fmt.Sprintf("resource %s%s", framework.DescribeJSON(f.Doc["resource"]), resourceDiagnostic(got, d.Called)))
			}
			if f.Form == "root" {
				which := "the MCP endpoint's URL (its canonical URI)"
				if got == originOf(d.Called) {
					which = "the origin (the RFC 9728 derivation)"
				}
				t.Notef("the root document at %s names %s", f.URL, which)
			}
			if r := t.Target().Resource; r != "" && f == d.chosen() && r != got {
				t.Notef("the suite sends resource=%s (configured), not this document's resource %s", r, got)
			}
		}
		if !judged {
			t.Skipf("precondition not met: no protected resource metadata was found (%s; see MCP-PRMDiscovery-401-challenge)", d.report())
		}
	})

func quoteAll(v []string) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// resourceDiagnostic names the usual near-misses.
func resourceDiagnostic(got, called string) string {
	switch {
	case got == "":
		return ""
	case got == originOf(called) || got == originOf(called)+"/":
		return ": the origin, while the MCP endpoint was called at " + called + " (the most common defect)"
	case strings.TrimSuffix(got, "/") == strings.TrimSuffix(called, "/"):
		return ": differs from " + called + " only by a trailing slash"
	case strings.EqualFold(got, called):
		return ": differs from " + called + " only in letter case"
	}
	return ""
}

// RFC 9728 §1.2: the resource identifier is an https URL without fragment;
// it should have no query.
var _ = framework.It("RFC9728-1.2-resource-syntax",
	"the metadata's resource is an https URL without fragment (and without query)",
	func(ctx context.Context, t *framework.T) {
		_, f := metadata(t)
		raw, ok := framework.MemberString(f.Doc, "resource")
		if !ok {
			t.FailExpected("a resource member (a string) in the metadata at "+f.URL, framework.DescribeJSON(f.Doc["resource"]))
		}
		u, err := url.Parse(raw)
		switch {
		case err != nil || !u.IsAbs() || u.Host == "":
			t.FailExpected("resource to be an absolute https URL", fmt.Sprintf("%q", raw))
		case strings.Contains(raw, "#"):
			t.FailExpected("resource without a fragment", fmt.Sprintf("%q", raw))
		case u.Scheme != "https":
			t.TLSViolation("resource to use the https scheme", fmt.Sprintf("%q", raw), raw)
		}
		if u != nil && u.RawQuery != "" {
			t.WarnExpected("resource without a query (RFC 9728 §1.2: SHOULD NOT)", fmt.Sprintf("%q", raw))
		}
	})

// MCP "Authorization Server Location": authorization_servers is a non-empty
// array of issuer identifiers, each one discoverable (RFC 8414 or OIDC).
var _ = framework.It("MCP-ASLocation-authorization-servers",
	"authorization_servers lists at least one issuer, and each one serves authorization server metadata",
	func(ctx context.Context, t *framework.T) {
		_, f := metadata(t)
		servers, ok := framework.MemberStrings(f.Doc, "authorization_servers")
		if !ok || len(servers) == 0 {
			t.FailExpected("authorization_servers: a non-empty array of issuer identifiers in "+f.URL, framework.DescribeJSON(f.Doc["authorization_servers"]))
		}
		for _, s := range servers {
			u, err := url.Parse(s)
			if err != nil || !u.IsAbs() || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(s, "?#") {
				t.FailExpected("each authorization_servers entry to be an issuer identifier (an absolute URL without query or fragment, RFC 8414 §2)", fmt.Sprintf("%q", s))
			}
			if u.Scheme != "https" {
				t.TLSViolation("each authorization_servers entry to use https", fmt.Sprintf("%q", s), s)
			}
			switch issuer, found := discoverable(t, s); {
			case !found:
				t.FailExpected("authorization server metadata for the issuer "+s+" (RFC 8414 path-inserted, or OpenID Connect discovery)", "no location answered 200 with a JSON object")
			case issuer != s:
				t.Warnf("the metadata of the authorization server %s names the issuer %s (see RFC8414-3.3-issuer-match)", s, framework.DescribeJSON(issuer))
			}
		}
	})

// discoverable looks for the metadata of issuer at the locations MCP
// clients try, and returns the issuer it names; found is false when none of
// them serves a JSON object.
func discoverable(t *framework.T, issuer string) (named any, found bool) {
	var candidates []string
	for _, c := range []struct{ suffix, form string }{
		{"oauth-authorization-server", framework.FormInserted},
		{"openid-configuration", framework.FormInserted},
		{"openid-configuration", framework.FormAppended},
	} {
		if u, err := framework.WellKnownURL(issuer, c.suffix, c.form); err == nil {
			candidates = append(candidates, u)
		}
	}
	for _, c := range candidates {
		e := t.HTTP().Get(t.Context(), c, http.Header{"Accept": {"application/json"}})
		if e.Err != nil || e.Status != http.StatusOK {
			continue
		}
		if doc, err := e.JSONObject(); err == nil {
			if doc["issuer"] == issuer {
				return issuer, true
			}
			named, found = doc["issuer"], true
		}
	}
	return named, found
}

// RFC 9728 §2: scopes_supported is RECOMMENDED (MCP clients fall back to it
// when the challenge names no scope).
var _ = framework.It("RFC9728-2-scopes-supported",
	"the metadata lists scopes_supported",
	func(ctx context.Context, t *framework.T) {
		d, f := metadata(t)
		v, present := f.Doc["scopes_supported"]
		scopes, ok := framework.MemberStrings(f.Doc, "scopes_supported")
		switch {
		case !present:
			t.WarnExpected("scopes_supported in the metadata at "+f.URL, "absent")
		case !ok:
			t.WarnExpected("scopes_supported to be an array of strings", framework.DescribeJSON(v))
		case len(scopes) == 0:
			t.Infof("scopes_supported is an empty array (see RFC9728-3.2-no-empty-values)")
		}
		// MCP lets the challenge's scope and scopes_supported differ; say so.
		if c, _ := d.Challenges.param("scope"); c != "" && ok {
			for _, s := range strings.Fields(c) {
				if !slices.Contains(scopes, s) {
					t.Notef("the challenge's scope %q is not in scopes_supported %q (allowed: MCP lets them differ)", s, scopes)
				}
			}
		}
	})

// RFC 9728 §2: members without values are omitted, except
// bearer_methods_supported, where [] means "no bearer method".
var _ = framework.It("RFC9728-3.2-no-empty-values",
	"the metadata has no empty arrays or strings, except bearer_methods_supported",
	func(ctx context.Context, t *framework.T) {
		_, f := metadata(t)
		var empty []string
		for name, v := range f.Doc {
			switch x := v.(type) {
			case []any:
				if len(x) == 0 && name != "bearer_methods_supported" {
					empty = append(empty, name+": []")
				}
			case string:
				if x == "" {
					empty = append(empty, name+`: ""`)
				}
			}
		}
		slices.Sort(empty)
		if len(empty) > 0 {
			t.FailExpected("members without values to be omitted from "+f.URL, strings.Join(empty, ", "))
		}
	})

// RFC 9728 §2: jwks_uri is https; resource_signing_alg_values_supported does
// not contain none; the boolean members are JSON booleans.
var _ = framework.It("RFC9728-2-member-constraints",
	"jwks_uri is https, no signing algorithm is none, and the boolean members are booleans",
	func(ctx context.Context, t *framework.T) {
		_, f := metadata(t)
		if v, ok := f.Doc["jwks_uri"]; ok {
			s, isString := v.(string)
			u, err := url.Parse(s)
			if !isString || err != nil || !u.IsAbs() {
				t.FailExpected("jwks_uri to be an absolute URL", framework.DescribeJSON(v))
			} else if u.Scheme != "https" {
				t.TLSViolation("jwks_uri to use https", fmt.Sprintf("%q", s), s)
			}
		}
		if v, ok := f.Doc["resource_signing_alg_values_supported"]; ok {
			algs, isList := framework.MemberStrings(f.Doc, "resource_signing_alg_values_supported")
			if !isList || slices.ContainsFunc(algs, func(a string) bool { return strings.EqualFold(a, "none") }) {
				t.FailExpected("resource_signing_alg_values_supported: algorithms, none excluded", framework.DescribeJSON(v))
			}
		}
		for _, name := range []string{"tls_client_certificate_bound_access_tokens", "dpop_bound_access_tokens_required"} {
			if v, ok := f.Doc[name]; ok {
				if _, isBool := v.(bool); !isBool {
					t.FailExpected(name+" to be a JSON boolean", framework.DescribeJSON(v))
				}
			}
		}
	})

// Derived from RFC 9728 §2 and OAuth 2.1 §5.1: bearer_methods_supported, when
// present, says what the resource accepts: never query (which a resource
// server must ignore), and header since MCP clients use it.
var _ = framework.It("RFC9728-2-bearer-methods-consistency",
	"bearer_methods_supported, when present, names header and not query",
	func(ctx context.Context, t *framework.T) {
		_, f := metadata(t)
		v, present := f.Doc["bearer_methods_supported"]
		if !present {
			t.Notef("bearer_methods_supported is absent, which implies nothing")
			return
		}
		methods, ok := framework.MemberStrings(f.Doc, "bearer_methods_supported")
		if !ok {
			t.WarnExpected("bearer_methods_supported to be an array of strings", framework.DescribeJSON(v))
			return
		}
		if slices.Contains(methods, "query") {
			t.WarnExpected("bearer_methods_supported without query (OAuth 2.1 §5.1: resource servers ignore query tokens)", framework.DescribeJSON(v))
		}
		if !slices.Contains(methods, "header") {
			t.WarnExpected("bearer_methods_supported to include header, the method MCP clients use", framework.DescribeJSON(v))
		}
	})

// MCP 2026-07-28: offline_access is not something the resource needs, so it
// is neither in the challenge's scope nor in scopes_supported.
var _ = framework.It("MCP-RefreshTokens-no-offline-access-in-prm",
	"neither the challenge's scope nor scopes_supported contains offline_access",
	func(ctx context.Context, t *framework.T) {
		d, f := metadata(t)
		var where []string
		if scopes, _ := framework.MemberStrings(f.Doc, "scopes_supported"); slices.Contains(scopes, "offline_access") {
			where = append(where, "scopes_supported of "+f.URL)
		}
		if s, _ := d.Challenges.param("scope"); slices.Contains(strings.Fields(s), "offline_access") {
			where = append(where, "the 401 challenge's scope")
		}
		if len(where) == 0 {
			return
		}
		msg := "offline_access in " + strings.Join(where, " and ")
		if t.Config().MCPVersion < framework.MCP20260728 {
			t.Infof("%s (discouraged from MCP 2026-07-28)", msg)
			return
		}
		t.WarnExpected("no offline_access in the resource's scopes (MCP 2026-07-28: refresh tokens are between the client and the authorization server)", msg)
	})

// RFC 9728 §4 and §7.6: when the AS metadata lists protected_resources, it
// and the resource's authorization_servers should agree.
var _ = framework.It("RFC9728-4-as-rs-cross-check",
	"the AS metadata's protected_resources and the resource's authorization_servers name each other",
	func(ctx context.Context, t *framework.T) {
		_, f := metadata(t)
		m := t.Metadata()
		listed, ok := framework.MemberStrings(m.Doc, "protected_resources")
		if !ok {
			t.Skipf("the authorization server metadata has no protected_resources array, so there is nothing to cross-check (the member is optional)")
		}
		res, _ := framework.MemberString(f.Doc, "resource")
		if !slices.Contains(listed, res) {
			t.WarnExpected(fmt.Sprintf("the AS metadata's protected_resources to list this resource %q", res), framework.DescribeJSON(m.Doc["protected_resources"]))
		}
		servers, _ := framework.MemberStrings(f.Doc, "authorization_servers")
		if issuer := t.Discovery().Issuer; !slices.Contains(servers, issuer) {
			t.WarnExpected(fmt.Sprintf("the resource's authorization_servers to list the issuer %q", issuer), framework.DescribeJSON(f.Doc["authorization_servers"]))
		}
	})
