package framework

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// The form agent drives an authorization flow without a browser, for the
// flows whose outcome is a redirect back to the client: it sends the
// authorization request, follows redirects itself (recording every hop as the
// browser's navigations are recorded), keeps the spec's cookies, and runs the
// login and consent tasks on the server's HTML with the same CSS selectors,
// submitting forms as a browser would (HTML §4.10.21, form submission). It
// does not run JavaScript, so it hands the flow to the browser whenever a page
// is not one it can finish honestly: a page no task matches (it may be an
// error page, or one that script would move on from), a meta refresh, a step
// other than fill, select or click, a form it cannot submit. The browser then
// runs the whole flow again with the same cookies and decides.
//
// A flow the agent finishes costs a few milliseconds instead of the browser's
// few hundred, which is what keeps the whole suite within its budget.

// maxAgentHops bounds the redirects and page submissions of one flow.
const maxAgentHops = 30

// maxRedirects is how many redirects in a row a browser follows before it
// gives up (Chrome: net::ERR_TOO_MANY_REDIRECTS after 20).
const maxRedirects = 20

// RedirectLoopError is a flow the server redirected more often in a row than
// a browser follows: the browser would fail the same way, so it is not asked.
type RedirectLoopError struct{ Last string }

func (e *RedirectLoopError) Error() string {
	return fmt.Sprintf("the server redirected %d times in a row without showing a page, last to %s; a browser gives up there (net::ERR_TOO_MANY_REDIRECTS)", maxRedirects, e.Last)
}

// agentHandoff says why the form agent gave a flow to the browser.
type agentHandoff struct{ reason string }

func (h *agentHandoff) Error() string {
	return "the form agent handed the flow to the browser: " + h.reason
}

// agentRequest is one navigation of the agent.
type agentRequest struct {
	method string
	url    *url.URL
	form   url.Values // POST body, urlencoded
	// statusBefore is the status of the redirect that led here.
	statusBefore int
}

// runFormAgent drives req from start until the browser would reach watch's
// origin. It returns the response of a flow that ended in that redirect, or
// an *agentHandoff (or another error) when the browser must decide.
func runFormAgent(ctx context.Context, e *environment, jar *cookieStore, req AuthorizationRequest, start string, watch *url.URL) (*AuthorizationResponse, error) {
	res := &AuthorizationResponse{}
	if watch == nil {
		return res, &agentHandoff{"no redirect URI to watch"}
	}
	u, err := url.Parse(start)
	if err != nil {
		return res, err
	}
	client := &http.Client{
		Transport:     e.transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       e.cfg.Timeout,
	}
	ctx, cancel := context.WithTimeout(ctx, 3*e.cfg.Timeout)
	defer cancel()
	tasks := e.cfg.Login.Tasks
	runs := map[string]int{}
	next := agentRequest{method: http.MethodGet, url: u}
	redirects := 0
	for hop := 0; hop < maxAgentHops; hop++ {
		res.Navigations = append(res.Navigations, Navigation{Method: next.method, URL: next.url.String(), StatusBefore: next.statusBefore})
		if next.url.Scheme == watch.Scheme && next.url.Host == watch.Host {
			return finish(res, next.url), nil
		}
		if e.callback.serves(next.url) {
			// The flow reached the suite's own redirect URI, but not the
			// one watched: the browser would stay on that static page, so
			// the flow ends there without a redirect to the watched URI.
			res.Page = PageCapture{URL: next.url.String(), Status: http.StatusOK, Text: "The conformance suite received the redirect."}
			return res, nil
		}
		resp, body, err := agentSend(ctx, client, jar, next)
		if err != nil {
			return res, &agentHandoff{fmt.Sprintf("%s %s failed: %v", next.method, next.url.Redacted(), err)}
		}
		if loc := resp.Header.Get("Location"); resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "" {
			target, err := next.url.Parse(loc)
			if err != nil {
				return res, &agentHandoff{fmt.Sprintf("a redirect to an unparseable Location %q", loc)}
			}
			if redirects++; redirects > maxRedirects {
				return res, &RedirectLoopError{Last: target.Redacted()}
			}
			next = redirectRequest(next, resp.StatusCode, target)
			continue
		}
		redirects = 0
		if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/html" && mt != "application/xhtml+xml" {
			return res, &agentHandoff{fmt.Sprintf("%s answered %d with %q, not an HTML page", next.url.Redacted(), resp.StatusCode, mt)}
		}
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
		if err != nil {
			return res, &agentHandoff{"the page could not be parsed: " + err.Error()}
		}
		if doc.Find(`meta[http-equiv="refresh" i]`).Length() > 0 {
			return res, &agentHandoff{"the page moves on by a meta refresh"}
		}
		task, ok := matchStaticTask(tasks, next.url.String(), doc)
		if !ok && inert(resp, doc) {
			// A page with no script, no meta refresh and no Refresh header
			// cannot move a browser on by itself: the flow ends here, as it
			// would in the browser (an error page, or a page no task knows).
			res.Page = staticCapture(next.url, resp.StatusCode, doc, body)
			return res, nil
		}
		if !ok {
			return res, &agentHandoff{fmt.Sprintf("no task matches the page %s (status %d) in its HTML", next.url.Redacted(), resp.StatusCode)}
		}
		if runs[task.Name]++; runs[task.Name] > 3 {
			return res, &agentHandoff{fmt.Sprintf("the %q page came back %d times", task.Name, runs[task.Name]-1)}
		}
		if task.Consent {
			res.ConsentShown = true
			// What the page says without script: its text, whitespace folded.
			res.ConsentText = strings.Join(strings.Fields(doc.Find("body").Text()), " ")
			res.ConsentHTML = string(body)
		} else {
			res.LoginShown = true
		}
		steps := task.Steps
		if task.Consent && req.Deny {
			steps = task.DenySteps
		}
		sub, err := submitStatic(e.cfg, doc, next.url, steps)
		if err != nil {
			return res, &agentHandoff{fmt.Sprintf("task %q: %v", task.Name, err)}
		}
		next = sub
	}
	return res, &agentHandoff{fmt.Sprintf("the flow did not end within %d navigations", maxAgentHops)}
}

