package resource

import (
	"context"
	"fmt"
	"net/url"

	"github.com/mcpauth/conformance/suite/framework"
)

// malformed is a resource value RFC 8707 §2 does not allow.
type malformed struct{ what, value string }

// malformedResources derives two malformed values from RES, so that a server
// that strips or repairs them would land on a resource it knows: RES's host
// and path without a scheme (a relative reference), and RES with a fragment.
func malformedResources(res string) []malformed {
	relative := "mcp.example.com"
	if u, err := url.Parse(res); err == nil && u.Hostname() != "" {
		relative = u.Hostname() + u.EscapedPath()
	}
	return []malformed{
		{"a relative reference, without scheme", relative},
		{"an absolute URI with a fragment", res + "#frag"},
	}
}

// RFC 8707 §2: resource must be an absolute URI without a fragment, and a
// value the server cannot parse or accept should be refused with
// invalid_target, here as an authorization error redirect. invalid_request
// or another code is a WARN (the wrong code); an error page still refuses
// and passes with a note. If a code is issued, it is redeemed with the same
// value to see what was accepted: a token audienced to the malformed value,
// or issued by a server that otherwise processes resource, is a WARN; one
// from a server that ignores resource entirely is INFO (RFC 8707 is a
// SHOULD).
var _ = framework.It("RFC8707-2-invalid-target-malformed",
	"an authorization request with a relative resource, or one with a fragment, is refused with invalid_target",
	func(ctx context.Context, t *framework.T) {
		res := configuredResource(t)
		m := t.Metadata()
		for _, mv := range malformedResources(res) {
			c := t.PublicClient()
			p := framework.NewPKCE()
			r := t.ApprovedAuthorization(m, withResources(t.AuthorizationParams(c, p), []string{mv.value}))
			want := fmt.Sprintf("an authorization request with resource=%q (%s) to be refused with invalid_target (RFC 8707 §2)", mv.value, mv.what)
			if r.Code() == "" {
				judgeAuthzRefusal(t, want, r)
				continue
			}
			f := redeemWith(t, m, c, p, r, []string{mv.value})
			judgeAccepted(t, m, res, want, mv.value, f, false)
		}
	}, framework.Browser)

// The same at the token endpoint (RFC 8707 §2: a 400 JSON error with
// invalid_target), each value on a fresh code granted for RES. A server that
// ignores the token-time value keeps the granted audience: INFO.
var _ = framework.It("RFC8707-2-invalid-target-malformed",
	"a token request with a relative resource, or one with a fragment, is refused with invalid_target",
	func(ctx context.Context, t *framework.T) {
		res := configuredResource(t)
		m := t.Metadata()
		for _, mv := range malformedResources(res) {
			c := t.PublicClient()
			p := framework.NewPKCE()
			_, r := t.ObtainCode(m, withResources(t.AuthorizationParams(c, p), []string{res}))
			f := redeemWith(t, m, c, p, r, []string{mv.value})
			want := fmt.Sprintf("a token request with resource=%q (%s) to be refused with invalid_target (RFC 8707 §2)", mv.value, mv.what)
			if f.Tokens != nil {
				judgeAccepted(t, m, res, want, mv.value, f, true)
				continue
			}
			switch code := tokenError(f.Token); code {
			case "invalid_target":
			case "":
				unreadableTokenRefusal(t, fmt.Sprintf("a token request with resource=%q (%s)", mv.value, mv.what), []string{"invalid_target"}, f.Token)
			default:
				t.WarnExpected(want, fmt.Sprintf("refused with error %q rather than invalid_target", code))
			}
		}
	}, framework.Browser)

