package consent

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/mcpauth/conformance/suite/framework"
)

// A redirect probe sends one authorization request whose redirect_uri (or
// client_id) is not acceptable, and watches the origin the server must not
// send the browser to (NO-REDIRECT, requirements §1.3): by 3xx, meta
// refresh, script or form, before or after login.
type redirectProbe struct {
	What string
	// URI is the redirect_uri sent; Watch the origin a redirect would reach
	// (the browser drops a default port and lowers the host).
	URI, Watch string
	// Equivalent marks RFC 3986-equivalent forms (scheme or host case, the
	// default port): accepting them is a WARN, not a FAIL.
	Equivalent bool
	// Fresh sends it from a browser without a session.
	Fresh bool
}

// runRedirectProbes sends the probes for client c at once and returns the
// responses in order.
func runRedirectProbes(t *framework.T, m *framework.Metadata, c *framework.Client, probes []redirectProbe, edit func(url.Values)) []*framework.AuthorizationResponse {
	reqs := make([]framework.AuthorizationRequest, len(probes))
	for i, p := range probes {
		params := withParam(t.AuthorizationParams(c, framework.NewPKCE()), "redirect_uri", p.URI)
		if edit != nil {
			edit(params)
		}
		watch := p.Watch
		if watch == "" {
			watch = p.URI
		}
		reqs[i] = framework.AuthorizationRequest{Params: params, WatchURI: watch, Fresh: p.Fresh}
	}
	return t.AuthorizeAll(m, reqs)
}

// judgeRedirect records a probe that was redirected: a FAIL (collected in
// fails) or, for an equivalent form, a WARN. An error redirect to a
// registered redirect URI instead (same origin as the probe) is not a
// redirect to the probe's URI, and only noted.
func judgeRedirect(t *framework.T, p redirectProbe, res *framework.AuthorizationResponse, registered []string, fails *failures) {
	if !res.Redirected {
		return
	}
	if res.Query.Get("code") == "" && res.Fragment.Get("code") == "" {
		for _, r := range registered {
			if ru, err := url.Parse(r); err == nil && ru.Scheme == res.URL.Scheme && ru.Host == res.URL.Host && ru.Path == res.URL.Path {
				t.Notef("%s: the server sent an error to the registered redirect URI instead (%s)", p.What, res.URL)
				return
			}
		}
	}
	expected := fmt.Sprintf("no redirect for redirect_uri %s (%s), since it does not equal a registered redirect URI (OAuth 2.1 §4.1.1: simple string comparison)", p.URI, p.What)
	if p.Equivalent {
		t.WarnExpected(expected, describeRedirect(res)+" (a WARN: the form is equivalent under RFC 3986, so the risk is small, but the comparison must be exact)")
		return
	}
	fails.add("Expected: %s\nActual:   %s", expected, describeRedirect(res))
}

// RFC 6749 §3.1.2.4 and §4.1.2.1, OAuth 2.1 §4.1.2.1: the server must not
// redirect to a redirect URI that is not registered, and should tell the
// user on its own page. Both with and without a session, since some servers
// check the redirect URI only after login.
var _ = framework.It("RFC6749-3.1.2.4-no-redirect-unregistered-uri",
	"an unregistered redirect_uri never receives the browser, with or without a session; an error page is shown",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c, _ := loggedIn(t, m)
		probes := []redirectProbe{
			{What: "an unregistered https URI, logged in", URI: attackerURI},
			{What: "an unregistered https URI, no session", URI: attackerURI, Fresh: true},
		}
		var fails failures
		for i, res := range runRedirectProbes(t, m, c, probes, nil) {
			judgeRedirect(t, probes[i], res, nil, &fails)
			if !res.Redirected && strings.TrimSpace(res.Page.Text) == "" {
				t.WarnExpected("an error page that tells the user the redirect URI is not registered (RFC 6749 §4.1.2.1)", fmt.Sprintf("%s: an empty page at %s", probes[i].What, res.Page.URL))
			}
		}
		fails.report(t)
	}, framework.Browser)

// The second registered redirect URI of the exact-match spec: https on a
// name that never resolves, so that host mutations can be tried.
const httpsRedirect = "https://client.example.test/cb"

