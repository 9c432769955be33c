package consent

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/mcpauth/conformance/suite/framework"
)

// RFC 6749 §10.12: no client obtains authorization without the user's
// explicit approval. The approval form is replayed the ways an attacker
// could, each on a consent page of its own; the verdict is about behaviour,
// not mechanism (pitfall 18): tokens, Origin checks and SameSite cookies are
// all valid defences.
//
//   - (b) a cross-site form POST from the suite's page on another site, in
//     the user's browser, without the anti-CSRF fields: a code is a FAIL;
//   - (a) the same from a second browser context holding the user's session
//     cookie as SameSite=None (injected through CDP), which takes away the
//     browser's default Lax protection: a code there only is a WARN (the
//     server relies on browser defaults);
//   - (c) the approval as a top-level GET with the form's fields but not its
//     anti-CSRF fields: a code is a FAIL;
//   - (d) the approval submitted again, from the server's own origin, after it
//     succeeded: a code is a FAIL.
var _ = framework.It("RFC6749-10.12-consent-csrf",
	"the consent approval cannot be forged: not cross-site, not by GET, not without the page's anti-CSRF value, not replayed",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		loggedIn(t, m)
		c := t.PublicClient()
		site := hostileSite(t)
		type replay struct {
			what   string
			d      *pageDriver
			v      *view
			result *view
		}
		replays := []*replay{
			{what: "(b) a cross-site form POST without the anti-CSRF fields, in the user's browser"},
			{what: "(a) the same from a second browser context with the session cookie as SameSite=None"},
			{what: "(c) a GET of the approval URL without the anti-CSRF fields"},
			{what: "(d) the approval submitted again after it succeeded"},
		}
		var fns []func()
		for _, r := range replays {
			fns = append(fns, func() { r.d, r.v = consentPage(t, m, t.AuthorizationParams(c, framework.NewPKCE()), "") })
		}
		parallel(fns...)
		form := replays[0].v.Form
		if form == nil || form.Action == "" {
			t.Errorf("the consent page's approval form could not be read (no form around the approve control of the consent task)")
		}
		origin := originOf(form.Action)
		watch := c.RedirectURI
		var session []*network.Cookie
		for _, r := range replays {
			if r.v.Form == nil {
				t.Errorf("the approval form of one of the consent pages could not be read")
			}
		}
		session = replays[0].d.cookies(origin+"/", t.Endpoint(m, "authorization_endpoint"))
		second := newDriver(t, true, "")
		if err := second.setCookies(origin, session, network.CookieSameSiteNone); err != nil {
			t.Errorf("the session cookie could not be copied into a second browser context: %v", err)
		}
		parallel(
			func() {
				fields, _ := replays[0].v.Form.fieldsFor(false)
				replays[0].result = replays[0].d.open(site.autoSubmit(replays[0].v.Form.Method, replays[0].v.Form.Action, fields), watch)
			},
			func() {
				fields, _ := replays[1].v.Form.fieldsFor(false)
				replays[1].result = second.open(site.autoSubmit(replays[1].v.Form.Method, replays[1].v.Form.Action, fields), watch)
			},
			func() {
				fields, _ := replays[2].v.Form.fieldsFor(false)
				q := url.Values{}
				for _, f := range fields {
					q.Add(f.Name, f.Value)
				}
				target, _ := framework.MergeQuery(replays[2].v.Form.Action, q)
				replays[2].result = replays[2].d.open(target, watch)
			},
			func() {
				r := replays[3]
				approved := r.d.script(clickJS(clickSelector(consentTask(t.Config()).Steps)), watch)
				if approved.code() == "" {
					r.result = nil
					t.Notef("(d) approving the consent page normally gave no code (%s), so the replay after success was not tried", approved.describe())
					return
				}
				r.d.open(r.v.Form.Action, "")
				r.result = r.d.script(submitJS(r.v.Form.Method, r.v.Form.Action, r.v.Form.allFields()), watch)
			},
		)
		_, hasToken := form.fieldsFor(false)
		if !hasToken {
			t.Notef("the consent form has no field that looks like an anti-CSRF token (%s); the replays send it unchanged", fieldNames(form.Fields))
		}
		var fails failures
		csrfForged := false
		for i, r := range replays {
			if r.result == nil || r.result.code() == "" {
				continue
			}
			switch i {
			case 1:
				csrfForged = true
			default:
				fails.add("Expected: %s to be refused (RFC 6749 §10.12: approval needs the user's knowing consent)\nActual:   %s", r.what, r.result.describe())
			}
		}
		if csrfForged && replays[0].result != nil && replays[0].result.code() == "" {
			t.WarnExpected("the server itself to refuse an approval without its anti-CSRF value or from another origin (RFC 6749 §10.12)",
				replays[1].what+" was approved: "+replays[1].result.describe()+"; only the browser's default SameSite=Lax handling of the session cookie stops the cross-site POST")
		}
		fails.report(t)
	}, framework.Browser)

