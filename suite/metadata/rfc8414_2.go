package metadata

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 8414 §2, issuer: a URL using the https scheme with no query or fragment
// component; a port and a path are allowed. An http issuer on loopback is a
// labelled WARN with --allow-insecure-localhost (local development servers).
var _ = framework.It("RFC8414-2-issuer-syntax",
	"the issuer of every metadata document is an https URL without query or fragment",
	func(ctx context.Context, t *framework.T) {
		var bad, insecure findings
		var insecureURL string
		for _, doc := range requireDocuments(t) {
			iss, ok := framework.MemberString(doc.Doc, "issuer")
			if !ok {
				t.Notef("%s has no string issuer (RFC8414-2-required-members reports it)", doc.Name())
				continue
			}
			u, err := url.Parse(iss)
			if err != nil {
				bad.add(doc, "issuer %q is not a URL: %v", iss, err)
				continue
			}
			switch {
			case u.Scheme == "http":
				insecure.add(doc, "issuer %q uses http", iss)
				if insecureURL == "" || !framework.IsLoopback(u.Hostname()) {
					insecureURL = iss
				}
			case u.Scheme != "https":
				bad.add(doc, "issuer %q does not use the https scheme", iss)
			}
			if u.Host == "" {
				bad.add(doc, "issuer %q has no host", iss)
			}
			if u.RawQuery != "" || u.ForceQuery {
				bad.add(doc, "issuer %q has a query component (?%s)", iss, u.RawQuery)
			}
			if strings.Contains(iss, "#") {
				bad.add(doc, "issuer %q has a fragment component", iss)
			}
		}
		const expected = "an issuer that is an https URL with no query and no fragment (RFC 8414 §2)"
		if len(bad) > 0 {
			t.FailExpected(expected, append(bad, insecure...).String())
		}
		if len(insecure) > 0 {
			t.TLSViolation(expected, insecure.String(), insecureURL)
		}
	})

// RFC 8414 §2: issuer and response_types_supported are required;
// authorization_endpoint and token_endpoint are required for an AS that runs
// the authorization code grant, which every MCP AS does. JSON types are
// checked: URLs are strings, response_types_supported is an array of strings
// (a space-separated string is a real and common violation).
var _ = framework.It("RFC8414-2-required-members",
	"every metadata document has issuer, authorization_endpoint and token_endpoint strings and a response_types_supported array of strings",
	func(ctx context.Context, t *framework.T) {
		var bad findings
		for _, doc := range requireDocuments(t) {
			for _, name := range []string{"issuer", "authorization_endpoint", "token_endpoint"} {
				v, present := doc.Doc[name]
				if s, ok := v.(string); !present || !ok || s == "" {
					bad.add(doc, "%s is %s, not a non-empty string", name, framework.DescribeJSON(v))
				}
			}
			if _, present, ok := stringList(doc.Doc, "response_types_supported"); !present || !ok {
				bad.add(doc, "response_types_supported is %s, not an array of strings", framework.DescribeJSON(doc.Doc["response_types_supported"]))
			}
		}
		if len(bad) > 0 {
			t.FailExpected("issuer, authorization_endpoint and token_endpoint as strings and response_types_supported as an array of strings (RFC 8414 §2)", bad.String())
		}
	})

// OAuth 2.1 defines only response_type=code, so an MCP AS must list "code"
// in response_types_supported; it should not advertise the removed "token"
// (OAuth 2.1 §10.1: WARN here, OAUTH21-4.1.1-implicit-rejected judges the
// behaviour). OIDC composite values ("code id_token") are legitimate and are
// compared as order-insensitive sets, so they neither count as "code" nor as
// "token".
var _ = framework.It("RFC8414-2-response-types-code",
	"response_types_supported lists code (and not the removed token)",
	func(ctx context.Context, t *framework.T) {
		var missing, token findings
		for _, doc := range requireDocuments(t) {
			values, present, ok := stringList(doc.Doc, "response_types_supported")
			if s, isString := doc.Doc["response_types_supported"].(string); isString {
				// The wrong type is RFC8414-2-required-members' finding; read
				// the value for what it says.
				values, ok = []string{s}, true
			}
			if !present || !ok {
				missing.add(doc, "response_types_supported is %s", framework.DescribeJSON(doc.Doc["response_types_supported"]))
				continue
			}
			if !slices.ContainsFunc(values, func(v string) bool { return sameResponseType(v, "code") }) {
				missing.add(doc, "response_types_supported is %s, without \"code\"", framework.DescribeJSON(doc.Doc["response_types_supported"]))
			}
			if slices.ContainsFunc(values, func(v string) bool { return sameResponseType(v, "token") }) {
				token.add(doc, "response_types_supported lists \"token\" (the implicit grant, removed by OAuth 2.1)")
			}
		}
		if len(token) > 0 {
			t.WarnExpected("no \"token\" response type advertised (OAuth 2.1 §10.1; OAUTH21-4.1.1-implicit-rejected judges whether it is honoured)", token.String())
		}
		if len(missing) > 0 {
			t.FailExpected("response_types_supported to contain \"code\", the only response type of OAuth 2.1", missing.String())
		}
	})