// OAuth 2.1 §4.1.1, §2.3.1; RFC 9700 §4.1.3: redirect URIs are compared by
// simple string comparison. Each mutation is reported on its own, so that a
// lenient canonicalization does not hide a prefix match.
var _ = framework.It("OAUTH21-4.1.1-redirect-exact-match",
	"a redirect_uri that differs from the registered one in any way (path, slash, query, fragment, case, host, userinfo, encoding, scheme, port) is not redirected to",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		ruri := t.RedirectURI()
		c, err := registerWith(t, m, func(md map[string]any) { md["redirect_uris"] = []string{ruri, httpsRedirect} })
		probes := loopbackMutations(ruri)
		registered := []string{ruri}
		if err != nil {
			t.Notef("the server refused a client with the redirect URIs %s and %s (%v), so only the loopback mutations were tried", ruri, httpsRedirect, err)
			c = t.PublicClient()
		} else {
			registered = append(registered, httpsRedirect)
			probes = append(probes, httpsMutations()...)
		}
		t.ObtainCode(m, t.AuthorizationParams(c, framework.NewPKCE()))
		var fails failures
		for i, res := range runRedirectProbes(t, m, c, probes, nil) {
			judgeRedirect(t, probes[i], res, registered, &fails)
		}
		fails.report(t)
	}, framework.Browser)

func httpsMutations() []redirectProbe {
	const r = httpsRedirect
	return []redirectProbe{
		{What: "a path segment appended", URI: r + "/x"},
		{What: "a trailing slash added", URI: r + "/"},
		{What: "a query added", URI: r + "?x=1"},
		{What: "a fragment added", URI: r + "#x"},
		{What: "the path in upper case", URI: "https://client.example.test/CB"},
		{What: "a subdomain added", URI: "https://evil.client.example.test/cb"},
		{What: "a suffix host", URI: "https://client.example.test.attacker.invalid/cb"},
		{What: "userinfo before another host", URI: "https://client.example.test@attacker.invalid/cb", Watch: "https://attacker.invalid"},
		{What: "a path traversal", URI: r + "/../x"},
		{What: "a percent-encoded path", URI: "https://client.example.test/%63b"},
		{What: "http instead of https", URI: "http://client.example.test/cb"},
		{What: "the default port :443 added", URI: "https://client.example.test:443/cb", Watch: r, Equivalent: true},
		{What: "the host in upper case", URI: "https://CLIENT.EXAMPLE.TEST/cb", Watch: r, Equivalent: true},
	}
}

func loopbackMutations(ruri string) []redirectProbe {
	u, _ := url.Parse(ruri)
	return []redirectProbe{
		{What: "a path segment appended to the loopback redirect URI", URI: ruri + "/x"},
		{What: "a query added to the loopback redirect URI", URI: ruri + "?x=1"},
		{What: "localhost instead of 127.0.0.1", URI: "http://localhost:" + u.Port() + u.Path, Equivalent: true},
	}
}

// loopbackPorts returns a port of 127.0.0.1 other than the callback's, for
// registrations whose port the request then changes.
func otherPort(ruri string) string {
	u, _ := url.Parse(ruri)
	p, _ := strconv.Atoi(u.Port())
	if p >= 65535 {
		return strconv.Itoa(p - 1)
	}
	return strconv.Itoa(p + 1)
}

