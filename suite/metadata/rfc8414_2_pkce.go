package metadata

import (
	"context"
	"slices"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 8414 §2: an absent code_challenge_methods_supported means the AS does
// not support PKCE. RFC 9700 §2.1.1 and OAuth 2.1 §7.9 want PKCE support to
// be detectable, and MCP ("Authorization Code Protection") makes clients
// refuse an AS without the member: effectively a MUST. S256 is matched case
// sensitively ("s256" is not S256). Judged on the RFC 8414 document; an
// OIDC-only AS is judged on its OIDC document (the same member is checked
// for every OIDC document by MCP-AuthCodeProtection-oidc-pkce-methods).
var _ = framework.It("RFC8414-2-pkce-s256-advertised",
	"code_challenge_methods_supported is an array that contains S256",
	func(ctx context.Context, t *framework.T) {
		docs := requireDocuments(t)
		if docs[0].Kind == framework.KindRFC8414 {
			docs = docs[:1]
		} else {
			t.Notef("the AS serves no RFC 8414 document; its OpenID Connect Discovery document is judged instead")
		}
		var bad findings
		for _, doc := range docs {
			if problem := s256Problem(doc.Doc); problem != "" {
				bad.add(doc, "%s", problem)
			}
		}
		if len(bad) > 0 {
			t.FailExpected("code_challenge_methods_supported to be an array containing \"S256\" (MCP clients must refuse an AS without it)", bad.String())
		}
	})

// MCP 2025-11-25 and later, "Authorization Code Protection": an AS that
// serves OpenID Connect Discovery must put code_challenge_methods_supported
// in that document too, although OIDC Discovery does not define it, because
// clients may land on either document. Reported against the OIDC document
// only. Not stated in 2025-06-18 (or 2025-03-26): SHOULD there, so WARN.
var _ = framework.It("MCP-AuthCodeProtection-oidc-pkce-methods",
	"every OpenID Connect Discovery document lists code_challenge_methods_supported with S256",
	func(ctx context.Context, t *framework.T) {
		docs := oidcDocuments(t)
		if len(docs) == 0 {
			t.Skipf("the AS serves no usable OpenID Connect Discovery document, so the requirement does not apply:\n%s", t.Discovery().Report())
		}
		var bad findings
		for _, doc := range docs {
			if problem := s256Problem(doc.Doc); problem != "" {
				bad.add(doc, "%s", problem)
			}
		}
		if len(bad) == 0 {
			return
		}
		const expected = "code_challenge_methods_supported with \"S256\" in the OpenID Connect Discovery document (MCP: clients may land on it and must refuse an AS without the member)"
		switch t.Config().MCPVersion {
		case framework.MCP20250326, framework.MCP20250618:
			t.WarnExpected(expected+" [MCP "+t.Config().MCPVersion+" does not state it: SHOULD]", bad.String())
		default:
			t.FailExpected(expected, bad.String())
		}
	})

// s256Problem says what is wrong with code_challenge_methods_supported, or "".
func s256Problem(doc map[string]any) string {
	methods, present, ok := stringList(doc, "code_challenge_methods_supported")
	switch {
	case !present:
		return "code_challenge_methods_supported is absent, which RFC 8414 §2 reads as \"no PKCE support\""
	case !ok:
		return "code_challenge_methods_supported is " + framework.DescribeJSON(doc["code_challenge_methods_supported"]) + ", not an array of strings"
	case !slices.Contains(methods, "S256"):
		return "code_challenge_methods_supported is " + framework.DescribeJSON(doc["code_challenge_methods_supported"]) + ", without \"S256\" (matched case-sensitively)"
	}
	return ""
}

// Suite hardening (requirements §2): no spec forces an AS to drop plain, but
// MCP clients must use S256 and RFC 9700 §2.1.1 prefers methods that do not
// expose the verifier, so a hardened MCP AS does not offer plain. WARN only.
// Whether plain is accepted while not advertised is
// RFC8414-2-pkce-metadata-truthful (PKCE area).
var _ = framework.It("RFC8414-2-pkce-plain-not-advertised",
	"code_challenge_methods_supported does not offer plain",
	func(ctx context.Context, t *framework.T) {
		var bad findings
		for _, doc := range requireDocuments(t) {
			if methods, _, _ := stringList(doc.Doc, "code_challenge_methods_supported"); slices.Contains(methods, "plain") {
				bad.add(doc, "%s", describeList(doc.Doc, "code_challenge_methods_supported"))
			}
		}
		if len(bad) > 0 {
			t.Violation("code_challenge_methods_supported without \"plain\" (MCP clients must use S256; RFC 9700 §2.1.1)", bad.String())
		}
	})
