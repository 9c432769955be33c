package framework

import (
	"errors"
	"fmt"
	"net/url"

	"slices"
	"strings"

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
	// Fresh runs the flow in a new user agent with no session. Without it,
	// the flows of one spec share the spec's own session (its cookies), which
	// no other spec sees.
	Fresh bool
	// Browser drives the flow in Chromium from the start. Without it, the
	// HTTP form agent tries first and hands the flow to the browser unless
	// it ends in a redirect back to the client (see formagent.go); a spec
	// whose subject is what a browser does (script, framing, what the page
	// shows) sets it.
	Browser bool
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
	// Engine is what drove the flow: "form agent" or "browser".
	Engine string
}

// Code is the authorization code of a success redirect ("" if none).
func (r *AuthorizationResponse) Code() string { return r.Query.Get("code") }

// Error is the error code of an error redirect ("" if none).
func (r *AuthorizationResponse) Error() string { return r.Query.Get("error") }

// AuthorizationError is the error of a redirect, from the query or, where a
// server wrongly put it, the fragment.
func (r *AuthorizationResponse) AuthorizationError() AuthorizationError {
	if code := r.Query.Get("error"); code != "" || r.Fragment.Get("error") == "" {
		return AuthorizationError{Code: code}
	}
	return AuthorizationError{Code: r.Fragment.Get("error"), InFragment: true}
}

// Describe says in one line where the flow ended, for messages.
func (r *AuthorizationResponse) Describe() string {
	if r.Redirected {
		return "a redirect to " + r.URL.String()
	}
	text := strings.Join(strings.Fields(r.Page.Text), " ")
	status := ""
	if r.Page.Status != 0 {
		status = fmt.Sprintf(" (status %d)", r.Page.Status)
	}
	return fmt.Sprintf("no redirect; the browser stayed on %s%s showing %q", r.Page.URL, status, Snippet([]byte(text), 160))
}

// unhandledPage reports whether the flow ended on a page that looks like one
// for the user to act on (a password field, or a form no task ran on) rather
// than an error page: the suite's login tasks did not match it, so the suite
// could not drive the flow, which says nothing about the server.
func (r *AuthorizationResponse) unhandledPage() bool {
	if r.Redirected || r.Page.Status >= 400 {
		return false
	}
	return r.Page.HasPassword || len(r.Page.Forms) > 0 && !r.LoginShown && !r.ConsentShown
}

