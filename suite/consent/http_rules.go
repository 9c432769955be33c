package consent

import (
	"context"
	"fmt"
	"net/http"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 9700 §2.6: CORS must not be enabled on the authorization endpoint,
// which browsers reach by navigation only (CORS is fine on the token,
// metadata and registration endpoints).
var _ = framework.It("RFC9700-2.6-no-cors-authorization-endpoint",
	"the authorization endpoint answers a cross-origin GET and a CORS preflight without Access-Control-Allow-Origin",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		target := authorizationURL(t, m, t.AuthorizationParams(c, framework.NewPKCE()))
		const origin = "https://cors.test"
		get := t.HTTP().Get(ctx, target, http.Header{"Origin": {origin}})
		pre := t.HTTP().Send(ctx, framework.Request{Method: http.MethodOptions, URL: target,
			Header: http.Header{"Origin": {origin}, "Access-Control-Request-Method": {"GET"}}})
		var fails failures
		for _, e := range []*framework.Exchange{get, pre} {
			if e.Err != nil {
				continue
			}
			if acao := e.ResponseHeader.Get("Access-Control-Allow-Origin"); acao != "" {
				fails.add("Expected: no CORS on the authorization endpoint (RFC 9700 §2.6)\nActual:   %s %s with Origin %s answered Access-Control-Allow-Origin: %s", e.Method, "the authorization endpoint", origin, acao)
			}
		}
		if get.Err != nil {
			t.Errorf("the authorization endpoint did not answer: %v", get.Err)
		}
		fails.report(t)
	})

// RFC 9700 §4.12: a redirect after a request that carries credentials (the
// login or consent form POST) must not be 307 or 308, which make the browser
// post the form again to the next URL; it should be 303 (302 WARN).
var _ = framework.It("RFC9700-4.12-no-307-after-credentials",
	"the redirects that answer the login and consent form POSTs are 303 (or a script or meta navigation), never 307 or 308",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		_, res := loggedIn(t, m)
		posts := 0
		var fails failures
		for i := 1; i < len(res.Navigations); i++ {
			prev, n := res.Navigations[i-1], res.Navigations[i]
			if prev.Method != http.MethodPost || n.StatusBefore == 0 {
				continue
			}
			posts++
			switch n.StatusBefore {
			case http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
				fails.add("Expected: a 303 after the form POST to %s (RFC 9700 §4.12)\nActual:   %d, so the browser posted the form again to %s", prev.URL, n.StatusBefore, n.URL)
			case http.StatusFound:
				t.WarnExpected(fmt.Sprintf("a 303 after the form POST to %s (RFC 9700 §4.12)", prev.URL), "302, which browsers happen to follow with GET")
			}
		}
		fails.report(t)
		if posts == 0 {
			for _, n := range res.Navigations {
				if n.Method == http.MethodPost {
					posts++
				}
			}
			if posts == 0 {
				t.Skipf("the flow made no form POST (no login or consent form was submitted), so there was nothing to judge")
			}
		}
	}, framework.Browser)

// RFC 9700 §4.11.2: the user is authenticated before any redirect to the
// client, errors included, or the endpoint bounces a victim to a redirect URI
// unseen. A fresh browser sends a request with a deliberate error: a login
// page, or an error page, passes; an immediate error redirect FAILs.
var _ = framework.It("RFC9700-4.11.2-authenticate-before-redirect",
	"an erroneous authorization request from a browser without a session is not redirected before the user logs in",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		defects := []struct {
			what string
			name string
			val  string
		}{
			{"an unknown code_challenge_method (S999)", "code_challenge_method", "S999"},
			{"an unknown scope", "scope", "nonexistent_scope_xyz"},
		}
		reqs := make([]framework.AuthorizationRequest, len(defects))
		for i, d := range defects {
			reqs[i] = framework.AuthorizationRequest{Params: withParam(t.AuthorizationParams(c, framework.NewPKCE()), d.name, d.val), Fresh: true}
		}
		var fails failures
		for i, res := range t.AuthorizeAll(m, reqs) {
			if res.Redirected && !res.LoginShown {
				fails.add("Expected: the user to be authenticated before %s is redirected to the client (RFC 9700 §4.11.2)\nActual:   %s, with no login page", defects[i].what, describeRedirect(res))
			}
		}
		fails.report(t)
	}, framework.Browser)
