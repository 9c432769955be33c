package security

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mcpauth/conformance/suite/framework"
)

// attacker is where an open redirector would send the browser.
const attacker = "https://attacker.invalid/x"

// redirectParams are the parameter names login, consent, logout and error
// pages commonly take a return URL from (requirements §12).
var redirectParams = []string{"next", "return_to", "returnTo", "redirect", "redirect_url", "continue", "url", "goto", "target", "post_logout_redirect_uri"}

// maxProbedPages bounds the AS pages the open-redirect spec loads.
const maxProbedPages = 4

// asPages are the distinct pages (by path) of the server's origins that a
// flow's navigations visited, the callback excluded.
func asPages(t *framework.T, m *framework.Metadata, navs []framework.Navigation) []*url.URL {
	origins := []string{origin(t.Target().Issuer), origin(t.Endpoint(m, "authorization_endpoint"))}
	var pages []*url.URL
	var paths []string
	for _, n := range navs {
		u, err := url.Parse(n.URL)
		if err != nil || !slices.Contains(origins, u.Scheme+"://"+u.Host) || slices.Contains(paths, u.Path) {
			continue
		}
		paths = append(paths, u.Path)
		pages = append(pages, u)
		if len(pages) == maxProbedPages {
			break
		}
	}
	return pages
}

func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// RFC 9700 §2.1, §4.11; OAuth 2.1 §7.12: the server's pages never send the
// browser to a URL taken from a parameter. Every AS page of a standard flow
// is loaded again with each common return-URL parameter pointing at
// attacker.invalid, in the spec's logged-in session and in a fresh one.
var _ = framework.It("RFC9700-2.1-no-open-redirector", "the authorization server's pages do not redirect to a URL given in next, return_to or similar parameters",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		res := t.ApprovedAuthorization(m, t.AuthorizationParams(c, framework.NewPKCE()))
		pages := asPages(t, m, res.Navigations)
		if len(pages) == 0 {
			t.Skipf("precondition not met: the flow visited no page of the authorization server's origin")
		}
		// Every page, in a logged-in and in a fresh session, probed at once
		// in several tabs, so that their settle windows overlap.
		var reqs []framework.AuthorizationRequest
		var probed []string
		for _, fresh := range []bool{false, true} {
			for _, p := range pages {
				u := *p
				q := u.Query()
				for _, name := range redirectParams {
					q.Set(name, attacker)
				}
				u.RawQuery = q.Encode()
				reqs = append(reqs, framework.AuthorizationRequest{Endpoint: u.String(), Params: url.Values{}, WatchURI: attacker, Fresh: fresh})
				probed = append(probed, fmt.Sprintf("%s (%s session)", p.Path, map[bool]string{true: "a fresh", false: "a logged-in"}[fresh]))
			}
		}
		for i, probe := range t.AuthorizeAll(m, reqs) {
			if probe.Redirected {
				t.FailExpected("no redirect to "+attacker+" from "+probed[i]+" with "+strings.Join(redirectParams, ", ")+" set to it",
					fmt.Sprintf("the browser was sent to %s", probe.URL))
			}
		}
	}, framework.Browser)

// RFC 6749 §10.3 and §10.8, OAuth 2.1 §7.1.3.7: access and refresh tokens
// never travel in URLs; in the code flow only the code does. Every
// navigation of the spec's own flow is searched for token parameters and for
// the tokens it then got.
var _ = framework.It("RFC6749-10.3-no-tokens-in-urls", "no navigation of a code flow carries an access, refresh or ID token",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		p := framework.NewPKCE()
		code, res := t.ObtainCode(m, t.AuthorizationParams(c, p))
		var issued []string
		if tr, err := framework.ParseTokenResponse(t.TokenRequest(m, c, t.CodeRedemption(c, code, p))); err == nil {
			issued = append(issued, tr.AccessToken)
			if tr.RefreshToken != "" {
				issued = append(issued, tr.RefreshToken)
			}
		}
		for _, n := range res.Navigations {
			u, err := url.Parse(n.URL)
			if err != nil {
				continue
			}
			where := u.Scheme + "://" + u.Host + u.Path
			frag, _ := url.ParseQuery(u.EscapedFragment())
			for _, name := range []string{"access_token", "refresh_token", "id_token"} {
				if u.Query().Has(name) || frag.Has(name) {
					t.FailExpected("no token in any URL of the flow (RFC 6749 §10.3)", "the navigation to "+where+" carries a parameter "+name)
				}
			}
			for i, tok := range issued {
				if len(tok) >= 16 && strings.Contains(n.URL, tok) {
					t.FailExpected("no token in any URL of the flow (RFC 6749 §10.3)", fmt.Sprintf("the navigation to %s contains the %s the code was redeemed for", where, []string{"access token", "refresh token"}[i]))
				}
			}
		}
	}, framework.Browser)

// bruteForceAttempts is the burst of wrong secrets (requirements §12).
const bruteForceAttempts = 50

// OAuth 2.1 §2.4.1, RFC 6749 §2.3.1: endpoints that take client secrets are
// protected against guessing. A burst of wrong secrets for a throwaway
// client must meet throttling (429, growing latency, or a lockout that also
// refuses the right secret). None seen is a WARN: absence cannot be proven.
// Opt-in (slow): it may lock the client out, and it loads the server.
var _ = framework.It("OAUTH21-2.4.1-brute-force-protection", "a burst of token requests with wrong client secrets is throttled",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.ConfidentialClient()
		if t.Config().Clients.Confidential != nil && c.ID == t.Config().Clients.Confidential.ClientID {
			t.Skipf("only a throwaway registered client is burst with wrong secrets, never the configured one")
		}
		wrong := *c
		wrong.Secret = "wrong-" + framework.RandomString(16)
		form := func() url.Values {
			return url.Values{"grant_type": {"authorization_code"}, "code": {framework.RandomString(22)}, "redirect_uri": {c.RedirectURI}}
		}
		var durations []time.Duration
		throttled := ""
		for i := range bruteForceAttempts {
			e := t.TokenRequest(m, &wrong, form())
			durations = append(durations, e.Duration)
			if e.Err == nil && (e.Status == http.StatusTooManyRequests || e.ResponseHeader.Get("Retry-After") != "") {
				throttled = fmt.Sprintf("request %d of %d with a wrong secret got status %d", i+1, bruteForceAttempts, e.Status)
				break
			}
		}
		if throttled == "" {
			right := t.TokenRequest(m, c, form())
			if oe, err := framework.ParseOAuthError(right); err == nil && (oe.Code == "invalid_client" || oe.Status == http.StatusTooManyRequests) {
				throttled = "after the burst, the right secret was refused too (a lockout)"
			}
		}
		if throttled == "" && len(durations) >= 20 && average(durations[len(durations)-10:]) > 3*average(durations[:10])+200*time.Millisecond {
			throttled = fmt.Sprintf("the answers slowed from %s to %s", average(durations[:10]), average(durations[len(durations)-10:]))
		}
		if throttled == "" {
			t.WarnExpected(fmt.Sprintf("throttling of %d token requests with wrong client secrets (429, slower answers, or a lockout)", bruteForceAttempts),
				"no throttling was measurable (a black-box test cannot prove its absence)")
			return
		}
		t.Notef("%s", throttled)
	}, framework.Slow)

func average(ds []time.Duration) time.Duration {
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}
