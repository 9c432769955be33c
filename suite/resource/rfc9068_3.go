package resource

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 9068 §3: in a JWT access token (header typ at+jwt), aud is the
// requested resource. Unlike RFC 8707 alone, the profile leaves no room for
// a mapped value, so the comparison is exact; tokens that do not claim the
// profile are left to RFC8707-2-audience-restriction. A trailing slash is the
// difference that most often breaks MCP servers, which compare aud with their
// canonical URI character for character, so it gets its own message.
var _ = framework.It("RFC9068-3-jwt-aud-matches-resource",
	"the aud of an RFC 9068 access token (typ at+jwt) issued for resource=RES is exactly RES",
	func(ctx context.Context, t *framework.T) {
		res := configuredResource(t)
		m := t.Metadata()
		o := standardTokens(t, m, res)
		o.skipIfOpaque(t, "issued for resource="+res)
		if !o.rfc9068() {
			t.Skipf("the access token is a JWT with typ %q, not at+jwt: it does not claim the RFC 9068 profile, so it may carry a mapped audience (RFC8707-2-audience-restriction judges that)", o.JWT.Type())
		}
		want := fmt.Sprintf("the aud of the RFC 9068 access token issued for resource=%s to be exactly %q (a string, or an array containing it)", res, res)
		if o.hasAud(res) {
			return
		}
		if notApplicableWithoutRFC8707(t, m, res) {
			return
		}
		if o.AudErr != nil {
			t.WarnExpected(want, o.describe())
			return
		}
		if o.hasAud(res) {
			return
		}
		for _, a := range o.Aud {
			if a == slashVariant(res) {
				t.WarnExpected(want, fmt.Sprintf("aud %q differs from the requested resource only by a trailing slash: MCP servers that compare the audience strictly with their canonical URI will refuse this token", a))
				return
			}
		}
		for _, a := range o.Aud {
			if relate(a, res) == variant {
				t.WarnExpected(want, fmt.Sprintf("aud %q differs from the requested resource only in the letter case of its scheme or host: MCP servers that compare the audience strictly will refuse this token", a))
				return
			}
		}
		t.WarnExpected(want, o.describe())
	}, framework.Browser)

// RFC 9068 §3: an RFC 9068 access token always has aud; when the request
// named no resource, the server uses a default resource indicator. A server
// may instead refuse such a request (RFC 8707 §2.1), and then there is
// nothing to check. The flow without resource is shared with
// RFC8707-2.1-missing-resource.
var _ = framework.It("RFC9068-3-default-aud",
	"an RFC 9068 access token issued for a flow without resource still has an aud claim",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		f := noResourceFlow.get(func() flowResult { return resourceFlow(t, m, nil, nil) })
		if f.Tokens == nil {
			t.Skipf("a flow without resource gave no access token (%s); RFC 8707 §2.1 lets a server refuse such requests, so there is no default audience to check", f.describe())
		}
		o := observe(f.Tokens.AccessToken)
		o.skipIfOpaque(t, "issued without resource")
		if !o.rfc9068() {
			t.Skipf("the access token is a JWT with typ %q, not at+jwt, so the RFC 9068 profile does not apply", o.JWT.Type())
		}
		want := "the RFC 9068 access token of a flow without resource to carry an aud claim (a default resource indicator)"
		switch {
		case errors.Is(o.AudErr, framework.ErrNoAudience):
			t.FailExpected(want, "the token has no aud claim")
		case o.AudErr != nil:
			t.FailExpected(want, o.describe())
		case len(o.Aud) == 0 || slices.ContainsFunc(o.Aud, func(a string) bool { return strings.TrimSpace(a) == "" }):
			t.FailExpected(want, fmt.Sprintf("an empty audience: %s", o.describe()))
		}
		t.Notef("default audience: %s", o.describe())
	}, framework.Browser)
