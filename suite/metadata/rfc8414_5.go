package metadata

import (
	"context"
	"fmt"
	"slices"

	"github.com/mcpauth/conformance/suite/framework"
)

// consistentMembers are the members that must agree between documents of one
// AS (RFC 8414 §5, RFC 9207 §2.3). OIDC-only members (userinfo_endpoint,
// subject_types_supported, ...) legitimately appear in one document only, and
// an optional endpoint may be listed in one only, so a member is compared
// only when both documents carry it.
var consistentMembers = []string{"issuer", "authorization_endpoint", "token_endpoint", "registration_endpoint", "revocation_endpoint", "introspection_endpoint"}

// RFC 8414 §5 (compatibility with OpenID Connect) and RFC 9207 §2.3: when the
// AS serves both an RFC 8414 and an OIDC document, they describe the same AS:
// the same issuer, the same endpoints and the same PKCE methods. A client
// may land on either. SHOULD: WARN (an issuer mismatch FAILs under
// RFC8414-3.3-issuer-match).
var _ = framework.It("RFC8414-5-doc-consistency",
	"the RFC 8414 and OpenID Connect Discovery documents agree on issuer, endpoints and PKCE methods",
	func(ctx context.Context, t *framework.T) {
		docs := allDocuments(t)
		if len(docs) < 2 {
			t.Skipf("the AS serves only one metadata document (%d usable), so there is nothing to compare:\n%s", len(docs), t.Discovery().Report())
		}
		base := docs[0]
		var bad []string
		for _, other := range docs[1:] {
			for _, name := range consistentMembers {
				a, aok := framework.MemberString(base.Doc, name)
				b, bok := framework.MemberString(other.Doc, name)
				if aok && bok && a != b {
					bad = append(bad, fmt.Sprintf("%s: %q in %s, %q in %s", name, a, base.Name(), b, other.Name()))
				}
			}
			a, b := pkceMethods(base.Doc), pkceMethods(other.Doc)
			if !slices.Equal(a, b) {
				bad = append(bad, fmt.Sprintf("code_challenge_methods_supported: %s in %s, %s in %s",
					describeList(base.Doc, "code_challenge_methods_supported"), base.Name(), describeList(other.Doc, "code_challenge_methods_supported"), other.Name()))
			}
		}
		if len(bad) > 0 {
			t.WarnExpected("the metadata documents of one AS to agree on issuer, endpoints and PKCE methods (RFC 8414 §5)", findings(bad).String())
		}
	})

// pkceMethods returns code_challenge_methods_supported as a sorted set (nil
// when absent or mistyped).
func pkceMethods(doc map[string]any) []string {
	m, _, _ := stringList(doc, "code_challenge_methods_supported")
	m = slices.Clone(m)
	slices.Sort(m)
	return slices.Compact(m)
}