// agentSend sends one navigation with the spec's cookies and reads the body.
func agentSend(ctx context.Context, client *http.Client, jar *cookieStore, r agentRequest) (*http.Response, []byte, error) {
	var body io.Reader
	if r.method == http.MethodPost {
		body = strings.NewReader(r.form.Encode())
	}
	hr, err := http.NewRequestWithContext(ctx, r.method, r.url.String(), body)
	if err != nil {
		return nil, nil, err
	}
	hr.Header.Set("User-Agent", "Mozilla/5.0 (compatible; mcp-oauth-conformance)")
	hr.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
	if r.method == http.MethodPost {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// A browser sends the page's origin with a form POST; servers that
		// defend consent with an Origin check need it.
		hr.Header.Set("Origin", originOf(r.url.String()))
	}
	if c := jar.header(r.url); c != "" {
		hr.Header.Set("Cookie", c)
	}
	resp, err := client.Do(hr)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	jar.setFromResponse(r.url, resp)
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(b) > MaxBodyBytes {
		return nil, nil, fmt.Errorf("the page is larger than %d bytes", MaxBodyBytes)
	}
	return resp, b, nil
}

// redirectRequest is the navigation a browser makes for a redirect: 307 and
// 308 repeat the method and body, the others become a GET (RFC 9110 §15.4).
func redirectRequest(prev agentRequest, status int, target *url.URL) agentRequest {
	next := agentRequest{method: http.MethodGet, url: target, statusBefore: status}
	if (status == http.StatusTemporaryRedirect || status == http.StatusPermanentRedirect) && prev.method == http.MethodPost {
		next.method, next.form = http.MethodPost, prev.form
	}
	return next
}

// matchStaticTask is matchTask on a parsed page: the first task whose URL
// pattern and selector both match.
func matchStaticTask(tasks []Task, href string, doc *goquery.Document) (Task, bool) {
	for _, task := range tasks {
		if task.URL != "" && !compiled(task.URL).MatchString(href) {
			continue
		}
		if task.Selector != "" && !selectorPresent(doc.Selection, task.Selector) {
			continue
		}
		return task, true
	}
	return Task{}, false
}

// selectorPresent reports whether sel matches; a selector the parser does not
// support matches nothing (the browser then decides).
func selectorPresent(s *goquery.Selection, sel string) bool { return s.Find(sel).Length() > 0 }

// submitStatic runs fill, select and click steps on a static page and returns
// the navigation the click makes.
func submitStatic(cfg *Config, doc *goquery.Document, page *url.URL, steps []Step) (agentRequest, error) {
	values := map[*html.Node]string{}
	for i, s := range steps {
		el := doc.Find(s.Selector).First()
		if el.Length() == 0 {
			return agentRequest{}, fmt.Errorf("step %d (%s %s): no element matches the selector in the page's HTML", i+1, s.Action, s.Selector)
		}
		switch s.Action {
		case "fill", "select":
			values[el.Get(0)] = expandStepValue(cfg, s.Value)
		case "click":
			return clickStatic(doc, page, el, values)
		default:
			return agentRequest{}, fmt.Errorf("step %d is %q, which needs a browser", i+1, s.Action)
		}
	}
	return agentRequest{}, fmt.Errorf("the steps end without a click")
}

