package tokens

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 7662 §2.1: the introspection endpoint demands authorization, so that
// tokens cannot be scanned. A valid access token is introspected with no
// credentials at all: a refusal passes, active:true fails, active:false for
// a valid token is odd but leaks nothing (WARN).
var _ = framework.It("RFC7662-2.1-introspection-requires-auth",
	"an introspection request without credentials is refused",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		endpoint := introspectionEndpoint(t, m)
		tr := mustTokens(t, t.RedeemNewCode(m, t.PublicClient(), ""))
		e := t.HTTP().PostForm(ctx, endpoint, url.Values{"token": {tr.AccessToken}}, nil)
		t.Responded(e, "an HTTP response from the introspection endpoint")
		if e.Status != http.StatusOK {
			return
		}
		doc, _ := e.JSONObject()
		want := "an introspection request without credentials to be refused (401, or 400 invalid_client, or 403; RFC 7662 §2.1)"
		if active, _ := doc["active"].(bool); active {
			t.FailExpected(want, "status 200 with active true: anyone can introspect tokens")
		}
		t.WarnExpected(want, "status 200 with active false for a valid token")
	}, framework.Browser)

// inactiveProbe is one authorized introspection of a token that is not
// active: a random value, and, where the server can revoke, a revoked
// refresh token.
type inactiveProbe struct {
	what string
	in   *framework.Introspection
	err  error
}

func inactiveProbes(t *framework.T, m *framework.Metadata) []inactiveProbe {
	mustIntrospect(t, m)
	in, err := t.Introspect(m, randomValue())
	probes := []inactiveProbe{{"an unknown token", in, err}}
	if rev, _ := framework.MemberString(m.Doc, "revocation_endpoint"); rev == "" {
		t.Notef("the server has no revocation endpoint, so only an unknown token was introspected")
		return probes
	}
	c := t.PublicClient()
	token, hint := revocable(mustTokens(t, t.RedeemNewCode(m, c, "")))
	if e := revoke(t, m, c, token, hint); e.Status != http.StatusOK {
		t.Notef("the %s could not be revoked (status %d), so only an unknown token was introspected", hint, e.Status)
		return probes
	}
	in, err = t.Introspect(m, token)
	if err == nil && in.Active && hint == "access_token" {
		t.Notef("the revoked access token is still active (RFC7009-2-access-token-revocation judges that), so only an unknown token was introspected")
		return probes
	}
	return append(probes, inactiveProbe{"a revoked " + strings.ReplaceAll(hint, "_", " "), in, err})
}

// RFC 7662 §2.2: an authorized introspection of an unknown, expired or
// revoked token is 200 {"active": false}, not an error.
var _ = framework.It("RFC7662-2.2-inactive-token",
	"introspecting an unknown or a revoked token gives 200 with active false",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		for _, p := range inactiveProbes(t, m) {
			want := fmt.Sprintf("the introspection of %s to be 200 with active false (RFC 7662 §2.2)", p.what)
			switch {
			case p.err != nil:
				t.FailExpected(want, p.err.Error())
			case p.in.Active:
				t.FailExpected(want, "active is true")
			}
		}
	}, framework.Browser)

// RFC 7662 §2.2: for an inactive token the server should say nothing more
// than active false, not even why.
var _ = framework.It("RFC7662-2.2-no-details-inactive",
	"the introspection response of an inactive token has no member besides active",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		for _, p := range inactiveProbes(t, m) {
			if p.err != nil || p.in.Active {
				t.Skipf("the introspection of %s did not report it inactive (RFC7662-2.2-inactive-token judges that)", p.what)
			}
			var extra []string
			for k := range p.in.Doc {
				if k != "active" {
					extra = append(extra, k)
				}
			}
			slices.Sort(extra)
			if len(extra) > 0 {
				t.WarnExpected(fmt.Sprintf("the introspection of %s to hold only active false (RFC 7662 §2.2)", p.what),
					fmt.Sprintf("it also has %v", extra))
			}
		}
	}, framework.Browser)

// RFC 7662 §2.2 with RFC 8707 §2: the introspection response's aud is where
// audience restriction shows, and for opaque tokens the only place. For a
// token requested with resource=RES it should contain RES (or a value RES
// maps to: the same URI up to case and trailing slash, or a broader one). A
// JWT whose own aud does not name RES shows that the server does not
// restrict audiences: not applicable.
var _ = framework.It("RFC7662-2.2-aud-reflects-resource",
	"the introspection of an access token issued for resource=RES has an aud naming RES",
	func(ctx context.Context, t *framework.T) {
		res := configuredResource(t)
		m := t.Metadata()
		mustIntrospect(t, m)
		tr := mustTokens(t, t.RedeemNewCode(m, t.PublicClient(), ""))
		in, err := t.Introspect(m, tr.AccessToken)
		if err != nil || !in.Active {
			t.Skipf("precondition not met: the introspection of a fresh access token did not report it active (%v)", err)
		}
		if j, jerr := framework.DecodeJWT(tr.AccessToken); jerr == nil {
			if aud, _ := j.Audience(); !slices.ContainsFunc(aud, func(a string) bool { return relatesTo(a, res) }) {
				t.Infof("not applicable (see RFC8707-2-audience-restriction): the access token's own aud %q does not name %s", aud, res)
				return
			}
		}
		want := fmt.Sprintf("the introspection response's aud to name %s (RFC 7662 §2.2, RFC 8707 §2)", res)
		aud, audErr := (&framework.JWT{Claims: in.Doc}).Audience()
		switch {
		case audErr != nil:
			t.WarnExpected(want, audErr.Error())
		case !slices.ContainsFunc(aud, func(a string) bool { return relatesTo(a, res) }):
			t.WarnExpected(want, fmt.Sprintf("aud is %q", aud))
		}
	}, framework.Browser)
