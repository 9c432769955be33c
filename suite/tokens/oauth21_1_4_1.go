package tokens

import (
	"context"
	"fmt"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// OAuth 2.1 §1.4.1 (RFC 6749 §5.1): when the granted scope differs from the
// requested one, the response must say so with scope; it may be left out
// when they are identical. The effective scope is read from the access
// token (scope or scp claim) or its introspection; without either, only the
// invalid-scope case could be judged, so the row SKIPs. A flow that requests
// no scope and is granted a default one is granted something else than it
// asked for.
var _ = framework.It("OAUTH21-1.4.1-scope-when-different",
	"a token response whose granted scope differs from the requested one carries scope",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		g := t.RedeemNewCode(m, t.PublicClient(), "")
		tr := mustTokens(t, g)
		if _, ok := tr.Doc["scope"]; ok {
			return
		}
		effective, source, ok := effectiveScope(t, m, tr.AccessToken)
		if !ok {
			t.Skipf("the response has no scope member and the access token's effective scope cannot be observed (no scope claim, no introspection), so whether the granted scope differs from the request could not be judged")
		}
		requested := scopeSet(g.Scope)
		if sameScopes(effective, requested) {
			t.Notef("the granted scope (%s) equals the requested one, so scope may be omitted", source)
			return
		}
		t.FailExpected(fmt.Sprintf("the token response to carry scope, because the granted scope differs from the requested %q", strings.Join(requested, " ")),
			fmt.Sprintf("no scope member, while %s is %q", source, strings.Join(effective, " ")))
	}, framework.Browser)
