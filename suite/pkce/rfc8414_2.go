package pkce

import (
	"context"
	"fmt"
	"slices"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 8414 §2: code_challenge_methods_supported lists the methods the server
// supports, so it should match behaviour: plain is accepted if and only if it
// is listed. The plain flow of MCP-AuthCodeProtection-plain-refused is run
// and compared with the metadata; "accepted" means a code was issued and
// redeemed with code_verifier equal to the challenge. A mismatch either way
// is a WARN. That S256 works as advertised is RFC7636-4.2-s256-mti's FAIL,
// and that S256 is listed at all is RFC8414-2-pkce-s256-advertised's.
var _ = framework.It("RFC8414-2-pkce-metadata-truthful", "code_challenge_methods_supported lists plain if and only if plain is accepted",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		methods, ok := framework.MemberStrings(m.Doc, "code_challenge_methods_supported")
		if !ok {
			// Omitted means no PKCE at all (requirements §13 pitfall 13); the
			// metadata area reports that. Here it lists nothing, plain included.
			t.Notef("code_challenge_methods_supported is absent or not an array of strings (%s); read as listing no method", framework.DescribeJSON(m.Doc["code_challenge_methods_supported"]))
		}
		advertised := slices.Contains(methods, "plain")
		res, e := plainFlow(t, m)
		accepted := e != nil && issuedTokens(e)
		how := "refused at the authorization endpoint: " + res.Describe()
		if e != nil {
			how = "a code was issued, and code_verifier equal to the challenge was " + outcome(e)
		}
		listed := fmt.Sprintf("code_challenge_methods_supported is %s (%s)", framework.DescribeJSON(m.Doc["code_challenge_methods_supported"]), m.Location.URL)
		switch {
		case advertised && !accepted:
			t.WarnExpected("plain to be accepted, since the metadata lists it: "+listed, "plain was "+how)
		case !advertised && accepted:
			t.WarnExpected("plain to be listed in code_challenge_methods_supported, since the server accepts it, or refused: "+listed,
				"plain was accepted: "+how)
		default:
			t.Notef("consistent: plain is %s and %s", map[bool]string{true: "listed", false: "not listed"}[advertised], map[bool]string{true: "accepted", false: "refused"}[accepted])
		}
	}, framework.Browser)