// OAuth 2.1 §8.4.2, RFC 8252 §7.3: for loopback IP redirect URIs the port
// may differ at request time, since native clients listen on an ephemeral
// port. Registered with a port or without one: some servers allow any port
// only for the latter, so only both refused is a FAIL. For the name
// localhost, which OAuth 2.1 advises against, only a WARN.
var _ = framework.It("OAUTH21-8.4.2-loopback-any-port",
	"a loopback redirect URI registered with another port, or without one, accepts the port of the request (127.0.0.1, [::1]; localhost WARN only)",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		ruri := t.RedirectURI()
		u, _ := url.Parse(ruri)
		port, other := u.Port(), otherPort(ruri)
		type family struct {
			name, host string
			warnOnly   bool
		}
		families := []family{{"127.0.0.1", "127.0.0.1", false}, {"[::1]", "[::1]", false}, {"localhost", "localhost", true}}
		type probe struct {
			fam        family
			registered string
			c          *framework.Client
		}
		var probes []probe
		for _, f := range families {
			for _, reg := range []string{"http://" + f.host + ":" + other + u.Path, "http://" + f.host + u.Path} {
				c, err := registerWith(t, m, func(md map[string]any) { md["redirect_uris"] = []string{reg} })
				if err != nil {
					t.Notef("the server refused to register %s (%v)", reg, err)
					continue
				}
				probes = append(probes, probe{fam: f, registered: reg, c: c})
			}
		}
		if !slicesAny(probes, func(p probe) bool { return p.fam.name == "127.0.0.1" }) {
			t.Skipf("the server registered no client with a 127.0.0.1 redirect URI, so the loopback port rule could not be exercised")
		}
		loggedIn(t, m)
		reqs := make([]framework.AuthorizationRequest, len(probes))
		for i, p := range probes {
			sent := "http://" + p.fam.host + ":" + port + u.Path
			reqs[i] = framework.AuthorizationRequest{Params: withParam(t.AuthorizationParams(p.c, framework.NewPKCE()), "redirect_uri", sent)}
		}
		results := t.AuthorizeAll(m, reqs)
		var fails failures
		for _, f := range families {
			var refused []string
			tried := 0
			for i, p := range probes {
				if p.fam != f {
					continue
				}
				tried++
				if hasCode(results[i]) {
					continue
				}
				refused = append(refused, fmt.Sprintf("registered %s, requested port %s: %s", p.registered, port, describeRedirect(results[i])))
			}
			switch {
			case tried == 0 || len(refused) < tried:
				for _, r := range refused {
					t.Notef("%s (the other registration form accepted the port)", r)
				}
			case f.warnOnly:
				t.WarnExpected("a localhost redirect URI to accept the port of the request, as MCP clients expect (OAuth 2.1 advises 127.0.0.1 instead, so a WARN only)", strings.Join(refused, "; "))
			default:
				fails.add("Expected: a %s redirect URI to accept any port at request time (OAuth 2.1 §8.4.2, RFC 8252 §7.3), registered with or without a port\nActual:   %s", f.name, strings.Join(refused, "; "))
			}
		}
		fails.report(t)
	}, framework.Browser)

func slicesAny[E any](s []E, f func(E) bool) bool {
	for _, e := range s {
		if f(e) {
			return true
		}
	}
	return false
}

// OAuth 2.1 §4.1.1: the loopback exception is the port only; scheme, host
// and path still match exactly. localhost for 127.0.0.1 is another host, but
// only a WARN (requirements §6).
var _ = framework.It("OAUTH21-4.1.1-loopback-rest-exact",
	"a loopback redirect URI with another path, another loopback address or https is not redirected to",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		u, _ := url.Parse(t.RedirectURI())
		reg := "http://127.0.0.1" + u.Path
		c := mustRegister(t, m, "with the redirect URI "+reg, func(md map[string]any) { md["redirect_uris"] = []string{reg} })
		port := u.Port()
		probes := []redirectProbe{
			{What: "another path", URI: "http://127.0.0.1:" + port + "/other"},
			{What: "another loopback address", URI: "http://127.0.0.2:" + port + u.Path},
			{What: "https instead of http", URI: "https://127.0.0.1:" + port + u.Path},
			{What: "localhost instead of 127.0.0.1", URI: "http://localhost:" + port + u.Path, Equivalent: true},
		}
		loggedIn(t, m)
		var fails failures
		for i, res := range runRedirectProbes(t, m, c, probes, nil) {
			judgeRedirect(t, probes[i], res, nil, &fails)
		}
		fails.report(t)
	}, framework.Browser)

// RFC 6749 §4.1.2.1: a missing or unknown client_id is shown to the user and
// never redirected, since the redirect URI cannot be validated. The value is
// not URL-shaped, so a server that supports client ID metadata documents
// does not fetch it.
var _ = framework.It("RFC6749-4.1.2.1-no-redirect-invalid-client",
	"an unknown or missing client_id never leads to a redirect, even to a redirect URI registered for another client",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c, _ := loggedIn(t, m)
		unknown := func(p url.Values) { p.Set("client_id", "unknown-"+framework.RandomString(6)) }
		missing := func(p url.Values) { p.Del("client_id") }
		cases := []struct {
			what  string
			edit  func(url.Values)
			fresh bool
		}{
			{"an unknown client_id, logged in", unknown, false},
			{"no client_id, logged in", missing, false},
			{"an unknown client_id, no session", unknown, true},
			{"no client_id, no session", missing, true},
		}
		reqs := make([]framework.AuthorizationRequest, len(cases))
		for i, cs := range cases {
			p := t.AuthorizationParams(c, framework.NewPKCE())
			cs.edit(p)
			reqs[i] = framework.AuthorizationRequest{Params: p, Fresh: cs.fresh}
		}
		var fails failures
		for i, res := range t.AuthorizeAll(m, reqs) {
			if res.Redirected {
				fails.add("Expected: no redirect for %s (RFC 6749 §4.1.2.1: the user is informed instead)\nActual:   %s", cases[i].what, describeRedirect(res))
			}
		}
		fails.report(t)
	}, framework.Browser)

