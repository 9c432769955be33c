package errors

import (
	"context"
	"fmt"
	"net/url"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 6749 §3.2 (OAuth 2.1 §3.2): request parameters must not be included
// more than once, and RFC 6749 §5.2 names the error: invalid_request. A server
// that silently takes one of two conflicting values may validate one and use
// the other (parameter pollution, requirements §13 pitfall 9), so conflicting
// duplicates of code and redirect_uri are sent in both orders: a first-wins
// and a last-wins server are each caught by one of them. Accepting a
// conflicting duplicate is a FAIL; accepting the same code_verifier twice is
// harmless in effect, a WARN. resource may legitimately repeat (RFC 8707 §2)
// and is never duplicated here.
var _ = framework.It("RFC6749-3.2-duplicate-params-token",
	"a token request with a repeated parameter (code, redirect_uri, code_verifier) is refused with invalid_request",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		garbage := framework.NewPKCE().Verifier
		other, err := url.Parse(c.RedirectURI)
		if err != nil {
			t.Skipf("the client's redirect URI %q is not a URL: %v", c.RedirectURI, err)
		}
		other.Path += "-other"

		type step struct {
			What     string
			Dup      func(form url.Values, code string, p framework.PKCE)
			Accepted framework.Verdict
		}
		steps := []step{
			{"code twice, the valid code first", func(f url.Values, code string, _ framework.PKCE) { f["code"] = []string{code, garbage} }, framework.Fail},
			{"code twice, the valid code last", func(f url.Values, code string, _ framework.PKCE) { f["code"] = []string{garbage, code} }, framework.Fail},
			{"redirect_uri twice, the registered one first", func(f url.Values, _ string, _ framework.PKCE) {
				f["redirect_uri"] = []string{c.RedirectURI, other.String()}
			}, framework.Fail},
			{"redirect_uri twice, the registered one last", func(f url.Values, _ string, _ framework.PKCE) {
				f["redirect_uri"] = []string{other.String(), c.RedirectURI}
			}, framework.Fail},
			{"code_verifier twice with the same value", func(f url.Values, _ string, p framework.PKCE) {
				f["code_verifier"] = []string{p.Verifier, p.Verifier}
			}, framework.Warn},
		}

		// One fresh code serves every step that is refused with
		// invalid_request (the duplicate was caught before the code was
		// looked at). After any other answer the code may have been used up
		// or revoked, so the next step gets a fresh one: each step always
		// carries a valid code, and the duplicate is its only defect.
		var code string
		var p framework.PKCE
		fresh := true
		for _, s := range steps {
			if fresh {
				p = framework.NewPKCE()
				code, _ = t.ObtainCode(m, t.AuthorizationParams(c, p))
				fresh = false
			}
			form := t.CodeRedemption(c, code, p)
			s.Dup(form, code, p)
			e := t.TokenRequest(m, c, form)
			t.Responded(e, "an HTTP response from the token endpoint")
			o := readTokenOutcome(e)
			expected := fmt.Sprintf("a token request with %s (and a fresh valid code) to be refused with invalid_request (RFC 6749 §3.2, §5.2)", s.What)
			switch {
			case o.Success:
				record(t, s.Accepted, expected, fmt.Sprintf("status %d: the server accepted it (%s)", e.Status, framework.Snippet(e.Body, 160)))
				fresh = true
			case o.Code == "invalid_request":
			case o.Code == "":
				warnUnreadable(t, "a token request with "+s.What, []string{"invalid_request"}, o)
				fresh = true
			default:
				t.WarnExpected(expected, fmt.Sprintf("it was refused with error %q (status %d), so the duplicate was not reported as such", o.Code, o.Status))
				fresh = true
			}
		}
	}, framework.Browser)