func fieldNames(fields []field) string {
	var names []string
	for _, f := range fields {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// OAuth 2.1 §7.3.1: no automatic approval for a client whose identity is not
// confirmed; a new dynamically registered client in the same session must
// see the consent page (the MCP confused-deputy pattern). A second request
// of an approved public client approved silently is a WARN.
var _ = framework.It("OAUTH21-7.3.1-no-silent-consent-unknown-client",
	"a second client registered in the same browser session gets the consent page; a repeated request of a public client is not approved silently",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c1, first := loggedIn(t, m)
		if !first.ConsentShown {
			t.Skipf("no consent step: the server approved the first request of a new client without a consent page (first-party or admin-consented setups), so silent approval cannot be told apart")
		}
		ruri := t.RedirectURI()
		c2 := mustRegister(t, m, "with another redirect URI", func(md map[string]any) { md["redirect_uris"] = []string{ruri + "-second"} })
		results := t.AuthorizeAll(m, []framework.AuthorizationRequest{
			{Params: t.AuthorizationParams(c2, framework.NewPKCE())},
			{Params: t.AuthorizationParams(c1, framework.NewPKCE())},
		})
		if r := results[0]; hasCode(r) && !r.ConsentShown {
			t.Violation("a consent page for a client the user never approved, registered in the same session (OAuth 2.1 §7.3.1)", "the new client got a code without any consent interaction: "+describeRedirect(r))
		}
		if r := results[1]; hasCode(r) && !r.ConsentShown {
			msg := "the second request of the approved client was approved without the consent page"
			if c1.Public() || dcrClient(c1) {
				t.WarnExpected("no automatic approval for a public, dynamically registered client, whose identity the server cannot confirm (OAuth 2.1 §7.3.1)", msg)
			} else {
				t.Infof("%s (a confidential, pre-registered client)", msg)
			}
		}
	}, framework.Browser)

// MCPSBP "Consent UI Requirements", RFC 6749 §10.2: the consent page names
// the client, the scopes and where the tokens go. Outside MCP-proxy mode
// each gap is a WARN.
var _ = framework.It("MCPSBP-consent-shows-client-scope-redirect",
	"the consent page shows the client's name, the requested scope and the redirect URI's host",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		name := "Conformance-Client-" + strings.ToUpper(framework.RandomString(2))
		c := mustRegister(t, m, "with a client_name", func(md map[string]any) { md["client_name"] = name })
		loggedIn(t, m)
		params := t.AuthorizationParams(c, framework.NewPKCE())
		scope := params.Get("scope")
		if scope == "" {
			scope = framework.AdvertisedScope(m)
			if scope != "" {
				params.Set("scope", scope)
			}
		}
		_, v := consentPage(t, m, params, "")
		text := strings.ToLower(v.Text)
		if !strings.Contains(text, strings.ToLower(name)) {
			t.WarnExpected(fmt.Sprintf("the consent page to name the client, %q (MCP security best practices, RFC 6749 §10.2)", name), "the name is not in the page's text")
		}
		host := ""
		if u, err := url.Parse(c.RedirectURI); err == nil {
			host = u.Hostname()
		}
		if !strings.Contains(text, strings.ToLower(host)) {
			t.WarnExpected(fmt.Sprintf("the consent page to show the redirect URI's host %s", host), "the host is not in the page's text")
		}
		switch {
		case scope == "":
			t.Notef("no scope was requested (none configured or advertised), so the scope display was not checked")
		case !strings.Contains(text, strings.ToLower(scope)):
			t.WarnExpected(fmt.Sprintf("the consent page to show the requested scope %q", scope), "the scope is not in the page's text (a friendly label instead cannot be recognised)")
		}
	}, framework.Browser)

