package consent

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/mcpauth/conformance/suite/framework"
)

// The framework's Authorize runs the login and consent tasks; the specs here
// also need to stop on a page and look at it (the consent page's content,
// headers and form), and to replay requests without any task running, so
// that a replay that merely leads to a login or consent page is not mistaken
// for one that was granted. These helpers drive a tab without tasks.

// view is what the browser saw after one navigation or submission.
type view struct {
	// Redirect is the first navigation to the watched origin, nil if none.
	Redirect *url.URL
	// URL and Text are those of the page the browser stayed on.
	URL, Text string
	// Consent and Login say whether a configured consent or login task
	// matches that page.
	Consent, Login bool
	// Headers are the response headers of the document shown.
	Headers http.Header
	// Requests are the URLs of every request the page made, subresources
	// included.
	Requests []requestSeen
	// Form is the consent form, when Consent.
	Form *consentForm
	// XSS is set when the page ran a script planted by the suite.
	XSS bool
}

type requestSeen struct {
	URL  string
	Type network.ResourceType
}

// code is the code of a redirect ("" if none).
func (v *view) code() string {
	if v.Redirect == nil {
		return ""
	}
	if c := v.Redirect.Query().Get("code"); c != "" {
		return c
	}
	f, _ := url.ParseQuery(v.Redirect.EscapedFragment())
	return f.Get("code")
}

func (v *view) describe() string {
	if v.Redirect != nil {
		return "a redirect to " + redactCode(v.Redirect)
	}
	text := strings.Join(strings.Fields(v.Text), " ")
	return fmt.Sprintf("no redirect; the browser stayed on %s showing %q", v.URL, framework.Snippet([]byte(text), 160))
}

// redactCode shows a redirect without the value of its code.
func redactCode(u *url.URL) string {
	c := *u
	q := c.Query()
	if q.Has("code") {
		q.Set("code", "(a code)")
		c.RawQuery = q.Encode()
	}
	return c.String()
}

// consentForm is the consent page's approval form as the page would submit it.
type consentForm struct {
	Action string  `json:"action"`
	Method string  `json:"method"`
	Fields []field `json:"fields"`
	// Approve and Deny are the submit buttons' name and value.
	Approve field `json:"approve"`
	Deny    field `json:"deny"`
}

// csrfName matches the names anti-CSRF fields usually have.
var csrfName = regexp.MustCompile(`(?i)csrf|xsrf|token|nonce|authenticity|_once|verifier|signature`)

// fieldsFor returns the form's fields with the approve button, with the
// anti-CSRF-looking fields removed (alter false) or given another random
// value of the same length (alter true). It reports whether any field looked
// like one.
func (f *consentForm) fieldsFor(alter bool) ([]field, bool) {
	var out []field
	found := false
	for _, fd := range f.Fields {
		if csrfName.MatchString(fd.Name) {
			found = true
			if !alter {
				continue
			}
			fd.Value = strings.Repeat("A", len(fd.Value))
		}
		out = append(out, fd)
	}
	if f.Approve.Name != "" {
		out = append(out, f.Approve)
	}
	return out, found
}

// allFields is the form exactly as an approval submits it.
func (f *consentForm) allFields() []field {
	out := append([]field(nil), f.Fields...)
	if f.Approve.Name != "" {
		out = append(out, f.Approve)
	}
	return out
}

// pageDriver drives one tab without login tasks.
type pageDriver struct {
	t   *framework.T
	tab context.Context

	mu       sync.Mutex
	watch    *url.URL
	redirect *url.URL
	headers  http.Header
	requests []requestSeen
}

// newDriver opens a tab (in the spec's browser context, or a fresh one) and
// starts listening to it. initScript, when set, runs in every document
// before the page's own scripts.
func newDriver(t *framework.T, fresh bool, initScript string) *pageDriver {
	d := &pageDriver{t: t}
	d.tab, _ = t.ListeningTab(fresh, d.event)
	err := d.run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if initScript != "" {
			_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: initScript})
			return err
		}
		return nil
	}))
	if err != nil {
		t.Errorf("the browser tab could not be prepared, so the requirement could not be judged: %v", err)
	}
	return d
}

