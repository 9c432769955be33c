package resource

import (
	"context"
	"fmt"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 8707 §2, OAuth 2.1 §3.1 and §3.2, MCP "Resource Parameter
// Implementation": MCP clients always send resource=RES on the authorization
// and the token request. A server that implements RFC 8707 processes it; one
// that does not must ignore it like any unknown parameter. Either way the
// flow must work, so a refusal caused by a valid RES is a FAIL. invalid_target
// names the resource as the cause; any other refusal is attributed with the
// same request without resource (only on that path, so a passing server
// costs one flow).
var _ = framework.It("RFC8707-2-resource-param-tolerated",
	"an authorization request and a token request that both carry resource=RES yield tokens",
	func(ctx context.Context, t *framework.T) {
		res := configuredResource(t)
		m := t.Metadata()
		f := resourceFlow(t, m, []string{res}, []string{res})
		standardFlow.offer(f)
		want := fmt.Sprintf("STD-AUTHZ and STD-TOKEN, both with resource=%s, to yield tokens", res)
		switch {
		case f.Tokens != nil:
			t.Notef("tokens were issued; %s", observe(f.Tokens.AccessToken).describe())
		case f.Token == nil:
			if authzError(f.Authz) == "invalid_target" {
				t.FailExpected(want, "the authorization request was refused with invalid_target for the configured resource: "+f.Authz.Describe())
			}
			control := resourceFlow(t, m, nil, nil)
			if control.Authz.Code() != "" {
				t.FailExpected(want, fmt.Sprintf("the authorization request with resource ended in %s, while the same request without resource got a code", f.Authz.Describe()))
			}
			t.Skipf("precondition not met: the authorization request gave no code, with resource (%s) or without (%s), so the refusal cannot be attributed to the resource parameter", f.Authz.Describe(), control.Authz.Describe())
		default:
			if tokenError(f.Token) == "invalid_target" {
				t.FailExpected(want, fmt.Sprintf("the token request was refused with invalid_target for the resource the code was granted for: %s", f.Token.Summary()))
			}
			control := resourceFlow(t, m, []string{res}, nil)
			if control.Tokens != nil {
				t.FailExpected(want, fmt.Sprintf("the token request with resource %s, while the same redemption without resource got tokens", tokenOutcome(f.Token)))
			}
			t.Skipf("precondition not met: the code could not be redeemed with resource (the request %s) or without it (%s), so the failure cannot be attributed to the resource parameter", tokenOutcome(f.Token), control.describe())
		}
	}, framework.Browser)

// A variant of requirements §4: resource only on the token request. Some
// servers accept resource at the token endpoint only if the authorization
// request had it, which is acceptable, so the outcome is recorded as INFO,
// never judged. (The other variant, resource only on the authorization
// request, is left out to save a browser flow: the token request then looks
// like any OAuth 2.0 client's.)
var _ = framework.It("RFC8707-2-resource-param-tolerated",
	"resource=RES sent only on the token request, not on the authorization request (recorded)",
	func(ctx context.Context, t *framework.T) {
		res := configuredResource(t)
		m := t.Metadata()
		t.Infof("resource only on the token request: %s", resourceFlow(t, m, nil, []string{res}).describe())
	}, framework.Browser)

// RFC 8707 §2: resource may repeat, to ask for a token usable at several
// resources; a server that cannot issue one answers invalid_target, and
// RFC 8707 §3 recommends single-audience tokens anyway. Repetition is not the
// duplicated parameter RFC 6749 §3.1 forbids (requirements §13 pitfall 9), so
// only invalid_request, which treats it as one, is a WARN. The rest is INFO.
var _ = framework.It("RFC8707-2-multiple-resources",
	"an authorization request with two resource parameters (RES and RES2) is accepted or refused with invalid_target, not as a duplicated parameter (recorded)",
	func(ctx context.Context, t *framework.T) {
		res := configuredResource(t)
		res2 := secondResource(t)
		m := t.Metadata()
		c := t.PublicClient()
		p := framework.NewPKCE()
		both := []string{res, res2}
		r := t.ApprovedAuthorization(m, withResources(t.AuthorizationParams(c, p), both))
		if r.Code() != "" {
			f := redeemWith(t, m, c, p, r, both)
			if f.Tokens == nil {
				t.Infof("two resources were accepted at the authorization endpoint, but the token request with both %s", tokenOutcome(f.Token))
				return
			}
			o := observe(f.Tokens.AccessToken)
			multi := "the token is opaque, so its audience could not be observed"
			if !o.opaque() {
				multi = fmt.Sprintf("%s; both resources in aud: %t", o.describe(), o.hasAud(res) && o.hasAud(res2))
			}
			t.Infof("two resources were accepted: a code, then tokens (%s)", multi)
			return
		}
		switch code := authzError(r); code {
		case "invalid_target":
			t.Infof("two resources were refused with invalid_target: the server issues single-audience tokens, as RFC 8707 §3 recommends")
		case "invalid_request":
			t.WarnExpected("two resource parameters to be accepted, or refused with invalid_target (RFC 8707 §2 lets resource repeat)",
				"refused with invalid_request, as if resource were a duplicated parameter: "+r.URL.String())
		case "":
			t.Infof("two resources were refused without an error redirect: %s", r.Describe())
		default:
			t.Infof("two resources were refused with error %q: %s", code, r.URL)
		}
	}, framework.Browser)
