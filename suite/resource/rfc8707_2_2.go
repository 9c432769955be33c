package resource

import (
	"context"
	"fmt"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 8707 §2.2: a resource named at the token endpoint should be one the
// resource owner authorized at the authorization endpoint. The code is
// granted for RES and redeemed naming RES2, a resource the server knows but
// the user never approved. invalid_target is the answer; a server that
// ignores the token-time value and keeps the granted audience passes with a
// note. A token audienced to RES2 is minted for a resource the user did not
// consent to: a WARN at this level (the RFC leaves acceptable values to the
// server's policy), flagged as high severity; the refresh-token variant is a
// MUST (OAUTH21-3.2.3-rt-bound-to-resource).
var _ = framework.It("RFC8707-2.2-token-resource-within-grant",
	"a code granted for resource=RES is not redeemed for a token for RES2, a resource the user did not authorize",
	func(ctx context.Context, t *framework.T) {
		res := configuredResource(t)
		res2 := secondResource(t)
		m := t.Metadata()
		c := t.PublicClient()
		p := framework.NewPKCE()
		_, r := t.ObtainCode(m, withResources(t.AuthorizationParams(c, p), []string{res}))
		f := redeemWith(t, m, c, p, r, []string{res2})
		want := fmt.Sprintf("a token request naming resource=%s, for a code granted for %s only, to be refused with invalid_target (RFC 8707 §2.2)", res2, res)
		if f.Tokens == nil {
			switch code := tokenError(f.Token); code {
			case "invalid_target":
			case "invalid_grant":
				t.Notef("refused with invalid_grant; RFC 8707 §2.2 names invalid_target, but the token was not minted")
			case "":
				unreadableTokenRefusal(t, fmt.Sprintf("a token request naming resource=%s, for a code granted for %s only", res2, res), []string{"invalid_target"}, f.Token)
			default:
				t.WarnExpected(want, fmt.Sprintf("refused with error %q rather than invalid_target", code))
			}
			return
		}
		o := observe(f.Tokens.AccessToken)
		o.skipIfOpaque(t, "issued for the unauthorized resource "+res2)
		if notApplicableWithoutRFC8707(t, m, res) {
			return
		}
		if rel, v := o.closest(res2); rel >= variant {
			t.WarnExpected(want, fmt.Sprintf("[high severity] tokens with aud %q: the server minted a token for a resource the user did not consent to", v))
			return
		}
		if rel, _ := o.closest(res); rel != unrelated {
			t.Notef("the server ignored the token-time resource: the token keeps the granted audience (%s)", o.describe())
			return
		}
		if std := standardFlow.get(func() flowResult { return resourceFlow(t, m, []string{res}, []string{res}) }); std.Tokens != nil && sameAud(o, observe(std.Tokens.AccessToken)) {
			t.Notef("the server ignored the token-time resource: the token has the same audience as one granted for %s (%s)", res, o.describe())
			return
		}
		t.WarnExpected(want, fmt.Sprintf("tokens with %s, which differs from the audience of a token for the granted resource %s: the token-time resource changed what was minted", o.describe(), res))
	}, framework.Browser)