// describeUnhandled says what a page no task matched has, so that a user can
// write the task: the selectors tried and the page's forms and fields.
func (t *T) describeUnhandled(r *AuthorizationResponse) string {
	var b strings.Builder
	fmt.Fprintf(&b, "no login or consent task matches the page %s", r.Page.URL)
	var tried []string
	for _, task := range t.Config().Login.Tasks {
		tried = append(tried, fmt.Sprintf("%s (url %q, selector %q)", task.Name, task.URL, task.Selector))
	}
	fmt.Fprintf(&b, "; the tasks tried: %s", strings.Join(tried, ", "))
	for _, f := range r.Page.Forms {
		fmt.Fprintf(&b, "; the page has a form id=%q %s %s with %s", f.ID, f.Method, f.Action, strings.Join(f.Fields, " "))
	}
	b.WriteString(" (add a task for this page to the configuration's login.tasks; --explain-login shows each step)")
	return b.String()
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

// Authorize drives the authorization endpoint as the user's agent: it opens
// the request, runs the configured login and consent tasks, and returns the
// redirect back to the client, or the page the browser stayed on. The HTTP
// form agent tries first unless req.Browser is set; whatever does not end in
// a redirect is decided by Chromium, in the spec's own browser context with
// the same cookies.
func (t *T) Authorize(m *Metadata, req AuthorizationRequest) *AuthorizationResponse {
	if req.Endpoint == "" {
		req.Endpoint = t.Endpoint(m, "authorization_endpoint")
	}
	res, err := t.authorize(req)
	outcome := "the browser could not drive it"
	if err == nil {
		outcome = "ended in " + res.Describe()
	}
	t.flows = append(t.flows, flowRecord{outcome: outcome + " (" + res.Engine + ")", navigations: res.Navigations})
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

// authorize runs one flow: the form agent first (unless the request or the
// configuration asks for the browser), then the browser.
func (t *T) authorize(req AuthorizationRequest) (*AuthorizationResponse, error) {
	e := current()
	target, err := MergeQuery(req.Endpoint, req.Params)
	if err != nil {
		return &AuthorizationResponse{}, fmt.Errorf("the authorization endpoint %q is not a URL: %w", req.Endpoint, err)
	}
	watch := req.WatchURI
	if watch == "" {
		watch = req.Params.Get("redirect_uri")
	}
	watchURL, err := url.Parse(watch)
	if err != nil || watchURL.Host == "" {
		watchURL = nil
	}
	jar := t.cookies()
	if req.Fresh {
		jar = newCookieStore()
	}
	var handoff string
	if !req.Browser && !e.cfg.BrowserOnly && !t.browserFlows {
		res, err := runFormAgent(t.ctx, e, jar, req, target, watchURL)
		res.Engine = "form agent"
		if loop := (*RedirectLoopError)(nil); err == nil || errors.As(err, &loop) {
			return res, err
		}
		handoff = err.Error()
	}
	if !req.Fresh {
		if err := t.browser.pushCookies(t.ctx, e, req.Endpoint, jar); err != nil {
			return &AuthorizationResponse{Engine: "browser"}, err
		}
	}
	res, err := browserFlow(t.ctx, e, &t.browser, req, target, watchURL)
	if handoff != "" {
		res.Engine = "browser; " + handoff
	}
	if !req.Fresh && err == nil {
		t.browser.pullCookies(t.ctx, e, jar)
	}
	return res, err
}

// InBrowser runs f with every authorization flow of the spec driven in
// Chromium, for specs that go on in the browser's own session afterwards
// (consent replays, framing): the session is then the browser's own, not one
// handed over from the form agent.
func (t *T) InBrowser(f func()) {
	prev := t.browserFlows
	t.browserFlows = true
	defer func() { t.browserFlows = prev }()
	f()
}

// cookies is the spec's cookie store, shared by its flows.
func (t *T) cookies() *cookieStore {
	if t.jar == nil {
		t.jar = newCookieStore()
	}
	return t.jar
}

// ApprovedAuthorization runs an authorization request the user approves and
// that should yield a code. A server may refuse a request without scope (RFC
// 6749 §3.3: invalid_scope; some answer access_denied). When no scope is
// configured and that happens, the request is retried once with a scope the
// metadata advertises, and the spec's later flows request that scope too: the
// requirement under test is not about scope.
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
	if res.unhandledPage() {
		t.Errorf("an approved authorization request could not be driven to its end, so the requirement could not be judged: %s", t.describeUnhandled(res))
	}
	if res.Code() == "" {
		hint := ""
		if scopeRefusal(res.Error()) && t.Scope() == "" {
			hint = "; if the server needs a scope, give --scope"
		}
		t.Skipf("precondition not met: an approved authorization request yielded no code, so this requirement could not be exercised; the flow ended in %s%s", res.Describe(), hint)
	}
	return res.Code(), res
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
	if res.unhandledPage() {
		t.Errorf("the authorization request could not be driven to its end, so whether it is refused could not be judged: %s", t.describeUnhandled(res))
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
	ae := res.AuthorizationError()
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

// The rows that own the shape of an authorization error redirect. Other rows
// that see one of these defects point to them (one defect, one FAIL).
const (
	ErrorRedirectID = "RFC6749-4.1.2.1-authz-error-redirect"
	StateInErrorID  = "RFC6749-4.1.2.1-state-in-error"
)

// ErrorRedirectShape checks, for a row about something else, that an error
// redirect carries its parameters in the query and the state sent (RFC 6749
// §4.1.2.1). Either defect is a WARN that names the row that FAILs for it.
func (t *T) ErrorRedirectShape(res *AuthorizationResponse, ae AuthorizationError, sentState string) {
	params := res.Query
	if ae.InFragment {
		t.Warnf("the error parameters came in the fragment of %s, not in the query; %s judges that", res.URL, ErrorRedirectID)
		params = res.Fragment
	}
	if got := params.Get("state"); got != sentState {
		t.Warnf("the error redirect carries state %q, not the %q sent; %s judges that", got, sentState, StateInErrorID)
	}
}