// frameHeaders judges one page's anti-framing headers: CSP frame-ancestors
// without a wildcard, or X-Frame-Options DENY or SAMEORIGIN (headers only:
// a <meta> CSP cannot carry frame-ancestors).
func frameHeaders(h http.Header) (string, bool) {
	for _, csp := range h.Values("Content-Security-Policy") {
		for _, dir := range strings.Split(csp, ";") {
			fields := strings.Fields(strings.ToLower(dir))
			if len(fields) > 0 && fields[0] == "frame-ancestors" {
				for _, src := range fields[1:] {
					if src == "*" || src == "https:" || src == "http:" {
						return "CSP frame-ancestors allows any origin: " + csp, false
					}
				}
				return "", true
			}
		}
	}
	switch xfo := strings.ToUpper(strings.TrimSpace(h.Get("X-Frame-Options"))); xfo {
	case "DENY", "SAMEORIGIN":
		return "", true
	case "":
		return "neither CSP frame-ancestors nor X-Frame-Options", false
	default:
		return "X-Frame-Options " + xfo + " (ALLOW-FROM is obsolete and ignored)", false
	}
}

// RFC 9700 §4.16: the login and consent pages cannot be framed by another
// origin. Behaviourally, a page of the suite's other site frames the
// authorization request (logged out: the login page; logged in with the
// session cookie made SameSite=None so it reaches the frame: the consent
// page); any of the server's pages rendered in the frame is a FAIL. The
// headers themselves are a WARN (the SHOULD of frame-ancestors).
var _ = framework.It("RFC9700-4.16-clickjacking",
	"the login and consent pages do not render inside a frame of another site, and carry CSP frame-ancestors or X-Frame-Options",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		loggedIn(t, m)
		site := hostileSite(t)
		c := t.PublicClient()
		loginParams := t.AuthorizationParams(c, framework.NewPKCE())
		framedParams := t.AuthorizationParams(c, framework.NewPKCE())
		cd, consentView := consentPageIfAny(t, m, t.AuthorizationParams(t.PublicClient(), framework.NewPKCE()), "")
		asOrigin := originOf(t.Endpoint(m, "authorization_endpoint"))
		if err := cd.setCookies(asOrigin, cd.cookies(asOrigin+"/"), network.CookieSameSiteNone); err != nil {
			t.Errorf("the session cookie could not be made SameSite=None for the framing probe: %v", err)
		}
		var loggedOut, framedConsent frameContent
		var login *view
		parallel(
			func() {
				d := newDriver(t, true, "")
				d.open(site.framing(authorizationURL(t, m, loginParams)), "")
				loggedOut = d.childFrame()
			},
			func() {
				d := newDriver(t, false, "")
				d.open(site.framing(authorizationURL(t, m, framedParams)), "")
				framedConsent = d.childFrame()
			},
			func() {
				login = newDriver(t, true, "").open(authorizationURL(t, m, t.AuthorizationParams(c, framework.NewPKCE())), "")
			},
		)
		var fails failures
		for _, fc := range []struct {
			what string
			fc   frameContent
		}{{"logged out", loggedOut}, {"logged in", framedConsent}} {
			if !fc.fc.Found || !strings.EqualFold(fc.fc.Origin, asOrigin) {
				continue
			}
			page := "a page of the server"
			switch {
			case fc.fc.Consent:
				page = "the consent page"
			case fc.fc.Login:
				page = "the login page"
			}
			fails.add("Expected: the server's pages not to render in a frame of another site (RFC 9700 §4.16)\nActual:   %s, %s rendered inside the frame at %s: %q", fc.what, page, strings.SplitN(fc.fc.Href, "?", 2)[0], framework.Snippet([]byte(strings.Join(strings.Fields(fc.fc.Text), " ")), 120))
		}
		fails.report(t)
		for _, p := range []struct {
			what string
			v    *view
		}{{"the login page", login}, {"the consent page", consentView}} {
			if p.v == nil || p.v.Headers == nil {
				continue
			}
			if why, ok := frameHeaders(p.v.Headers); !ok {
				t.WarnExpected(fmt.Sprintf("%s to carry CSP frame-ancestors (or X-Frame-Options DENY/SAMEORIGIN) in its headers", p.what), why)
			}
		}
	}, framework.Browser)