// sameResponseType compares response type values as sets of space-separated
// names (OAuth 2.0 Multiple Response Types §2: the order does not matter).
func sameResponseType(a, b string) bool {
	fa, fb := strings.Fields(a), strings.Fields(b)
	slices.Sort(fa)
	slices.Sort(fb)
	return len(fa) > 0 && slices.Equal(slices.Compact(fa), slices.Compact(fb))
}

// RFC 8414 §2: when private_key_jwt or client_secret_jwt is advertised for
// the token, revocation or introspection endpoint, the matching
// *_auth_signing_alg_values_supported member must be present and must not
// contain "none". RS256 is only a SHOULD of RFC 8414: noted, never judged.
var _ = framework.It("RFC8414-2-signing-alg-members",
	"a JWT client authentication method is advertised only with its signing-algorithm list, which excludes none",
	func(ctx context.Context, t *framework.T) {
		var bad findings
		jwtSeen := false
		for _, doc := range requireDocuments(t) {
			for _, ep := range []string{"token_endpoint", "revocation_endpoint", "introspection_endpoint"} {
				methods, _, ok := stringList(doc.Doc, ep+"_auth_methods_supported")
				if !ok {
					continue // a wrong type is not this requirement's finding
				}
				var jwt []string
				for _, m := range methods {
					if m == "private_key_jwt" || m == "client_secret_jwt" {
						jwt = append(jwt, m)
					}
				}
				if len(jwt) == 0 {
					continue
				}
				jwtSeen = true
				algMember := ep + "_auth_signing_alg_values_supported"
				algs, present, ok := stringList(doc.Doc, algMember)
				switch {
				case !present:
					bad.add(doc, "%s_auth_methods_supported lists %v but %s is absent", ep, jwt, algMember)
				case !ok || len(algs) == 0:
					bad.add(doc, "%s is %s, not a non-empty array of algorithm names", algMember, framework.DescribeJSON(doc.Doc[algMember]))
				case slices.Contains(algs, "none"):
					bad.add(doc, "%s contains \"none\": %s", algMember, framework.DescribeJSON(doc.Doc[algMember]))
				default:
					if !slices.Contains(algs, "RS256") {
						t.Notef("%s: %s does not list RS256, which RFC 8414 §2 says servers SHOULD support (information only)", doc.Name(), algMember)
					}
				}
			}
		}
		if !jwtSeen {
			t.Notef("no document advertises private_key_jwt or client_secret_jwt, so no signing-algorithm member is required")
		}
		if len(bad) > 0 {
			t.FailExpected("each advertised JWT client authentication method to come with its *_auth_signing_alg_values_supported list, without \"none\" (RFC 8414 §2)", bad.String())
		}
	})

// RFC 8414 §2: scopes_supported is RECOMMENDED (absent: WARN). When present
// it is an array of scope tokens (RFC 6749 §3.3: 1*( %x21 / %x23-5B /
// %x5D-7E ), so no spaces, quotes or backslashes); a malformed value FAILs.
// The AS may leave some scopes out, so the list is not compared with what the
// resource server challenges for.
var _ = framework.It("RFC8414-2-scopes-supported",
	"scopes_supported is present and is an array of RFC 6749 scope tokens",
	func(ctx context.Context, t *framework.T) {
		var absent, bad findings
		for _, doc := range requireDocuments(t) {
			values, present, ok := stringList(doc.Doc, "scopes_supported")
			switch {
			case !present:
				absent.add(doc, "scopes_supported is absent")
				continue
			case !ok:
				bad.add(doc, "scopes_supported is %s, not an array of strings", framework.DescribeJSON(doc.Doc["scopes_supported"]))
				continue
			}
			for _, v := range values {
				if !isScopeToken(v) {
					bad.add(doc, "scopes_supported has %q, which is not a scope token (RFC 6749 §3.3)", v)
				}
			}
		}
		if len(absent) > 0 {
			t.WarnExpected("scopes_supported to be published (RECOMMENDED by RFC 8414 §2)", absent.String())
		}
		if len(bad) > 0 {
			t.FailExpected("scopes_supported to be an array of scope tokens (RFC 6749 §3.3 syntax)", bad.String())
		}
	})

// isScopeToken reports whether s is a scope-token: 1*( %x21 / %x23-5B / %x5D-7E ).
func isScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c == 0x22 || c == 0x5C || c > 0x7E {
			return false
		}
	}
	return true
}

// describeList renders a list member for messages.
func describeList(doc map[string]any, name string) string {
	if _, ok := doc[name]; !ok {
		return name + " absent"
	}
	return fmt.Sprintf("%s = %s", name, framework.DescribeJSON(doc[name]))
}
