package framework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/onsi/ginkgo/v2"
)

// AuthorizationRequest is one trip through the authorization endpoint.
type AuthorizationRequest struct {
	// Endpoint is the authorization_endpoint; its own query is kept.
	Endpoint string
	// Params are the request parameters; url.Values keeps repeated keys.
	Params url.Values
	// WatchURI is where a redirect is expected; default Params' redirect_uri.
	// Any navigation to its origin counts as the redirect (requirements §1.3,
	// NO-REDIRECT).
	WatchURI string
	// Deny declines on the consent page instead of approving.
	Deny bool
	// Fresh runs the flow in a new browser context with no session. Without
	// it, the flows of one spec share the spec's own browser context (its
	// cookies and storage), which no other spec sees.
	Fresh bool
}

// Navigation is one top-level document request the browser made.
type Navigation struct {
	Method string
	URL    string
	// StatusBefore is the status of the redirect that led here (0 if none).
	StatusBefore int
}

// AuthorizationResponse is where the flow ended.
type AuthorizationResponse struct {
	// Redirected is true when the browser navigated to the watched origin.
	Redirected bool
	// URL is that navigation, fragment included.
	URL *url.URL
	// Query and Fragment are the parameters of the redirect, decoded.
	Query    url.Values
	Fragment url.Values
	// LoginShown and ConsentShown say which pages the flow went through.
	LoginShown   bool
	ConsentShown bool
	// Page is the last page shown when there was no redirect.
	Page PageCapture
	// ConsentText and ConsentHTML are the visible text and the markup of the
	// (last) consent page, read before the consent task ran.
	ConsentText, ConsentHTML string
	Navigations              []Navigation
}

// Code is the authorization code of a success redirect ("" if none).
func (r *AuthorizationResponse) Code() string { return r.Query.Get("code") }

// Error is the error code of an error redirect ("" if none).
func (r *AuthorizationResponse) Error() string { return r.Query.Get("error") }

// Describe says in one line where the flow ended, for messages.
func (r *AuthorizationResponse) Describe() string {
	if r.Redirected {
		return "a redirect to " + r.URL.String()
	}
	text := strings.Join(strings.Fields(r.Page.Text), " ")
	return fmt.Sprintf("no redirect; the browser stayed on %s showing %q", r.Page.URL, Snippet([]byte(text), 160))
}

// AuthorizationParams are the standard parameters (STD-AUTHZ): code flow,
// the client's redirect URI, a random state, the S256 challenge, and the
// configured resource and scope when there are any.
func (t *T) AuthorizationParams(c *Client, p PKCE) url.Values {
	v := url.Values{
		"response_type":         {"code"},
		"client_id":             {c.ID},
		"redirect_uri":          {c.RedirectURI},
		"state":                 {RandomString(16)},
		"code_challenge":        {p.Challenge},
		"code_challenge_method": {p.Method},
	}
	if r := t.Target().Resource; r != "" {
		v.Set("resource", r)
	}
	if s := t.Scope(); s != "" {
		v.Set("scope", s)
	}
	return v
}

// Authorize drives the authorization endpoint in Chrome: it opens the
// request, runs the configured login and consent tasks, and returns the
// redirect back to the client, or the page the browser stayed on.
func (t *T) Authorize(m *Metadata, req AuthorizationRequest) *AuthorizationResponse {
	if req.Endpoint == "" {
		req.Endpoint = t.Endpoint(m, "authorization_endpoint")
	}
	res, err := authorize(t.ctx, current(), &t.browser, req)
	outcome := "the browser could not drive it"
	if err == nil {
		outcome = "ended in " + res.Describe()
	}
	t.flows = append(t.flows, flowRecord{outcome: outcome, navigations: res.Navigations})
	if bu := (*BrowserUnavailableError)(nil); errors.As(err, &bu) {
		ginkgo.AbortSuite("the browser specs cannot run: " + bu.Error() + "\n(run HTTP-only specs with --label-filter='!browser')")
	}
	if err != nil {
		t.capturePage(res.Page)
		t.Errorf("the authorization flow could not be driven in the browser, so the requirement could not be judged: %v\n(check the login tasks of the configuration, or give a longer --timeout)", err)
	}
	if !res.Redirected {
		t.capturePage(res.Page)
	}
	return res
}