// RFC 6749 §3.1: parameters must not repeat; a server that meets duplicates
// must not validate one copy and act on the other (pitfall 9: both orders).
var _ = framework.It("RFC6749-3.1-duplicate-params-authz",
	"a repeated redirect_uri (both orders) never sends the browser to the unregistered copy; repeated client_id or state are refused",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c, _ := loggedIn(t, m)
		c2 := t.PublicClient()
		base := func() url.Values { return t.AuthorizationParams(c, framework.NewPKCE()) }
		cases := []struct {
			what   string
			params url.Values
			watch  string
		}{
			{"redirect_uri twice, registered first", withParam(base(), "redirect_uri", c.RedirectURI, attackerURI), attackerURI},
			{"redirect_uri twice, registered last", withParam(base(), "redirect_uri", attackerURI, c.RedirectURI), attackerURI},
			{"client_id twice (two registered clients)", withParam(base(), "client_id", c.ID, c2.ID), c.RedirectURI},
			{"state twice", withParam(base(), "state", "first-"+framework.RandomString(4), "second-"+framework.RandomString(4)), c.RedirectURI},
		}
		reqs := make([]framework.AuthorizationRequest, len(cases))
		for i, cs := range cases {
			reqs[i] = framework.AuthorizationRequest{Params: cs.params, WatchURI: cs.watch}
		}
		var fails failures
		for i, res := range t.AuthorizeAll(m, reqs) {
			cs := cases[i]
			switch {
			case cs.watch == attackerURI && res.Redirected:
				fails.add("Expected: %s to be refused, and never a redirect to the unregistered %s\nActual:   %s", cs.what, attackerURI, describeRedirect(res))
			case cs.watch == attackerURI:
				if u := navigatedTo(res, c.RedirectURI); u != nil && u.Query().Get("code") != "" {
					t.WarnExpected(fmt.Sprintf("%s to be refused (RFC 6749 §3.1)", cs.what), "a code was issued to the registered redirect URI: "+redactCode(u))
				}
			case hasCode(res):
				t.WarnExpected(fmt.Sprintf("%s to be refused with an error page or invalid_request (RFC 6749 §3.1)", cs.what), "the flow went on: "+describeRedirect(res))
			}
		}
		fails.report(t)
	}, framework.Browser)

// OAuth 2.1 §2.3.2: with one registered redirect URI the client may omit it;
// with several, the server must not pick one (a redirect to a registered URI
// is no open redirect, hence WARN).
var _ = framework.It("OAUTH21-2.3.2-redirect-uri-omitted",
	"without redirect_uri, a client with one registered redirect URI is redirected there; one with two gets an error page",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c := t.PublicClient()
		one := t.Authorize(m, framework.AuthorizationRequest{Params: withParam(t.AuthorizationParams(c, framework.NewPKCE()), "redirect_uri"), WatchURI: c.RedirectURI})
		if !hasCode(one) {
			t.WarnExpected("a request without redirect_uri from a client with one registered redirect URI to succeed (OAuth 2.1 §2.3.2)", describeRedirect(one))
		}
		ruri := t.RedirectURI()
		two := mustRegister(t, m, "with two redirect URIs", func(md map[string]any) { md["redirect_uris"] = []string{ruri, ruri + "-b"} })
		res := t.Authorize(m, framework.AuthorizationRequest{Params: withParam(t.AuthorizationParams(two, framework.NewPKCE()), "redirect_uri"), WatchURI: ruri})
		if res.Redirected {
			t.WarnExpected("a request without redirect_uri from a client with two registered redirect URIs to be refused on an error page (OAuth 2.1 §2.3.2: the client must send it)", describeRedirect(res))
		}
	}, framework.Browser)
