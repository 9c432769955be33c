package metadata

import (
	"context"
	"net/url"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 6749 §3.1 and §3.2: the authorization and token endpoint URIs must not
// include a fragment. Checked statically in every document.
var _ = framework.It("RFC6749-3.1-endpoint-url-syntax",
	"the authorization and token endpoint URLs have no fragment",
	func(ctx context.Context, t *framework.T) {
		var bad findings
		for _, doc := range requireDocuments(t) {
			for _, name := range []string{"authorization_endpoint", "token_endpoint"} {
				if s, ok := framework.MemberString(doc.Doc, name); ok && strings.Contains(s, "#") {
					bad.add(doc, "%s %q has a fragment", name, s)
				}
			}
		}
		if len(bad) > 0 {
			t.FailExpected("authorization_endpoint and token_endpoint without a fragment component (RFC 6749 §3.1, §3.2)", bad.String())
		}
	})

// RFC 6749 §3.1 and §3.2: an endpoint URI may include a query, which clients
// keep when they add their own parameters, so the AS must cope with both
// sets. Exercised only when the endpoint a client would use has a query: one
// ordinary flow with the query merged in (framework.MergeQuery), FAIL only if
// it fails while the same flow without the endpoint query works.
var _ = framework.It("RFC6749-3.1-endpoint-url-syntax",
	"an endpoint URL query is kept and honoured in an ordinary flow",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		loc := m.Location
		authz, _ := framework.MemberString(loc.Doc, "authorization_endpoint")
		token, _ := framework.MemberString(loc.Doc, "token_endpoint")
		var withQuery []string
		for _, ep := range []string{authz, token} {
			if u, err := url.Parse(ep); err == nil && u.RawQuery != "" {
				withQuery = append(withQuery, ep)
			}
		}
		if len(withQuery) == 0 {
			t.Skipf("neither authorization_endpoint (%s) nor token_endpoint (%s) carries a query, so there is no endpoint query to exercise", authz, token)
		}
		if strings.Contains(authz, "#") || strings.Contains(token, "#") {
			t.Skipf("an endpoint has a fragment (the static spec FAILs it), so a flow would not show what the query does")
		}

		// One ordinary flow, with the endpoint queries kept.
		c := t.PublicClient()
		problem := flowProblem(t, m, c)
		if problem == "" {
			t.Notef("a flow with the endpoint queries kept (%s) succeeded", strings.Join(withQuery, ", "))
			return
		}
		// Does the same flow work without the endpoint queries? Only then is
		// the query to blame.
		stripped := &framework.Metadata{Doc: map[string]any{}, Location: m.Location}
		for k, v := range m.Doc {
			stripped.Doc[k] = v
		}
		for _, name := range []string{"authorization_endpoint", "token_endpoint"} {
			if s, ok := framework.MemberString(m.Doc, name); ok {
				if u, err := url.Parse(s); err == nil {
					u.RawQuery, u.ForceQuery = "", false
					stripped.Doc[name] = u.String()
				}
			}
		}
		if other := flowProblem(t, stripped, t.PublicClient()); other != "" {
			t.Skipf("the ordinary flow fails with and without the endpoint queries, so the query is not what breaks it (with: %s; without: %s)", problem, other)
		}
		t.FailExpected("an ordinary authorization code flow to work with the endpoint query kept and merged with the client's parameters (RFC 6749 §3.1)",
			problem+"; the same flow without the endpoint query succeeded")
	}, framework.Browser)

// flowProblem runs STD-AUTHZ and STD-TOKEN and says what went wrong ("" if
// the code was exchanged for tokens).
func flowProblem(t *framework.T, m *framework.Metadata, c *framework.Client) string {
	p := framework.NewPKCE()
	res := t.Authorize(m, framework.AuthorizationRequest{Params: t.AuthorizationParams(c, p)})
	if res.Code() == "" {
		return "the authorization request ended in " + res.Describe()
	}
	e := t.TokenRequest(m, c, t.CodeRedemption(c, res.Code(), p))
	if _, err := framework.ParseTokenResponse(e); err != nil {
		return "the token request failed: " + err.Error() + "; " + e.Summary()
	}
	return ""
}
