package tokens

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// OAuth 2.1 §3.2.3: a successful token response is 200 application/json with
// string access_token and token_type; expires_in, when present, is a JSON
// number (a string "3600" is a real violation, requirements pitfall 14).
// token_type is compared without case, and unknown members are fine.
var _ = framework.It("OAUTH21-3.2.3-success-response-format",
	"a code redemption is answered 200 application/json with access_token, token_type and a numeric expires_in",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		g := t.RedeemNewCode(m, c, "")
		tr := judgeTokenResponse(t, g.Exchange, "STD-TOKEN")
		switch strings.ToLower(tr.TokenType) {
		case "bearer", "dpop":
		default:
			t.Notef("token_type is %q, neither Bearer nor DPoP in any case", tr.TokenType)
		}
	}, framework.Browser)

// OAuth 2.1 §3.2.3 (RFC 6749 §5.1): responses that carry tokens have
// Cache-Control: no-store, read as a directive list (no-cache, no-store,
// max-age=0 passes; several fields merge). Code exchange and refresh are
// both checked; error responses are not (pitfall 14).
var _ = framework.It("OAUTH21-3.2.3-cache-control-no-store",
	"code-exchange and refresh responses carry Cache-Control: no-store",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		g := t.RedeemNewCode(m, c, "")
		tr := mustTokens(t, g)
		if !noStore(g.Exchange.ResponseHeader) {
			t.FailExpected("the code-exchange response to carry Cache-Control: no-store (OAuth 2.1 §3.2.3)", cacheControl(g.Exchange.ResponseHeader))
		}
		if tr.RefreshToken == "" {
			t.Notef("no refresh token was issued, so only the code-exchange response was checked")
			return
		}
		e, _ := t.Refresh(m, c, t.RefreshRequest(tr.RefreshToken))
		if !succeeded(e) {
			t.Notef("the refresh was refused (%s), so only the code-exchange response was checked", outcome(e))
			return
		}
		if !noStore(e.ResponseHeader) {
			t.FailExpected("the refresh response to carry Cache-Control: no-store (OAuth 2.1 §3.2.3)", cacheControl(e.ResponseHeader))
		}
	}, framework.Browser)

// RFC 6749 §5.1 also asked for Pragma: no-cache; OAuth 2.1 dropped it, so in
// the MCP profile its absence is INFO and never affects the verdict. A Pragma
// header that is there but does not say no-cache is a WARN: the server means
// to address HTTP/1.0 caches and tells them the opposite.
var _ = framework.It("RFC6749-5.1-pragma-no-cache",
	"the token response's Pragma header is recorded (INFO when absent in the OAuth 2.1 and MCP profiles)",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		g := t.RedeemNewCode(m, t.PublicClient(), "")
		mustTokens(t, g)
		values := g.Exchange.ResponseHeader.Values("Pragma")
		if len(values) == 0 {
			t.Infof("no Pragma header: RFC 6749 §5.1 asked for Pragma: no-cache, which OAuth 2.1 and MCP no longer require")
			return
		}
		if !strings.Contains(strings.ToLower(strings.Join(values, ",")), "no-cache") {
			t.WarnExpected("a Pragma header on the token response to be Pragma: no-cache (RFC 6749 §5.1)", "Pragma: "+strings.Join(values, ", "))
		}
	}, framework.Browser)

// OAuth 2.1 §3.2.3: expires_in is RECOMMENDED and is a positive lifetime in
// seconds. Absent, zero, negative or fractional is a WARN; a string is the
// success-format row's FAIL.
var _ = framework.It("OAUTH21-3.2.3-expires-in",
	"the token response carries expires_in, a positive integer",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		tr := mustTokens(t, t.RedeemNewCode(m, t.PublicClient(), ""))
		v, ok := tr.Doc["expires_in"]
		if !ok {
			t.WarnExpected("expires_in in the token response (OAuth 2.1 §3.2.3 recommends it)", "no expires_in member")
			return
		}
		n, isNumber := v.(json.Number)
		if !isNumber {
			t.Notef("expires_in is %s, not a number; OAUTH21-3.2.3-success-response-format judges that", framework.DescribeJSON(v))
			return
		}
		if i, err := n.Int64(); err != nil || i <= 0 {
			t.WarnExpected("expires_in to be a positive integer number of seconds", fmt.Sprintf("expires_in is %s", n))
		}
	}, framework.Browser)