// MCPSBP "Consent Cookie Security": cookies Secure and HttpOnly (WARN
// outside MCP-proxy mode), SameSite Lax or stricter; the __Host- prefix is
// noted. Black-box, the session and consent cookies cannot be told apart, so
// every cookie of the server's origin after a consented flow is judged.
var _ = framework.It("MCPSBP-consent-cookie-attributes",
	"the cookies the server sets during login and consent are Secure, HttpOnly and not SameSite=None",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		loggedIn(t, m)
		endpoint := t.Endpoint(m, "authorization_endpoint")
		asOrigin := originOf(endpoint)
		cookies := newDriver(t, false, "").cookies(asOrigin+"/", endpoint)
		if len(cookies) == 0 {
			t.Skipf("the server set no cookie on its origin during login and consent")
		}
		https := strings.HasPrefix(asOrigin, "https://")
		for _, c := range cookies {
			var gaps []string
			if https && !c.Secure {
				gaps = append(gaps, "no Secure")
			}
			if !c.HTTPOnly {
				gaps = append(gaps, "no HttpOnly")
			}
			if c.SameSite == network.CookieSameSiteNone {
				gaps = append(gaps, "SameSite=None")
			}
			if len(gaps) > 0 {
				t.WarnExpected(fmt.Sprintf("cookie %s to be Secure, HttpOnly and SameSite=Lax or Strict", c.Name), strings.Join(gaps, ", "))
			}
			if https && !strings.HasPrefix(c.Name, "__Host-") {
				t.Notef("cookie %s has no __Host- prefix (asked of MCP proxy servers' consent cookies)", c.Name)
			}
		}
	}, framework.Browser)

// RFC 9700 §4.2.4: the authorization pages should not load third-party
// resources, which would see the request (state included) in the Referer.
// No Referrer-Policy is INFO.
var _ = framework.It("RFC9700-4.2.4-no-third-party-content",
	"the login and consent pages load nothing from other hosts; a Referrer-Policy is recorded",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		loggedIn(t, m)
		c := t.PublicClient()
		endpoint := t.Endpoint(m, "authorization_endpoint")
		var login, consent *view
		parallel(
			func() {
				login = newDriver(t, true, "").open(authorizationURL(t, m, t.AuthorizationParams(c, framework.NewPKCE())), "")
			},
			func() { _, consent = consentPageIfAny(t, m, t.AuthorizationParams(c, framework.NewPKCE()), "") },
		)
		own := map[string]bool{hostOf(endpoint): true, hostOf(t.Target().Issuer): true}
		if consent != nil && consent.Form != nil {
			own[hostOf(consent.Form.Action)] = true
		}
		for _, p := range []struct {
			what string
			v    *view
		}{{"the login page", login}, {"the consent page", consent}} {
			if p.v == nil {
				continue
			}
			var foreign []string
			for _, r := range p.v.Requests {
				h := hostOf(r.URL)
				if r.Type == network.ResourceTypeDocument || h == "" || own[h] {
					continue
				}
				foreign = append(foreign, fmt.Sprintf("%s %s", r.Type, r.URL))
			}
			if len(foreign) > 0 {
				t.WarnExpected(fmt.Sprintf("%s to load nothing from other hosts (RFC 9700 §4.2.4)", p.what), strings.Join(foreign, "; "))
			}
			if p.v.Headers != nil && p.v.Headers.Get("Referrer-Policy") == "" {
				t.Infof("%s sends no Referrer-Policy header (no-referrer is the suggested mitigation, RFC 9700 §4.2.4)", p.what)
			}
		}
	}, framework.Browser)

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return strings.ToLower(u.Host)
}

