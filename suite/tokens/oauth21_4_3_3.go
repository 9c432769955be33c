package tokens

import (
	"context"
	"fmt"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// OAuth 2.1 §4.3.3: the new refresh token carries the scope of the one it
// replaces, even when the access token was down-scoped. A grant for A and B
// is refreshed with scope=A, and the new refresh token then without scope:
// A and B again passes, A alone fails.
var _ = framework.It("OAUTH21-4.3.3-rt-scope-unchanged",
	"after a down-scoped refresh, the new refresh token still carries the full original scope",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		a, b := twoScopes(t, m)
		c := t.PublicClient()
		g := t.GrantWithRefreshToken(m, c, a+" "+b)
		original := grantedScope(t, m, g.Tokens, g.Scope)
		form := t.RefreshRequest(g.Tokens.RefreshToken)
		form.Set("scope", a)
		e, narrowed := t.Refresh(m, c, form)
		if narrowed == nil || narrowed.RefreshToken == "" {
			t.Skipf("precondition not met: the down-scoped refresh gave no new refresh token (%s)", outcome(e))
		}
		form = t.RefreshRequest(narrowed.RefreshToken)
		form.Del("scope")
		e, tr := t.Refresh(m, c, form)
		if tr == nil {
			t.Skipf("precondition not met: the refresh with the new refresh token was %s", outcome(e))
		}
		got, source, ok := responseScope(t, m, tr)
		if !ok {
			t.Skipf("the refreshed token's scope cannot be observed (no scope member, no scope claim, no introspection)")
		}
		if !sameScopes(got, original) {
			t.FailExpected(fmt.Sprintf("the refresh token from a down-scoped refresh to keep the original scope %q (OAuth 2.1 §4.3.3)", strings.Join(original, " ")),
				fmt.Sprintf("refreshing it without scope gave %s %q", source, strings.Join(got, " ")))
		}
	}, framework.Browser)
