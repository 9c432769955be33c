package framework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

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

// postTaskSettle is how long a page that follows a submitted task may stay
// still before the suite decides it will not move on: an interstitial page
// after a login often navigates from script after a delay (requirements
// §1.3, NO-REDIRECT, "about 3 s").
const postTaskSettle = 3 * time.Second

// browserFlow drives one authorization request in a tab of the spec's browser
// context (or a fresh one): it opens the request, runs the login and consent
// tasks, and returns the redirect back to the client, or the page the browser
// stayed on.
func browserFlow(ctx context.Context, e *environment, session *browserSession, req AuthorizationRequest, target string, watchURL *url.URL) (*AuthorizationResponse, error) {
	res := &AuthorizationResponse{Engine: "browser"}
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
		mu       sync.Mutex
		navs     []Navigation
		statuses = map[string]int{} // document URL -> status of its response
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
		switch ev := ev.(type) {
		case *network.EventResponseReceived:
			if ev.Type == network.ResourceTypeDocument && ev.Response != nil {
				mu.Lock()
				statuses[ev.Response.URL] = int(ev.Response.Status)
				mu.Unlock()
			}
		case *network.EventRequestWillBeSent:
			if ev.Type != network.ResourceTypeDocument || ev.Request == nil {
				return
			}
			nav := Navigation{Method: ev.Request.Method, URL: ev.Request.URL + ev.Request.URLFragment}
			if ev.RedirectResponse != nil {
				nav.StatusBefore = int(ev.RedirectResponse.Status)
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
		}
	})
	if err != nil {
		return res, fmt.Errorf("a browser tab could not be opened: %w", err)
	}
	statusOf := func(href string) int {
		mu.Lock()
		defer mu.Unlock()
		return statuses[href]
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
		// A document answered with an error status and no body fails the
		// navigation in Chrome (net::ERR_HTTP_RESPONSE_CODE_FAILURE), but
		// the server did answer: that is the page the flow stayed on.
		if st := lastDocumentStatus(&mu, navs, statuses); st != 0 {
			res.Page = capture(tab, e.cfg.Timeout)
			res.Page.Status = st
			return res, nil
		}
		return res, fmt.Errorf("navigating to %s failed: %w", target, err)
	}

	tasks := e.cfg.Login.Tasks
	runs := map[string]int{}
	var lastHref string
	stillSince := time.Now()
	taskRan := false
	for {
		select {
		case u := <-redirected:
			settleCallback(flowCtx, tab, u)
			return finish(res, u), nil
		default:
		}
		if time.Now().After(deadline) {
			res.Page = capture(tab, e.cfg.Timeout)
			res.Page.Status = statusOf(res.Page.URL)
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
			taskRan = true
			stillSince = time.Now()
			continue
		}
		// A page a task already submitted is waiting for its navigation: a
		// slow server (or a busy machine) must not look like "no redirect",
		// so it gets the full timeout rather than the settle window. A page
		// that came after a task and is not an error may be an interstitial
		// that script moves on from, so it gets postTaskSettle.
		settle := e.cfg.Settle
		switch status := statusOf(st.Href); {
		case st.Handled:
			settle = e.cfg.Timeout
		case taskRan && status < 400:
			settle = max(settle, min(postTaskSettle, e.cfg.Timeout))
		}
		if st.Ready == "complete" && time.Since(stillSince) >= settle {
			res.Page = capture(tab, e.cfg.Timeout)
			res.Page.Status = statusOf(st.Href)
			return res, nil
		}
		sleep(flowCtx, 25*time.Millisecond)
	}
}

