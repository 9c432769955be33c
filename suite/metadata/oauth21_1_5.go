package metadata

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// endpointMembers are the protocol URLs of AS metadata (RFC 8414 §2, OIDC
// Discovery §3, RFC 9126, RFC 8628, OIDC RP-Initiated Logout); any other
// member ending in _endpoint is treated the same.
var endpointMembers = []string{
	"authorization_endpoint", "token_endpoint", "registration_endpoint",
	"revocation_endpoint", "introspection_endpoint", "jwks_uri", "signed_jwks_uri",
	"userinfo_endpoint", "pushed_authorization_request_endpoint",
	"device_authorization_endpoint", "end_session_endpoint",
	"backchannel_authentication_endpoint", "check_session_iframe",
}

// humanMembers are pages for people, not protocol endpoints: http is WARN.
var humanMembers = []string{"service_documentation", "op_policy_uri", "op_tos_uri"}

// OAuth 2.1 §1.5 and MCP "Communication Security": every OAuth URL the AS
// exposes uses https; RFC 8414 §2 requires it of jwks_uri in particular.
// Endpoints on another host than the issuer are legal. An http endpoint on
// loopback is a labelled WARN with --allow-insecure-localhost. Human-readable
// pages (service_documentation, op_policy_uri, op_tos_uri) are no protocol
// endpoints: WARN only. mtls_endpoint_aliases (RFC 8705) are endpoints too.
var _ = framework.It("OAUTH21-1.5-metadata-endpoints-https",
	"every endpoint URL in the metadata uses https",
	func(ctx context.Context, t *framework.T) {
		var insecure, bad, human findings
		insecureURL := ""
		checked := 0
		for _, doc := range requireDocuments(t) {
			for _, ep := range endpointsOf(doc.Doc) {
				checked++
				u, err := url.Parse(ep.value)
				switch {
				case err != nil || !u.IsAbs() || u.Host == "":
					bad.add(doc, "%s %q is not an absolute URL", ep.name, ep.value)
				case u.Scheme == "http":
					insecure.add(doc, "%s is %s", ep.name, ep.value)
					if insecureURL == "" || !framework.IsLoopback(u.Hostname()) {
						insecureURL = ep.value
					}
				case u.Scheme != "https":
					bad.add(doc, "%s %q does not use https", ep.name, ep.value)
				}
			}
			for _, name := range humanMembers {
				if s, ok := framework.MemberString(doc.Doc, name); ok && strings.HasPrefix(strings.ToLower(s), "http:") {
					human.add(doc, "%s is %s", name, s)
				}
			}
		}
		if checked == 0 {
			t.Skipf("no document has an endpoint URL to check (RFC8414-2-required-members reports the missing members)")
		}
		if len(human) > 0 {
			t.WarnExpected("https for the human-readable pages of the metadata too", human.String())
		}
		const expected = "every endpoint URL of the metadata to use https (OAuth 2.1 §1.5; RFC 8414 §2 for jwks_uri)"
		if len(bad) > 0 {
			t.FailExpected(expected, append(bad, insecure...).String())
		}
		if len(insecure) > 0 {
			t.TLSViolation(expected, insecure.String(), insecureURL)
		}
	})

type endpointMember struct{ name, value string }

// endpointsOf returns the endpoint-valued string members of a document,
// including mtls_endpoint_aliases, sorted by name.
func endpointsOf(doc map[string]any) []endpointMember {
	var out []endpointMember
	for name, v := range doc {
		s, ok := v.(string)
		if !ok {
			continue
		}
		if strings.HasSuffix(name, "_endpoint") || slices.Contains(endpointMembers, name) {
			out = append(out, endpointMember{name, s})
		}
	}
	if aliases, ok := doc["mtls_endpoint_aliases"].(map[string]any); ok {
		for name, v := range aliases {
			if s, ok := v.(string); ok {
				out = append(out, endpointMember{fmt.Sprintf("mtls_endpoint_aliases.%s", name), s})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