// ApprovedAuthorization runs an authorization request the user approves and
// that should yield a code. A server may refuse a request without scope (RFC
// 6749 §3.3: invalid_scope; some answer access_denied). When no scope is
// configured and that happens, the request is retried once with a scope the
// metadata advertises, and this process's later flows request that scope too:
// the requirement under test is not about scope.
func (t *T) ApprovedAuthorization(m *Metadata, params url.Values) *AuthorizationResponse {
	res := t.Authorize(m, AuthorizationRequest{Params: params})
	if res.Code() != "" || params.Get("scope") != "" || !scopeRefusal(res.Error()) {
		return res
	}
	scope := AdvertisedScope(m)
	if scope == "" {
		return res
	}
	retry := cloneValues(params)
	retry.Set("scope", scope)
	retry.Set("state", RandomString(16))
	again := t.Authorize(m, AuthorizationRequest{Params: retry})
	if again.Code() == "" {
		return res
	}
	t.learnedScope = scope
	t.Notef("the server refused an authorization request without scope (error %s), so this spec requests scope %q, the first plain OAuth scope of scopes_supported (give --scope to choose)", res.Error(), scope)
	return again
}

func scopeRefusal(code string) bool { return code == "access_denied" || code == "invalid_scope" }

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// ObtainCode runs an approved authorization and returns its code. A flow that
// yields no code leaves the requirement unexercised: SKIP, with where the flow
// ended (RFC7636-4.2-s256-mti reports a server that never issues a code).
func (t *T) ObtainCode(m *Metadata, params url.Values) (string, *AuthorizationResponse) {
	res := t.ApprovedAuthorization(m, params)
	if res.Code() == "" {
		hint := ""
		if scopeRefusal(res.Error()) && t.Scope() == "" {
			hint = "; if the server needs a scope, give --scope"
		}
		t.Skipf("precondition not met: an approved authorization request yielded no code, so this requirement could not be exercised; the flow ended in %s%s", res.Describe(), hint)
	}
	return res.Code(), res
}

var taskPatterns sync.Map // string -> *regexp.Regexp

func compiled(pattern string) *regexp.Regexp {
	if re, ok := taskPatterns.Load(pattern); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		re = regexp.MustCompile(regexp.QuoteMeta(pattern))
	}
	taskPatterns.Store(pattern, re)
	return re
}

// pageState is what one poll of the page returns.
type pageState struct {
	Href    string `json:"href"`
	Ready   string `json:"ready"`
	Handled bool   `json:"handled"`
	Matches []bool `json:"matches"`
}