func (d *pageDriver) event(ev any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		if e.Request == nil {
			return
		}
		d.requests = append(d.requests, requestSeen{URL: e.Request.URL, Type: e.Type})
		if e.Type != network.ResourceTypeDocument || d.watch == nil || d.redirect != nil {
			return
		}
		if u, err := url.Parse(e.Request.URL + e.Request.URLFragment); err == nil && sameOrigin(u, d.watch) {
			d.redirect = u
		}
	case *network.EventResponseReceived:
		if e.Type != network.ResourceTypeDocument || e.Response == nil {
			return
		}
		h := http.Header{}
		for k, v := range e.Response.Headers {
			for _, line := range strings.Split(fmt.Sprint(v), "\n") {
				h.Add(k, line)
			}
		}
		d.headers = h
	}
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}

// run runs one action within the run's timeout.
func (d *pageDriver) run(a chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(d.tab, d.t.Config().Timeout)
	defer cancel()
	stop := context.AfterFunc(d.t.Context(), cancel)
	defer stop()
	_, err := chromedp.Run(ctx, a)
	return err
}

func evaluate[R any](d *pageDriver, script string, opts ...chromedp.EvaluateOption) (R, error) {
	ctx, cancel := context.WithTimeout(d.tab, 2*time.Second)
	defer cancel()
	stop := context.AfterFunc(d.t.Context(), cancel)
	defer stop()
	return chromedp.Run(ctx, chromedp.Evaluate[R](script, opts...))
}

// open navigates to target and waits as visit does.
func (d *pageDriver) open(target, watch string) *view {
	return d.visit(watch, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.Navigate, page.NavigateParams{URL: target})
		return err
	}))
}

// script runs js in the current page (a same-origin form submission, a
// click) and waits as visit does.
func (d *pageDriver) script(js, watch string) *view {
	return d.visit(watch, chromedp.Evaluate[chromedp.Void](js))
}

type pageState struct {
	Href    string `json:"href"`
	Ready   string `json:"ready"`
	Consent bool   `json:"consent"`
	Login   bool   `json:"login"`
	XSS     bool   `json:"xss"`
	Text    string `json:"text"`
}

// visit starts a navigation and waits until the browser reaches the watched
// origin, or shows a consent or login page, or a page stays unchanged for the
// settle window; all within the run's timeout.
func (d *pageDriver) visit(watch string, start chromedp.Action[chromedp.Void]) *view {
	w, _ := url.Parse(watch)
	d.mu.Lock()
	d.watch, d.redirect, d.headers, d.requests = nil, nil, nil, nil
	if w != nil && w.Host != "" {
		d.watch = w
	}
	d.mu.Unlock()
	if err := d.run(start); err != nil && d.redirected() == nil {
		// A navigation to an unresolvable host fails; that is fine when it
		// was the redirect being watched for.
		if !strings.Contains(err.Error(), "net::") {
			d.t.Errorf("the browser could not navigate, so the requirement could not be judged: %v", err)
		}
	}
	cfg := d.t.Config()
	deadline := time.Now().Add(cfg.Timeout)
	lastHref, stillSince := "", time.Now()
	state := fmt.Sprintf(`(() => { const m = (sels) => sels.some(s => { try { return !!document.querySelector(s) } catch (e) { return false } });
		return {href: location.href, ready: document.readyState, consent: m(%s), login: m(%s), xss: !!window.__xss,
			text: document.body ? document.body.innerText.slice(0, 4000) : ""} })()`, jsList(taskSelectors(cfg, true)), jsList(taskSelectors(cfg, false)))
	var st pageState
	for time.Now().Before(deadline) {
		if r := d.redirected(); r != nil {
			return d.result(st, r)
		}
		var err error
		st, err = evaluate[pageState](d, state)
		if err != nil || st.Ready == "loading" {
			sleep(d.t.Context(), 20*time.Millisecond)
			continue
		}
		if st.Href != lastHref {
			lastHref, stillSince = st.Href, time.Now()
		}
		if st.Ready == "complete" && (st.Consent || st.Login || time.Since(stillSince) >= cfg.Settle) {
			return d.result(st, nil)
		}
		sleep(d.t.Context(), 25*time.Millisecond)
	}
	if r := d.redirected(); r != nil {
		return d.result(st, r)
	}
	d.t.Errorf("the page %s did not settle within %s, so the requirement could not be judged (give a longer --timeout)", st.Href, cfg.Timeout)
	return nil
}

