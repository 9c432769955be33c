package framework

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/chromedp/chromedp"
	"github.com/onsi/ginkgo/v2"
)

// concurrentFlows bounds the tabs AuthorizeAll drives at once.
const concurrentFlows = 4

// AuthorizeAll runs several authorization flows, each in its own tab, and
// returns their responses in the order of reqs. Fresh flows (a session each)
// run at once, so that probes that each wait out a settle window
// (NO-REDIRECT) cost one window instead of one per probe. Flows without Fresh
// share the spec's session, as with Authorize, and run one after another;
// start with a sequential Authorize when the flows should find the user
// logged in. A flow the browser could not drive makes the spec an ERROR
// once all flows have ended.
func (t *T) AuthorizeAll(m *Metadata, reqs []AuthorizationRequest) []*AuthorizationResponse {
	out := make([]*AuthorizationResponse, len(reqs))
	if len(reqs) == 0 {
		return out
	}
	endpoint := t.Endpoint(m, "authorization_endpoint")
	for i := range reqs {
		if reqs[i].Endpoint == "" {
			reqs[i].Endpoint = endpoint
		}
		if !reqs[i].Fresh && t.browser.ctx == nil {
			// The shared context must exist before the flows start, or
			// each would make its own.
			_, closeTab, err := t.browser.tab(t.ctx, current(), reqs[i].Endpoint, false)
			if err != nil {
				t.Errorf("a browser context for the spec could not be created, so the requirement could not be judged: %v", err)
			}
			closeTab()
		}
	}
	// Each flow records into a T of its own (Authorize appends to the
	// spec's flows and findings); they are merged in order afterwards.
	subs := make([]*T, len(reqs))
	var wg sync.WaitGroup
	// A few tabs at a time: on a busy machine many new tabs at once take
	// longer to open than a flow may last. Flows that share the spec's
	// session run one after another: servers may renew a session's
	// identifier whenever an interaction resumes, which would make one
	// flow's consent fail for another's login (seen with oidc-provider).
	slots := make(chan struct{}, concurrentFlows)
	var session sync.Mutex
	for i, req := range reqs {
		sub := &T{Requirement: t.Requirement, ctx: t.ctx, rec: t.rec, http: t.http, g: t.g, learnedScope: t.learnedScope,
			browser: browserSession{ctx: t.browser.ctx}, jar: t.cookies()}
		subs[i] = sub
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			if !req.Fresh {
				session.Lock()
				defer session.Unlock()
			}
			defer func() {
				if r := recover(); r != nil {
					if _, ok := r.(stop); !ok {
						sub.record(Error, fmt.Sprintf("a concurrent authorization flow panicked, which is a bug of the suite: %v\n%s", r, debug.Stack()))
					}
				}
			}()
			out[i] = sub.Authorize(m, req)
		}()
	}
	wg.Wait()
	stopped := false
	for i, sub := range subs {
		t.flows = append(t.flows, sub.flows...)
		t.pages = append(t.pages, sub.pages...)
		t.findings = append(t.findings, sub.findings...)
		t.notes = append(t.notes, sub.notes...)
		if sub.browser.ctx != t.browser.ctx && sub.browser.cancel != nil {
			sub.browser.close()
		}
		if out[i] == nil {
			out[i] = &AuthorizationResponse{}
		}
		for _, f := range sub.findings {
			stopped = stopped || f.Verdict == Error
		}
	}
	if stopped {
		panic(stop{})
	}
	return out
}

// ListeningTab opens a tab in the spec's browser context, which its
// authorization flows share (or, with fresh, in a browser context of its
// own), for specs that drive pages themselves; fn receives the tab's events
// (chromedp.Listen: it must return fast and must not call chromedp). The tab
// is created by the listener, with its own context, so that it lives until
// the returned function is called or the spec ends; each later action needs
// its own deadline.
func (t *T) ListeningTab(fresh bool, fn func(ev any)) (context.Context, context.CancelFunc) {
	e := current()
	tab, cancel, err := t.sessionTab(e, fresh)
	if bu := (*BrowserUnavailableError)(nil); errors.As(err, &bu) {
		ginkgo.AbortSuite("the browser specs cannot run: " + bu.Error() + "\n(run HTTP-only specs with --label-filter='!browser')")
	}
	if err != nil {
		t.Errorf("the browser could not open a tab, so the requirement could not be judged: %v", err)
	}
	if err := chromedp.Listen(tab, fn); err != nil {
		cancel()
		t.Errorf("the browser could not open a tab, so the requirement could not be judged: %v", err)
	}
	stop := context.AfterFunc(t.ctx, cancel)
	return tab, func() { stop(); cancel() }
}