// RFC 8707 §2.1 and RFC 9700 §4.10.2: a server that knows its resource
// servers refuses an unknown resource with invalid_target; an open server
// may mint a token for it, audienced to exactly that value. A token for the
// unknown value audienced to RES, RES2 or their host is a FAIL, as
// requirements §4 says: the client asked for one resource and was handed a
// token valid at another. A server that ignores resource entirely is INFO.
var _ = framework.It("RFC8707-2-unknown-resource-policy",
	"resource=https://unknown.invalid/mcp is refused with invalid_target, or gives a token audienced to exactly that value and no other resource",
	func(ctx context.Context, t *framework.T) {
		res := configuredResource(t)
		m := t.Metadata()
		c := t.PublicClient()
		p := framework.NewPKCE()
		r := t.ApprovedAuthorization(m, withResources(t.AuthorizationParams(c, p), []string{unknownResource}))
		want := fmt.Sprintf("resource=%s, which no server knows, to be refused with invalid_target, or to give a token audienced to exactly that value", unknownResource)
		if r.Code() == "" {
			judgeAuthzRefusal(t, want, r)
			return
		}
		f := redeemWith(t, m, c, p, r, []string{unknownResource})
		if f.Tokens == nil {
			if tokenError(f.Token) == "invalid_target" {
				t.Notef("the authorization request got a code, and the token request was refused with invalid_target")
				return
			}
			if tokenError(f.Token) == "" {
				unreadableTokenRefusal(t, fmt.Sprintf("a token request with resource=%s", unknownResource), []string{"invalid_target"}, f.Token)
				return
			}
			t.WarnExpected(want, fmt.Sprintf("the authorization request got a code, and the token request %s", tokenOutcome(f.Token)))
			return
		}
		o := observe(f.Tokens.AccessToken)
		o.skipIfOpaque(t, "issued for the unknown resource")
		for _, known := range []string{res, t.Config().SecondResource} {
			if known == "" {
				continue
			}
			if rel, v := o.closest(known); rel != unrelated {
				t.FailExpected(want, fmt.Sprintf("a token with aud %q: the client asked for %s and was handed a token valid at %s", v, unknownResource, known))
			}
		}
		if o.hasAud(unknownResource) {
			t.Notef("an open server: the token is audienced to exactly the requested value (%s)", o.describe())
			return
		}
		if notApplicableWithoutRFC8707(t, m, res) {
			return
		}
		t.WarnExpected(want, fmt.Sprintf("tokens with %s, which is not restricted to the requested resource", o.describe()))
	}, framework.Browser)

// judgeAuthzRefusal judges an authorization request that got no code and
// should have been refused with invalid_target.
func judgeAuthzRefusal(t *framework.T, want string, r *framework.AuthorizationResponse) {
	if !r.Redirected {
		t.Notef("refused with an error page rather than an invalid_target error redirect: %s", r.Describe())
		return
	}
	switch code := authzError(r); code {
	case "invalid_target":
	case "":
		t.WarnExpected(want, "a redirect with neither code nor error: "+r.URL.String())
	default:
		t.WarnExpected(want, fmt.Sprintf("refused with error %q rather than invalid_target: %s", code, r.URL))
	}
}

// judgeAccepted judges a malformed resource value that got through: f is the
// token request that named it. atToken says whether only the token request
// carried it (the code was granted for RES).
func judgeAccepted(t *framework.T, m *framework.Metadata, res, want, value string, f flowResult, atToken bool) {
	where := "the authorization request got a code"
	if atToken {
		where = "the token request was not refused"
	}
	if f.Tokens == nil {
		if tokenError(f.Token) == "invalid_target" {
			t.Notef("resource=%q: %s, and the token request with it was refused with invalid_target", value, where)
		} else {
			t.Notef("resource=%q: %s, and the token request with it %s", value, where, tokenOutcome(f.Token))
		}
		return
	}
	o := observe(f.Tokens.AccessToken)
	if !o.opaque() && !o.hasAud(value) && notApplicableWithoutRFC8707(t, m, res) {
		return
	}
	switch {
	case o.opaque():
		t.Infof("resource=%q: %s and tokens were issued; the token is opaque (%s), so whether the value became its audience could not be observed", value, where, o.Why)
	case o.hasAud(value):
		t.WarnExpected(want, fmt.Sprintf("accepted and honoured: tokens were issued with %s, the malformed value", o.describe()))
	case atToken:
		t.Infof("resource=%q: the server ignored it at the token endpoint and issued tokens with %s (the granted audience)", value, o.describe())
	default:
		yes, ok := implementsRFC8707(t, m, res)
		if ok && yes {
			t.WarnExpected(want, fmt.Sprintf("accepted: tokens were issued with %s, although the server processes resource (its token for %s is audienced to it)", o.describe(), res))
			return
		}
		t.Infof("resource=%q was accepted by a server that does not seem to implement RFC 8707 (no audience effect seen): tokens with %s", value, o.describe())
	}
}