func (d *pageDriver) redirected() *url.URL {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.redirect
}

func (d *pageDriver) result(st pageState, redirect *url.URL) *view {
	d.mu.Lock()
	v := &view{Redirect: redirect, URL: st.Href, Text: st.Text, Consent: st.Consent, Login: st.Login, XSS: st.XSS,
		Headers: d.headers, Requests: append([]requestSeen(nil), d.requests...)}
	d.mu.Unlock()
	if redirect == nil && v.Consent {
		v.Form = d.readForm()
	}
	return v
}

// readForm reads the consent form: the form of the approve button the
// consent task clicks (else of the task's element, else the page's first
// form), its fields in order, and both buttons.
func (d *pageDriver) readForm() *consentForm {
	task := consentTask(d.t.Config())
	if task == nil {
		return nil
	}
	js := fmt.Sprintf(`(() => { const q = (s) => { try { return s ? document.querySelector(s) : null } catch (e) { return null } };
		const approve = q(%q), deny = q(%q), el = q(%q);
		const form = (approve && approve.form) || (el && (el.tagName === "FORM" ? el : el.closest("form"))) || document.querySelector("form");
		if (!form) return null;
		const btn = (b) => b && b.name ? {Name: b.name, Value: b.value} : {Name: "", Value: ""};
		return {action: form.action, method: (form.getAttribute("method") || "get").toUpperCase(),
			fields: [...new FormData(form)].filter(([k, v]) => typeof v === "string").map(([k, v]) => ({Name: k, Value: v})),
			approve: btn(approve), deny: btn(deny)} })()`, clickSelector(task.Steps), clickSelector(task.DenySteps), task.Selector)
	f, err := evaluate[*consentForm](d, js)
	if err != nil {
		return nil
	}
	return f
}

// submitJS is a script that submits a form built from fields, from the page
// the tab is on (so with that page's origin).
func submitJS(method, action string, fields []field) string {
	b, _ := json.Marshal(map[string]any{"method": method, "action": action, "fields": fields})
	return fmt.Sprintf(`(() => { const f = %s; const form = document.createElement("form");
		form.method = f.method; form.action = f.action;
		for (const x of f.fields || []) { const i = document.createElement("input"); i.type = "hidden"; i.name = x.Name; i.value = x.Value; form.appendChild(i); }
		document.documentElement.appendChild(form); HTMLFormElement.prototype.submit.call(form); })()`, b)
}