// lastDocumentStatus is the status of the last document response of a
// navigation that failed, 0 if none arrived.
func lastDocumentStatus(mu *sync.Mutex, navs []Navigation, statuses map[string]int) int {
	mu.Lock()
	defer mu.Unlock()
	for i := len(navs) - 1; i >= 0; i-- {
		if st, ok := statuses[navs[i].URL]; ok {
			return st
		}
	}
	return 0
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
	for _, name := range []string{"code", "access_token", "refresh_token", "id_token"} {
		RegisterSecret(res.Query.Get(name))
		RegisterSecret(res.Fragment.Get(name))
	}
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

// expandStepValue replaces ${username}, ${password} and ${env:NAME} in a
// step's value. Secrets come from the configuration or the environment and
// are registered for redaction, so no report shows them.
func expandStepValue(cfg *Config, v string) string {
	return expandEnv(strings.NewReplacer("${username}", cfg.Login.Username, "${password}", cfg.Login.Password).Replace(v))
}

// expandEnv replaces ${env:NAME} with the environment variable's value,
// which it registers as a secret.
func expandEnv(v string) string {
	return envRef.ReplaceAllStringFunc(v, func(m string) string {
		val := os.Getenv(envRef.FindStringSubmatch(m)[1])
		RegisterSecret(val)
		return val
	})
}

var envRef = regexp.MustCompile(`\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}`)

// runSteps runs a task's steps on one page. Values are set through the DOM
// (with input and change events) rather than typed, which is fast and works
// the same for every form; a click submits with the button's name and value.
// Each step has its own deadline (Step.Timeout, else --timeout).
func runSteps(ctx context.Context, tab context.Context, cfg *Config, steps []Step) error {
	for i, s := range steps {
		if err := runStep(ctx, tab, cfg, s); err != nil {
			return fmt.Errorf("step %d (%s): %w", i+1, s.describe(), err)
		}
	}
	return nil
}

func runStep(ctx context.Context, tab context.Context, cfg *Config, s Step) error {
	timeout := cfg.Timeout
	if s.Timeout > 0 {
		timeout = s.Timeout
	}
	sel, _ := json.Marshal(s.Selector)
	switch s.Action {
	case "wait":
		sleep(ctx, s.Duration)
		return ctx.Err()
	case "wait_for", "wait_url":
		script := fmt.Sprintf(`(() => { try { return !!document.querySelector(%s); } catch (e) { return false; } })()`, sel)
		if s.Action == "wait_url" {
			re, _ := json.Marshal(s.URL)
			script = fmt.Sprintf(`new RegExp(%s).test(location.href)`, re)
		}
		deadline := time.Now().Add(timeout)
		for {
			ok, err := runWithin(ctx, tab, timeout, chromedp.Evaluate[bool](script))
			if err == nil && ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("not there after %s", timeout)
			}
			sleep(ctx, 50*time.Millisecond)
		}
	}
	var script string
	switch s.Action {
	case "fill", "select":
		v, _ := json.Marshal(expandStepValue(cfg, s.Value))
		script = fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) return false;
			e.focus(); e.value = %s; e.dispatchEvent(new Event("input", {bubbles: true}));
			e.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, sel, v)
	case "click":
		script = fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) return false;
			window.__mcpConformanceHandled = true; e.click(); return true; })()`, sel)
	default:
		return fmt.Errorf("unknown action %q", s.Action)
	}
	ok, err := runWithin(ctx, tab, timeout, chromedp.Evaluate[bool](script))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no element matches the selector")
	}
	return nil
}

// pageScript reads what a capture records about a page besides its URL.
const pageScript = `(() => {
	const forms = [...document.forms].map(f => ({
		id: f.id, action: f.getAttribute("action") || "", method: (f.method || "get").toUpperCase(),
		fields: [...f.elements].map(e => (e.tagName.toLowerCase() + (e.type ? "[type=" + e.type + "]" : "") +
			(e.id ? "#" + e.id : "") + (e.name ? "[name=" + e.name + "]" : ""))) }));
	return {
		text: document.body ? document.body.innerText.slice(0, 4000) : "",
		html: document.documentElement ? document.documentElement.outerHTML.slice(0, 200000) : "",
		password: !!document.querySelector("input[type=password]"),
		forms: forms,
	};
})()`

type pageFacts struct {
	Text     string     `json:"text"`
	HTML     string     `json:"html"`
	Password bool       `json:"password"`
	Forms    []pageForm `json:"forms"`
}

// pageForm is a form of a captured page, for messages that say what a page
// has when no task matches it.
type pageForm struct {
	ID     string   `json:"id"`
	Action string   `json:"action"`
	Method string   `json:"method"`
	Fields []string `json:"fields"`
}

// capture records the page the browser is on, for the report.
func capture(tab context.Context, timeout time.Duration) PageCapture {
	var p PageCapture
	ctx := context.Background()
	p.URL, _ = runWithin(ctx, tab, timeout, chromedp.Location())
	if f, err := runWithin(ctx, tab, timeout, chromedp.Evaluate[pageFacts](pageScript)); err == nil {
		p.Text, p.HTML, p.HasPassword, p.Forms = f.Text, f.HTML, f.Password, f.Forms
	}
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