func authorize(ctx context.Context, e *environment, session *browserSession, req AuthorizationRequest) (*AuthorizationResponse, error) {
	res := &AuthorizationResponse{}
	target, err := MergeQuery(req.Endpoint, req.Params)
	if err != nil {
		return res, fmt.Errorf("the authorization endpoint %q is not a URL: %w", req.Endpoint, err)
	}
	watch := req.WatchURI
	if watch == "" {
		watch = req.Params.Get("redirect_uri")
	}
	watchURL, err := url.Parse(watch)
	if err != nil || watchURL.Host == "" {
		watchURL = nil
	}

	tab, closeTab, err := session.tab(ctx, e, req.Endpoint, req.Fresh)
	if err != nil {
		return res, err
	}
	defer closeTab()

	// The whole flow is bounded: a server that never settles cannot hang the run.
	deadline := time.Now().Add(3 * e.cfg.Timeout)
	flowCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()

	// The listener runs on chromedp's goroutine and may still fire while the
	// tab closes, so it appends to navs under mu, and res gets a copy.
	var (
		mu   sync.Mutex
		navs []Navigation
	)
	defer func() {
		mu.Lock()
		res.Navigations = slices.Clone(navs)
		mu.Unlock()
	}()
	redirected := make(chan *url.URL, 1)
	// Listen opens the tab with the tab's own context, so later actions each
	// get their own deadline (chromedp ties the tab to its first call).
	err = chromedp.Listen(tab, func(ev any) {
		rw, ok := ev.(*network.EventRequestWillBeSent)
		if !ok || rw.Type != network.ResourceTypeDocument || rw.Request == nil {
			return
		}
		nav := Navigation{Method: rw.Request.Method, URL: rw.Request.URL + rw.Request.URLFragment}
		if rw.RedirectResponse != nil {
			nav.StatusBefore = int(rw.RedirectResponse.Status)
		}
		mu.Lock()
		navs = append(navs, nav)
		mu.Unlock()
		if u, err := url.Parse(nav.URL); err == nil && watchURL != nil && u.Scheme == watchURL.Scheme && u.Host == watchURL.Host {
			select {
			case redirected <- u:
			default:
			}
		}
	})
	if err != nil {
		return res, fmt.Errorf("a browser tab could not be opened: %w", err)
	}
	if _, err := runWithin(flowCtx, tab, e.cfg.Timeout, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		nav, err := cdp.Call(ctx, t, page.Navigate, page.NavigateParams{URL: target})
		if err == nil && nav.ErrorText != "" {
			err = errors.New(nav.ErrorText)
		}
		return err
	})); err != nil {
		// A navigation error (for example a redirect to an unresolvable host)
		// is fine if the redirect was already seen.
		select {
		case u := <-redirected:
			return finish(res, u), nil
		default:
		}
		return res, fmt.Errorf("navigating to %s failed: %w", target, err)
	}

	tasks := e.cfg.Login.Tasks
	runs := map[string]int{}
	var lastHref string
	stillSince := time.Now()
	for {
		select {
		case u := <-redirected:
			settleCallback(flowCtx, tab, u)
			return finish(res, u), nil
		default:
		}
		if time.Now().After(deadline) {
			res.Page = capture(tab, e.cfg.Timeout)
			return res, fmt.Errorf("the flow did not end within %s; it was on %s", 3*e.cfg.Timeout, res.Page.URL)
		}
		st, err := pollPage(flowCtx, tab, tasks)
		if err != nil || st.Ready == "loading" {
			// Mid-navigation: the document is being replaced.
			sleep(flowCtx, 20*time.Millisecond)
			continue
		}
		if st.Href != lastHref {
			lastHref, stillSince = st.Href, time.Now()
		}
		if i := matchTask(tasks, st); i >= 0 && !st.Handled {
			task := tasks[i]
			runs[task.Name]++
			if runs[task.Name] > 3 {
				res.Page = capture(tab, e.cfg.Timeout)
				return res, fmt.Errorf("the %q page came back %d times; check the login credentials and the task's steps", task.Name, runs[task.Name]-1)
			}
			if task.Consent {
				res.ConsentShown = true
				res.ConsentText, res.ConsentHTML = pageContent(flowCtx, tab, e.cfg.Timeout)
			} else {
				res.LoginShown = true
			}
			steps := task.Steps
			if task.Consent && req.Deny {
				steps = task.DenySteps
			}
			if err := runSteps(flowCtx, tab, e.cfg, steps); err != nil {
				res.Page = capture(tab, e.cfg.Timeout)
				return res, fmt.Errorf("task %q on %s: %w", task.Name, st.Href, err)
			}
			stillSince = time.Now()
			continue
		}
		// A page a task already submitted is waiting for its navigation: a
		// slow server (or a busy machine) must not look like "no redirect",
		// so it gets the full timeout rather than the settle window.
		settle := e.cfg.Settle
		if st.Handled {
			settle = e.cfg.Timeout
		}
		if st.Ready == "complete" && time.Since(stillSince) >= settle {
			res.Page = capture(tab, e.cfg.Timeout)
			return res, nil
		}
		sleep(flowCtx, 25*time.Millisecond)
	}
}

// settleCallback waits until the tab has loaded the redirect target: closing
// a tab mid-navigation costs Chrome about half a second, a wait for the
// loopback callback page a few milliseconds.
func settleCallback(ctx, tab context.Context, u *url.URL) {
	want := u.Scheme + "://" + u.Host
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		st, err := runWithin(ctx, tab, 500*time.Millisecond, chromedp.Evaluate[pageState](`({href: location.href, ready: document.readyState})`))
		if err == nil && st.Ready == "complete" && (strings.HasPrefix(st.Href, want) || strings.HasPrefix(st.Href, "chrome-error:")) {
			// Loaded, or failed to load (nothing listens there): either way
			// the tab is no longer navigating.
			return
		}
		sleep(ctx, 10*time.Millisecond)
	}
}

func finish(res *AuthorizationResponse, u *url.URL) *AuthorizationResponse {
	res.Redirected = true
	res.URL = u
	res.Query = u.Query()
	// The fragment is parsed from its escaped form: decoding it twice would
	// turn an encoded "+" or "&" in state into something else.
	res.Fragment, _ = url.ParseQuery(u.EscapedFragment())
	return res
}

func matchTask(tasks []Task, st pageState) int {
	for i, task := range tasks {
		if i >= len(st.Matches) || !st.Matches[i] {
			continue
		}
		if task.URL != "" && !compiled(task.URL).MatchString(st.Href) {
			continue
		}
		return i
	}
	return -1
}

// pollPage reads the page's URL, readiness, whether a task already ran on
// this document, and which task selectors are present, in one round trip.
func pollPage(ctx context.Context, tab context.Context, tasks []Task) (pageState, error) {
	sels := make([]string, len(tasks))
	for i, task := range tasks {
		sels[i] = task.Selector
	}
	js, _ := json.Marshal(sels)
	script := fmt.Sprintf(`(() => { const sels = %s; return {
		href: location.href, ready: document.readyState, handled: !!window.__mcpConformanceHandled,
		matches: sels.map(s => { try { return s === "" || !!document.querySelector(s); } catch (e) { return false; } }) }; })()`, js)
	return runWithin(ctx, tab, 2*time.Second, chromedp.Evaluate[pageState](script))
}

