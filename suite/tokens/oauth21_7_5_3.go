package tokens

import (
	"context"
	"fmt"

	"github.com/mcpauth/conformance/suite/framework"
)

// OAuth 2.1 §7.5.3: a replay that is itself invalid (here a wrong
// code_verifier) should not revoke the legitimate tokens, or anyone who saw
// the code could log the user out. A separate flow from the valid-replay row.
var _ = framework.It("OAUTH21-7.5.3-invalid-replay-no-revoke",
	"a replay of a used code with a wrong code_verifier does not revoke the tokens it yielded",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		g := t.GrantWithRefreshToken(m, c, "")
		code := g.Exchange.RequestBody // for the replay: the same request, another verifier
		form, err := parseForm(code)
		if err != nil {
			t.Errorf("the suite could not rebuild its own token request: %v", err)
		}
		form.Set("code_verifier", framework.NewPKCE().Verifier)
		if replay := t.TokenRequest(m, c, form); succeeded(replay) {
			t.Skipf("the replay with a wrong code_verifier got tokens, which OAUTH21-4.1.3-code-single-use and the PKCE rows report")
		}
		if ok, e := refreshWorks(t, m, c, g.Tokens.RefreshToken); !ok {
			t.WarnExpected("the refresh token to keep working after an invalid replay of its code (OAuth 2.1 §7.5.3)",
				fmt.Sprintf("the refresh was %s", outcome(e)))
		}
	}, framework.Browser)