// clickJS clicks the element matching selector.
func clickJS(selector string) string {
	return fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (e) e.click(); })()`, selector)
}

// cookies returns the browser's cookies for the URLs, in the tab's context.
func (d *pageDriver) cookies(urls ...string) []*network.Cookie {
	var out []*network.Cookie
	err := d.run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		r, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: urls})
		out = r.Cookies
		return err
	}))
	if err != nil {
		d.t.Errorf("the browser's cookies could not be read, so the requirement could not be judged: %v", err)
	}
	return out
}

// setCookies stores cookies for origin in the tab's browser context, with
// the given SameSite value ("" keeps each cookie's own).
func (d *pageDriver) setCookies(origin string, cookies []*network.Cookie, sameSite network.CookieSameSite) error {
	return d.run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, c := range cookies {
			p := network.SetCookieParams{Name: c.Name, Value: c.Value, Path: c.Path, Secure: &c.Secure, HTTPOnly: &c.HTTPOnly, SameSite: c.SameSite}
			if strings.HasPrefix(c.Domain, ".") {
				p.Domain = c.Domain
			} else {
				p.URL = origin + "/"
			}
			if sameSite != "" {
				p.SameSite = sameSite
			}
			if _, err := cdp.Call(ctx, tg, network.SetCookie, p); err != nil {
				return fmt.Errorf("cookie %s: %w", c.Name, err)
			}
		}
		return nil
	}))
}

// frameContent is what a framed document shows.
type frameContent struct {
	Found   bool
	URL     string
	Origin  string `json:"origin"`
	Href    string `json:"href"`
	Consent bool   `json:"consent"`
	Login   bool   `json:"login"`
	Text    string `json:"text"`
}

// childFrame waits for a frame of the page to load and reads it. The page
// is of another site, so Chrome runs the frame in a process of its own, as
// a target of type iframe (site isolation); a context attached to that target
// reads its document. A frame the browser refused to render shows its error
// page there, not the server's document. Without site isolation the frame is
// in the page's process and is read through an isolated world.
func (d *pageDriver) childFrame() frameContent {
	cfg := d.t.Config()
	deadline := time.Now().Add(cfg.Timeout)
	js := fmt.Sprintf(`(() => { const m = (sels) => sels.some(s => { try { return !!document.querySelector(s) } catch (e) { return false } });
		return document.readyState === "complete" ? {origin: location.origin, href: location.href, consent: m(%s), login: m(%s),
			text: document.body ? document.body.innerText.slice(0, 2000) : ""} : null })()`, jsList(taskSelectors(cfg, true)), jsList(taskSelectors(cfg, false)))
	me := chromedp.FromContext(d.tab).Target.TargetID
	for time.Now().Before(deadline) {
		fc := d.oopFrame(me, js)
		if fc == nil {
			fc = d.inProcessFrame(js)
		}
		if fc != nil {
			// A frame that loaded may still navigate (a login page that
			// forwards); give it the settle window, then read it again.
			sleep(d.t.Context(), cfg.Settle)
			if again := d.oopFrame(me, js); again != nil {
				return *again
			}
			return *fc
		}
		sleep(d.t.Context(), 50*time.Millisecond)
	}
	return frameContent{}
}

// oopFrame reads the first loaded iframe target of the page.
func (d *pageDriver) oopFrame(page target.ID, js string) *frameContent {
	infos, err := chromedp.Targets(d.tab)
	if err != nil {
		return nil
	}
	for _, in := range infos {
		if in.Type != "iframe" || in.ParentID != page {
			continue
		}
		fctx, cancel := chromedp.NewContext(d.tab, chromedp.WithTargetID(in.TargetID))
		ctx, cancelRun := context.WithTimeout(fctx, 2*time.Second)
		r, err := chromedp.Run(ctx, chromedp.Evaluate[*frameContent](js))
		cancelRun()
		cancel()
		if err == nil && r != nil {
			r.Found, r.URL = true, in.URL
			return r
		}
	}
	return nil
}

// inProcessFrame reads the first child frame of the page's own process.
func (d *pageDriver) inProcessFrame(js string) *frameContent {
	var fc *frameContent
	_ = d.run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		tree, err := cdp.Call(ctx, tg, page.GetFrameTree, cdp.Empty{})
		if err != nil || tree.FrameTree == nil || len(tree.FrameTree.ChildFrames) == 0 {
			return err
		}
		frame := tree.FrameTree.ChildFrames[0].Frame
		world, err := cdp.Call(ctx, tg, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: frame.ID, WorldName: "conformance"})
		if err != nil {
			return err
		}
		r, err := chromedp.Evaluate[*frameContent](js, func(p *runtime.EvaluateParams) { p.ContextID = world.ExecutionContextID })(ctx, tg)
		if err == nil && r != nil {
			r.Found, r.URL = true, frame.URL
			fc = r
		}
		return err
	}))
	return fc
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// taskSelectors lists the selectors of the configured consent (or other)
// tasks.
func taskSelectors(cfg *framework.Config, consent bool) []string {
	var out []string
	for _, task := range cfg.Login.Tasks {
		if task.Consent == consent && task.Selector != "" {
			out = append(out, task.Selector)
		}
	}
	return out
}

func consentTask(cfg *framework.Config) *framework.Task {
	for i := range cfg.Login.Tasks {
		if cfg.Login.Tasks[i].Consent {
			return &cfg.Login.Tasks[i]
		}
	}
	return nil
}

// clickSelector is the selector of the first click step.
func clickSelector(steps []framework.Step) string {
	for _, s := range steps {
		if s.Action == "click" {
			return s.Selector
		}
	}
	return ""
}

func jsList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}
