package resource

import (
	"context"
	"fmt"
	"slices"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 8707 §2, RFC 9728 §7.4, RFC 9700 §2.3, OAuth 2.1 §7.1.4: a server that
// supports resource indicators should restrict the access token to the
// indicated resource. RFC 8707 lets it map the resource to another
// identifier, broader or abstract, so equality is not required here (the
// RFC 9068 spec requires it for at+jwt tokens). No audience, or one that is
// only the client_id or the issuer, is a WARN. An abstract value is checked,
// when RES2 is configured, against the token for RES2: the same audience for
// both resources is a generic one, not a restriction to RES.
var _ = framework.It("RFC8707-2-audience-restriction",
	"the access token issued for resource=RES is audience-restricted to RES, or to a value the server maps RES to",
	func(ctx context.Context, t *framework.T) {
		res := configuredResource(t)
		m := t.Metadata()
		o := standardTokens(t, m, res)
		o.skipIfOpaque(t, "issued for resource="+res)
		want := fmt.Sprintf("the access token issued for resource=%s to be audience-restricted to it (aud %s, or a value mapped from it)", res, res)
		if o.AudErr != nil || len(o.Aud) == 0 {
			t.WarnExpected(want, o.describe()+": the token is not audience-restricted, so it is valid at any resource server that accepts this issuer")
			return
		}
		switch rel, v := o.closest(res); rel {
		case exact:
			return
		case variant:
			t.Notef("aud %q is %s up to letter case or a trailing slash; RFC 8707 allows a mapped audience (RFC9068-3-jwt-aud-matches-resource judges exact equality)", v, res)
			return
		case broader:
			t.Notef("aud %q is a broader identifier than %s, which RFC 8707 §2 allows (RFC8707-2-audience-includes-path judges a host-wide audience)", v, res)
			return
		}
		if onlyClientOrIssuer(o, t.Target().Issuer) {
			t.WarnExpected(want, fmt.Sprintf("%s, which names the client or the issuer, not the resource: the token is not restricted to %s", o.describe(), res))
			return
		}
		res2 := t.Config().SecondResource
		if res2 == "" {
			t.Notef("%s is not %s; it may be an abstract audience the server maps %s to, which RFC 8707 allows; give --second-resource to check that the audience depends on the requested resource", o.describe(), res, res)
			return
		}
		o2, f2 := secondTokens(t, m, res2)
		switch {
		case f2.Tokens == nil || o2.opaque():
			t.Notef("%s is not %s, and may be an abstract audience RFC 8707 allows; it could not be compared with a token for %s: %s", o.describe(), res, res2, f2.describe())
		case sameAud(o, o2):
			t.WarnExpected(want, fmt.Sprintf("%s, and the token issued for resource=%s has the same audience: the audience does not depend on the requested resource, so it is a generic audience rather than a restriction to %s", o.describe(), res2, res))
		default:
			t.Notef("%s is an audience the server maps %s to (the token for %s has %s), which RFC 8707 allows", o.describe(), res, res2, o2.describe())
		}
	}, framework.Browser)

// RFC 8707 §3 (and MCP's canonical URIs, which keep a path that identifies
// the server): when one host serves several resources, the audience should
// keep the path, or a token for one is valid at all of them. A RES without a
// path (one MCP server per host) is legitimate and leaves nothing to check.
// An audience that is only the origin is the WARN, and so is one that names
// no resource at all (none, or only the client or issuer). An abstract
// audience is judged with RES2 when it is on the same host: the same
// audience for both resources does not distinguish them.
var _ = framework.It("RFC8707-2-audience-includes-path",
	"the access token issued for a resource with a path (https://host/mcp) is not audienced to the whole host (https://host)",
	func(ctx context.Context, t *framework.T) {
		res := configuredResource(t)
		if !hasPath(res) {
			t.Skipf("RES %s has no path: a single MCP server per host, whose canonical URI is the origin, is legitimate, and there is no path for the audience to keep", res)
		}
		m := t.Metadata()
		o := standardTokens(t, m, res)
		o.skipIfOpaque(t, "issued for resource="+res)
		want := fmt.Sprintf("the aud of the token issued for resource=%s to keep the path that distinguishes it from other resources on the same host", res)
		if notApplicableWithoutRFC8707(t, m, res) {
			return
		}
		rel, v := o.closest(res)
		switch {
		case rel >= variant:
			return
		case rel == broader && originOnly(v, res):
			t.WarnExpected(want, fmt.Sprintf("%s, the origin only: the token is valid host-wide, at every resource server on that host", o.describe()))
			return
		case rel == broader:
			t.Notef("aud %q is broader than %s but keeps part of its path", v, res)
			return
		}
		res2 := t.Config().SecondResource
		if res2 == "" || !sameHost(res, res2) {
			t.Skipf("%s is an abstract audience: whether it distinguishes %s from other resources on its host could only be judged against a token for a second resource on the same host (--second-resource)", o.describe(), res)
		}
		o2, f2 := secondTokens(t, m, res2)
		switch {
		case f2.Tokens == nil || o2.opaque():
			t.Skipf("%s is an abstract audience, and no token for %s on the same host could be compared with it: %s", o.describe(), res2, f2.describe())
		default:
			// The same audience for both is a server without RFC 8707,
			// which notApplicableWithoutRFC8707 reported above.
			t.Notef("%s differs from the audience of the token for %s on the same host (%s)", o.describe(), res2, o2.describe())
		}
	}, framework.Browser)

// onlyClientOrIssuer reports whether every audience value is the token's
// client (client_id or azp claim) or the issuer: values that name no
// resource at all.
func onlyClientOrIssuer(o observation, issuer string) bool {
	names := []string{issuer}
	for _, claim := range []string{"client_id", "azp"} {
		if s, ok := framework.MemberString(o.JWT.Claims, claim); ok && s != "" {
			names = append(names, s)
		}
	}
	for _, a := range o.Aud {
		if !slices.Contains(names, a) {
			return false
		}
	}
	return len(o.Aud) > 0
}

// secondTokens returns the observation of the token of STD-AUTHZ and
// STD-TOKEN with resource=RES2, shared within the process.
func secondTokens(t *framework.T, m *framework.Metadata, res2 string) (observation, flowResult) {
	f := secondFlow.get(func() flowResult { return resourceFlow(t, m, []string{res2}, []string{res2}) })
	if f.Tokens == nil {
		return observation{Why: "no token"}, f
	}
	return observe(f.Tokens.AccessToken), f
}