// runSteps fills and clicks through one page. Values are set through the DOM
// (with input and change events) rather than typed, which is fast and works
// the same for every form; a click submits with the button's name and value.
func runSteps(ctx context.Context, tab context.Context, cfg *Config, steps []Step) error {
	for i, s := range steps {
		sel, _ := json.Marshal(s.Selector)
		var script string
		switch s.Action {
		case "fill":
			val := strings.NewReplacer("${username}", cfg.Login.Username, "${password}", cfg.Login.Password).Replace(s.Value)
			v, _ := json.Marshal(val)
			script = fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) return false;
				e.focus(); e.value = %s; e.dispatchEvent(new Event("input", {bubbles: true}));
				e.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, sel, v)
		case "click":
			script = fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) return false;
				window.__mcpConformanceHandled = true; e.click(); return true; })()`, sel)
		default:
			return fmt.Errorf("step %d: unknown action %q", i+1, s.Action)
		}
		ok, err := runWithin(ctx, tab, cfg.Timeout, chromedp.Evaluate[bool](script))
		if err != nil {
			return fmt.Errorf("step %d (%s %s): %w", i+1, s.Action, s.Selector, err)
		}
		if !ok {
			return fmt.Errorf("step %d (%s %s): no element matches the selector", i+1, s.Action, s.Selector)
		}
	}
	return nil
}

// capture records the page the browser is on, for the report.
func capture(tab context.Context, timeout time.Duration) PageCapture {
	var p PageCapture
	ctx := context.Background()
	p.URL, _ = runWithin(ctx, tab, timeout, chromedp.Location())
	p.Text, _ = runWithin(ctx, tab, timeout, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 4000) : ""`))
	p.Screenshot, _ = runWithin(ctx, tab, timeout, chromedp.CaptureScreenshot())
	return p
}

// runWithin runs one browser action with its own deadline inside the flow's.
func runWithin[R any](parent, tab context.Context, d time.Duration, action chromedp.Action[R]) (R, error) {
	ctx, cancel := context.WithTimeout(tab, d)
	defer cancel()
	stop := context.AfterFunc(parent, cancel)
	defer stop()
	return chromedp.Run(ctx, action)
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// AuthorizationError is how an authorization request that should be refused
// ended.
type AuthorizationError struct {
	// Code is the error code of the redirect ("" when there was none).
	Code string
	// InFragment is set when the error parameters came in the fragment,
	// which RFC 6749 §4.1.2.1 does not allow for response_type=code.
	InFragment bool
	// Page is set when the server showed its own error page instead of
	// redirecting (allowed for untrusted redirect URIs, RFC 9700 §4.11.2).
	Page bool
}

// ExpectAuthorizationRefused judges an authorization response that must not
// carry a code. A code is a violation at the requirement's level. An error
// redirect must use a code from accepted, else wrongCode (Fail or Warn) is
// recorded. An error page instead of a redirect records page (Pass, Warn or
// Fail; Pass records nothing). It returns how the request ended.
func (t *T) ExpectAuthorizationRefused(res *AuthorizationResponse, what string, accepted []string, wrongCode, page Verdict) AuthorizationError {
	want := fmt.Sprintf("%s to be refused with an error redirect (%s)", what, strings.Join(accepted, " or "))
	if code := res.Code(); code != "" || res.Fragment.Get("code") != "" {
		t.Violation(want, "the server issued a code: "+res.Describe())
		return AuthorizationError{}
	}
	if !res.Redirected {
		msg := fmt.Sprintf("Expected: %s\nActual:   %s", want, res.Describe())
		switch page {
		case Fail:
			t.Failf("%s", msg)
		case Warn, Info:
			t.record(page, msg+"\n(an error page instead of a redirect is allowed for redirect URIs the server does not trust, RFC 9700 §4.11.2)")
		}
		return AuthorizationError{Page: true}
	}
	ae := AuthorizationError{Code: res.Query.Get("error")}
	if ae.Code == "" && res.Fragment.Get("error") != "" {
		ae = AuthorizationError{Code: res.Fragment.Get("error"), InFragment: true}
	}
	if ae.Code == "" {
		t.FailExpected(want, "a redirect without error or code: "+res.URL.String())
	}
	if !slices.Contains(accepted, ae.Code) {
		msg := fmt.Sprintf("Expected: %s\nActual:   error %q in %s", want, ae.Code, res.URL)
		if wrongCode == Fail {
			t.Failf("%s", msg)
		}
		t.record(wrongCode, msg)
	}
	return ae
}