// xssPayload goes into client_name and state; xssURI into the URI metadata.
const (
	xssPayload = `<img src=x onerror=window.__xss=1>"'><svg onload=window.__xss=1>`
	xssURI     = "javascript:window.__xss=1"
	// xssHooks runs before the page's scripts: dialogs count as execution.
	xssHooks = `window.alert = window.confirm = window.prompt = function () { window.__xss = 1; };`
	// xssDOM finds what became executable: the flag, a javascript: link,
	// an event handler or a script carrying the payload.
	xssDOM = `(() => !!window.__xss || [...document.querySelectorAll("a[href], area[href]")].some(a => a.getAttribute("href").trim().toLowerCase().startsWith("javascript:")) ||
		[...document.querySelectorAll("*")].some(e => [...e.attributes].some(a => a.name.startsWith("on") && a.value.includes("__xss"))) ||
		[...document.scripts].some(s => s.text.includes("__xss")))()`
)

// RFC 6749 §10.14: values the server renders (client metadata, state,
// redirect_uri) are sanitized. The payloads must not run, and no
// javascript: link may appear, judged in the DOM, on the consent page, the
// login page and an error page that may echo the request.
var _ = framework.It("RFC6749-10.14-input-sanitized",
	"script payloads in client_name, the URI metadata, state and redirect_uri never run on the login, consent or error pages",
	func(ctx context.Context, t *framework.T) {
		m := t.Metadata()
		c, err := registerWith(t, m, func(md map[string]any) {
			md["client_name"] = xssPayload
			for _, k := range []string{"client_uri", "logo_uri", "policy_uri", "tos_uri"} {
				md[k] = xssURI
			}
		})
		if err != nil {
			t.Notef("the server refused client metadata with javascript: URIs (%v), which is a correct answer; trying the name alone", err)
			c = mustRegister(t, m, "with a script payload as client_name", func(md map[string]any) { md["client_name"] = xssPayload })
		}
		loggedIn(t, m)
		params := t.AuthorizationParams(c, framework.NewPKCE())
		params.Set("state", xssPayload)
		bad := withParam(params, "redirect_uri", attackerURI+"?x="+url.QueryEscape(xssPayload))
		var consent, login, errPage *view
		var cd, ld, ed *pageDriver
		parallel(
			func() { cd, consent = consentPageIfAny(t, m, params, xssHooks) },
			func() { ld = newDriver(t, true, xssHooks); login = ld.open(authorizationURL(t, m, params), "") },
			func() {
				ed = newDriver(t, false, xssHooks)
				errPage = ed.open(authorizationURL(t, m, bad), attackerURI)
			},
		)
		var fails failures
		for _, p := range []struct {
			what string
			d    *pageDriver
			v    *view
		}{{"the consent page", cd, consent}, {"the login page", ld, login}, {"the error page for a redirect_uri carrying the payload", ed, errPage}} {
			if p.v == nil || p.v.Redirect != nil {
				continue
			}
			sleep(t.Context(), 150*time.Millisecond)
			ran, err := evaluate[bool](p.d, xssDOM)
			if err != nil {
				t.Errorf("%s could not be inspected: %v", p.what, err)
			}
			if ran || p.v.XSS {
				fails.add("Expected: the script payloads to show as text on %s (RFC 6749 §10.14)\nActual:   a payload ran or became an executable element or javascript: link in the DOM at %s", p.what, p.v.URL)
			}
		}
		fails.report(t)
	}, framework.Browser)
