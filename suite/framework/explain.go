package framework

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/mcpauth/conformance/suite/catalog"
)

// ExplainLogin opens one standard authorization request in the browser and
// runs the login and consent tasks on it step by step, reporting every step
// with the page's URL and a screenshot, so that a user can fix a login
// configuration in one run (--explain-login). When no task matches a page,
// it says which tasks it tried and what the page has. Setup must have run.
// The screenshots and explain-login.md go to <report dir>/explain-login.
func ExplainLogin(ctx context.Context, w io.Writer) error {
	e := current()
	if e.setupErr != nil {
		return e.setupErr
	}
	dir := filepath.Join(e.cfg.ReportDir, "explain-login")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	x := &explainer{w: w, dir: dir, cfg: e.cfg}
	defer x.writeMarkdown()

	// A T without a spec gives discovery and registration; its Skipf and
	// Errorf end the explanation with their message.
	t := &T{Requirement: catalog.Requirement{ID: "explain-login"}, ctx: ctx, rec: &Recorder{}}
	t.http = NewHTTPClient(e.transport, e.cfg.Timeout, t.rec)
	var params url.Values
	var endpoint string
	if err := t.catch(func() {
		m := t.Metadata()
		endpoint = t.Endpoint(m, "authorization_endpoint")
		c := t.PublicClient()
		params = t.AuthorizationParams(c, NewPKCE())
	}); err != nil {
		return x.fail("could not prepare an authorization request: %v", err)
	}
	target, err := MergeQuery(endpoint, params)
	if err != nil {
		return x.fail("the authorization endpoint is not a URL: %v", err)
	}
	watch, _ := url.Parse(params.Get("redirect_uri"))
	x.logf("authorization request: %s", Redact(target))

	tab, cancel, err := (&browserSession{}).tab(ctx, e, endpoint, true)
	if err != nil {
		return x.fail("the browser could not open a tab: %v", err)
	}
	defer cancel()
	redirected := make(chan string, 1)
	if err := chromedp.Listen(tab, func(ev any) {
		if rw, ok := ev.(*network.EventRequestWillBeSent); ok && rw.Type == network.ResourceTypeDocument && rw.Request != nil {
			if u, err := url.Parse(rw.Request.URL); err == nil && u.Host == watch.Host {
				select {
				case redirected <- rw.Request.URL:
				default:
				}
			}
		}
	}); err != nil {
		return x.fail("the browser could not open a tab: %v", err)
	}
	if _, err := runWithin(ctx, tab, e.cfg.Timeout, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, page.Navigate, page.NavigateParams{URL: target})
		return err
	})); err != nil {
		return x.fail("opening the authorization request failed: %v", err)
	}
	tasks := e.cfg.Login.Tasks
	deadline := time.Now().Add(3 * e.cfg.Timeout)
	var lastHref string
	stillSince := time.Now()
	for time.Now().Before(deadline) {
		select {
		case u := <-redirected:
			x.shot(tab, "redirect back to the client")
			res := finish(&AuthorizationResponse{}, mustParse(u))
			switch {
			case res.Code() != "":
				x.logf("DONE: the browser reached the redirect URI with a code; the login configuration works.")
			default:
				x.logf("DONE: the browser reached the redirect URI without a code: %s", Redact(u))
			}
			return nil
		default:
		}
		st, err := pollPage(ctx, tab, tasks)
		if err != nil || st.Ready == "loading" {
			sleep(ctx, 20*time.Millisecond)
			continue
		}
		if st.Href != lastHref {
			lastHref, stillSince = st.Href, time.Now()
		}
		if i := matchTask(tasks, st); i >= 0 && !st.Handled {
			task := tasks[i]
			x.shot(tab, fmt.Sprintf("page matched by task %q", task.Name))
			for j, s := range task.Steps {
				err := runStep(ctx, tab, e.cfg, s)
				x.shot(tab, fmt.Sprintf("task %q step %d: %s", task.Name, j+1, s.describe()))
				if err != nil {
					return x.fail("task %q step %d (%s) failed: %v", task.Name, j+1, s.describe(), err)
				}
			}
			stillSince = time.Now()
			continue
		}
		settle := max(e.cfg.Settle, min(postTaskSettle, e.cfg.Timeout))
		if st.Handled {
			settle = e.cfg.Timeout
		}
		if st.Ready == "complete" && time.Since(stillSince) >= settle {
			p := capture(tab, e.cfg.Timeout)
			x.shot(tab, "page no task matches")
			res := &AuthorizationResponse{Page: p}
			return x.fail("%s", t.describeUnhandled(res))
		}
		sleep(ctx, 25*time.Millisecond)
	}
	x.shot(tab, "timeout")
	return x.fail("the flow did not end within %s", 3*e.cfg.Timeout)
}

// catch runs f, turning the T's Skipf, Failf and Errorf into an error.
func (t *T) catch(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(stop); !ok {
				panic(r)
			}
			msgs := []string{t.skipped}
			for _, fd := range t.findings {
				msgs = append(msgs, fd.Message)
			}
			err = fmt.Errorf("%s", strings.TrimSpace(strings.Join(msgs, "\n")))
		}
	}()
	f()
	return nil
}

func mustParse(raw string) *url.URL {
	u, _ := url.Parse(raw)
	if u == nil {
		u = &url.URL{}
	}
	return u
}

// explainer writes the explanation: a line per step to the terminal, a
// screenshot per step and a Markdown page linking them.
type explainer struct {
	w     io.Writer
	dir   string
	cfg   *Config
	steps []string
	n     int
}

func (x *explainer) logf(format string, args ...any) {
	line := Redact(fmt.Sprintf(format, args...))
	fmt.Fprintln(x.w, line)
	x.steps = append(x.steps, line)
}

// shot saves a screenshot of the page and logs the step with its URL.
func (x *explainer) shot(tab context.Context, what string) {
	x.n++
	var href string
	var png []byte
	// A click may have started a navigation: the screenshot waits for the
	// next document (a few tries within the timeout).
	for deadline := time.Now().Add(x.cfg.Timeout); time.Now().Before(deadline); sleep(context.Background(), 50*time.Millisecond) {
		st, err := runWithin(context.Background(), tab, x.cfg.Timeout, chromedp.Evaluate[pageState](`({href: location.href, ready: document.readyState})`))
		if err != nil || st.Ready != "complete" {
			continue
		}
		href = st.Href
		if png, err = runWithin(context.Background(), tab, x.cfg.Timeout, chromedp.CaptureScreenshot()); err == nil {
			break
		}
	}
	name := fmt.Sprintf("%02d.png", x.n)
	if len(png) > 0 {
		_ = os.WriteFile(filepath.Join(x.dir, name), png, 0o644)
	}
	x.logf("step %d: %s\n  page: %s\n  screenshot: %s", x.n, what, href, filepath.Join(x.dir, name))
}

func (x *explainer) fail(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	x.logf("STOPPED: %v", err)
	return err
}

func (x *explainer) writeMarkdown() {
	var b strings.Builder
	b.WriteString("# --explain-login\n\n")
	for _, s := range x.steps {
		b.WriteString("- " + strings.ReplaceAll(s, "\n", "\n  ") + "\n")
	}
	_ = os.WriteFile(filepath.Join(x.dir, "explain-login.md"), []byte(b.String()), 0o644)
}