// clickStatic is the navigation a click on el makes: a link's href, or the
// submission of the form of a submit button.
func clickStatic(doc *goquery.Document, page *url.URL, el *goquery.Selection, values map[*html.Node]string) (agentRequest, error) {
	tag := goquery.NodeName(el)
	if href, ok := el.Attr("href"); ok && tag == "a" {
		u, err := page.Parse(href)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return agentRequest{}, fmt.Errorf("the link %q is not an http(s) URL", href)
		}
		return agentRequest{method: http.MethodGet, url: u}, nil
	}
	typ := strings.ToLower(el.AttrOr("type", "submit"))
	if !(tag == "button" && typ == "submit" || tag == "input" && typ == "submit") {
		return agentRequest{}, fmt.Errorf("the clicked <%s type=%s> is not a submit button; script may handle it", tag, typ)
	}
	form := el.Closest("form")
	if id, ok := el.Attr("form"); ok {
		form = doc.Find("form#" + cssEscapeID(id))
	}
	if form.Length() == 0 {
		return agentRequest{}, fmt.Errorf("the submit button belongs to no form")
	}
	enctype := strings.ToLower(el.AttrOr("formenctype", form.AttrOr("enctype", "application/x-www-form-urlencoded")))
	if enctype != "application/x-www-form-urlencoded" {
		return agentRequest{}, fmt.Errorf("the form is sent as %s", enctype)
	}
	method := strings.ToUpper(el.AttrOr("formmethod", form.AttrOr("method", "get")))
	action, err := page.Parse(el.AttrOr("formaction", form.AttrOr("action", "")))
	if err != nil {
		return agentRequest{}, fmt.Errorf("the form action is not a URL: %v", err)
	}
	data, err := formData(form, el.Get(0), values)
	if err != nil {
		return agentRequest{}, err
	}
	if method == http.MethodPost {
		return agentRequest{method: http.MethodPost, url: action, form: data}, nil
	}
	action.RawQuery = data.Encode()
	return agentRequest{method: http.MethodGet, url: action}, nil
}

// formData builds the form data set of form (HTML §4.10.21.4): every enabled,
// named control, the filled values in place of the page's, checked boxes only,
// and the submitter's own name and value.
func formData(form *goquery.Selection, submitter *html.Node, values map[*html.Node]string) (url.Values, error) {
	data := url.Values{}
	var err error
	form.Find("input, select, textarea, button").Each(func(_ int, c *goquery.Selection) {
		name, ok := c.Attr("name")
		if !ok || name == "" || c.AttrOr("disabled", "\x00") != "\x00" {
			return
		}
		node := c.Get(0)
		v, filled := values[node]
		switch tag := goquery.NodeName(c); tag {
		case "button":
			if node == submitter {
				data.Add(name, c.AttrOr("value", ""))
			}
		case "textarea":
			if !filled {
				v = c.Text()
			}
			data.Add(name, v)
		case "select":
			if !filled {
				opt := c.Find("option[selected]").First()
				if opt.Length() == 0 {
					opt = c.Find("option").First()
				}
				v = opt.AttrOr("value", strings.TrimSpace(opt.Text()))
			}
			data.Add(name, v)
		default:
			switch typ := strings.ToLower(c.AttrOr("type", "text")); typ {
			case "submit":
				if node == submitter {
					data.Add(name, c.AttrOr("value", "Submit"))
				}
			case "reset", "button", "image":
			case "file":
				err = fmt.Errorf("the form has a file input")
			case "checkbox", "radio":
				if _, checked := c.Attr("checked"); checked {
					data.Add(name, c.AttrOr("value", "on"))
				}
			default:
				if !filled {
					v = c.AttrOr("value", "")
				}
				data.Add(name, v)
			}
		}
	})
	return data, err
}

// cssEscapeID makes an element id usable in a #id selector.
func cssEscapeID(id string) string {
	var b strings.Builder
	for _, r := range id {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
			continue
		}
		fmt.Fprintf(&b, "\\%x ", r)
	}
	return b.String()
}

// inert reports whether a page cannot navigate by itself: no script element,
// no event-handler attribute, no Refresh header (a meta refresh was already
// handed over). Only script or a refresh moves a browser on without the user.
func inert(resp *http.Response, doc *goquery.Document) bool {
	if resp.Header.Get("Refresh") != "" || doc.Find("script").Length() > 0 {
		return false
	}
	handler := false
	doc.Find("*").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		for _, a := range s.Get(0).Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				handler = true
				return false
			}
		}
		return true
	})
	return !handler
}

// staticCapture is what the form agent saw of the page a flow ended on.
func staticCapture(u *url.URL, status int, doc *goquery.Document, body []byte) PageCapture {
	p := PageCapture{URL: u.String(), Status: status, HTML: string(body),
		Text:        strings.Join(strings.Fields(doc.Find("body").Text()), " "),
		HasPassword: doc.Find(`input[type="password" i]`).Length() > 0}
	doc.Find("form").Each(func(_ int, f *goquery.Selection) {
		pf := pageForm{ID: f.AttrOr("id", ""), Action: f.AttrOr("action", ""), Method: strings.ToUpper(f.AttrOr("method", "get"))}
		f.Find("input, select, textarea, button").Each(func(_ int, c *goquery.Selection) {
			d := goquery.NodeName(c)
			if t, ok := c.Attr("type"); ok {
				d += "[type=" + t + "]"
			}
			if id, ok := c.Attr("id"); ok {
				d += "#" + id
			}
			if n, ok := c.Attr("name"); ok {
				d += "[name=" + n + "]"
			}
			pf.Fields = append(pf.Fields, d)
		})
		p.Forms = append(p.Forms, pf)
	})
	return p
}
