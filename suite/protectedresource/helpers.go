package protectedresource

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mcpauth/conformance/suite/framework"
)

// mcpServer is the MCP endpoint under test, or a SKIP that says how to give it.
func mcpServer(t *framework.T) string {
	s := t.Config().MCPServer
	if s == "" {
		t.Skipf("no MCP server is configured, so the protected-resource requirements could not be exercised; give the MCP endpoint with --mcp-server (mcp_server in the config file)")
	}
	return s
}

// initializeBody is the JSON-RPC initialize request of RS-CALL.
func initializeBody(t *framework.T) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":%q,"capabilities":{},"clientInfo":{"name":"mcp-oauth-conformance","version":"1"}}}`, t.Config().MCPVersion)
}

const toolsListBody = `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`

// mcpRequest POSTs a JSON-RPC body to an MCP endpoint over the Streamable
// HTTP transport, with the extra headers.
func mcpRequest(t *framework.T, target, body string, extra http.Header) *framework.Exchange {
	h := http.Header{
		"Content-Type":         {"application/json"},
		"Accept":               {"application/json, text/event-stream"},
		"Mcp-Protocol-Version": {t.Config().MCPVersion},
	}
	for k, v := range extra {
		h[k] = v
	}
	return t.HTTP().Send(t.Context(), framework.Request{Method: http.MethodPost, URL: target, Header: h, Body: []byte(body)})
}

// rsCall is RS-CALL (requirements §1.3): POST initialize with the given
// Authorization header value ("" for none).
func rsCall(t *framework.T, target, authorization string) *framework.Exchange {
	var h http.Header
	if authorization != "" {
		h = http.Header{"Authorization": {authorization}}
	}
	return mcpRequest(t, target, initializeBody(t), h)
}

// responded stops the spec with a FAIL when the MCP server did not answer.
func responded(t *framework.T, e *framework.Exchange, what string) {
	t.Responded(e, "an HTTP response to "+what)
}

// challengeSet is what a response's WWW-Authenticate headers say.
type challengeSet struct {
	headers    []string
	challenges []framework.Challenge
	problems   []string
}

func challengesOf(e *framework.Exchange) challengeSet {
	h := e.ResponseHeader.Values("WWW-Authenticate")
	cs, problems := framework.ParseWWWAuthenticate(h)
	return challengeSet{headers: h, challenges: cs, problems: problems}
}

// bearer is the first Bearer challenge (scheme compared without case).
func (c challengeSet) bearer() *framework.Challenge {
	for i := range c.challenges {
		if c.challenges[i].IsScheme("Bearer") {
			return &c.challenges[i]
		}
	}
	return nil
}

// param is a parameter of the Bearer challenge.
func (c challengeSet) param(name string) (string, bool) {
	if b := c.bearer(); b != nil {
		return b.Param(name)
	}
	return "", false
}

func (c challengeSet) describe() string {
	if len(c.headers) == 0 {
		return "no WWW-Authenticate header"
	}
	return fmt.Sprintf("WWW-Authenticate %q", c.headers)
}

// describe says what came back from the MCP server, for messages.
func describe(e *framework.Exchange) string {
	if e.Err != nil {
		return e.Summary()
	}
	return fmt.Sprintf("status %d with %s", e.Status, challengesOf(e).describe())
}

// prmFetch is one place the protected resource metadata was looked for.
type prmFetch struct {
	// Form is how the URL was found: "header" (resource_metadata), "path"
	// (the well-known URL with the path inserted) or "root".
	Form     string
	URL      string
	Exchange *framework.Exchange
	// Doc is the JSON object served there, whatever the media type.
	Doc map[string]any
	// Problem says why Doc is nil.
	Problem string
}

// found reports whether a JSON object was served. An HTML page (a catch-all
// 200) counts as absent.
func (f *prmFetch) found() bool { return f != nil && f.Doc != nil }

// expectedResources are the resource values RFC 9728 §3.3 allows for a
// document found this way, for an MCP endpoint called at called: the URL
// called (header and path forms), or for MCP's root fallback either the
// origin (the RFC 9728 derivation) or the MCP URL (its canonical URI).
func (f *prmFetch) expectedResources(called string) []string {
	if f.Form == "root" {
		return []string{originOf(called), called}
	}
	return []string{called}
}

// resourceMatches reports whether the document's resource is one the form allows.
func (f *prmFetch) resourceMatches(called string) bool {
	r, ok := framework.MemberString(f.Doc, "resource")
	return ok && slices.Contains(f.expectedResources(called), r)
}

// prmDiscovery is what an MCP client learns from the MCP endpoint alone
// (MCP "Protected Resource Metadata Discovery Requirements").
type prmDiscovery struct {
	Called     string
	Unauth     *framework.Exchange
	Challenges challengeSet
	// HeaderURL is the resource_metadata of the Bearer challenge ("" if none).
	HeaderURL          string
	Header, Path, Root *prmFetch
}

// discoverPRM sends the unauthenticated RS-CALL and fetches the metadata at
// the challenge's URL and at both well-known locations.
func discoverPRM(t *framework.T) *prmDiscovery {
	called := mcpServer(t)
	d := &prmDiscovery{Called: called, Unauth: rsCall(t, called, "")}
	responded(t, d.Unauth, "an unauthenticated initialize request")
	if d.Unauth.Status == http.StatusUnauthorized {
		d.Challenges = challengesOf(d.Unauth)
		d.HeaderURL, _ = d.Challenges.param("resource_metadata")
	}
	if d.HeaderURL != "" {
		d.Header = fetchPRM(t, "header", d.HeaderURL)
	}
	origin := originOf(called)
	if p := wellKnownPath(called); p != "" {
		d.Path = fetchPRM(t, "path", origin+"/.well-known/oauth-protected-resource"+p)
	}
	d.Root = fetchPRM(t, "root", origin+"/.well-known/oauth-protected-resource")
	return d
}

// wellKnownPath is the path (and query) RFC 9728 §3.1 puts after the
// well-known suffix: the resource's own, except that a lone slash after the
// host is dropped ("" for a resource at the origin).
func wellKnownPath(resource string) string {
	u, err := url.Parse(resource)
	if err != nil {
		return ""
	}
	p := u.EscapedPath()
	if p == "/" {
		p = ""
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func fetchPRM(t *framework.T, form, target string) *prmFetch {
	f := &prmFetch{Form: form, URL: target}
	f.Exchange = t.HTTP().Get(t.Context(), target, http.Header{"Accept": {"application/json"}})
	switch e := f.Exchange; {
	case e.Err != nil:
		f.Problem = e.Err.Error()
	case e.Status != http.StatusOK:
		f.Problem = fmt.Sprintf("status %d", e.Status)
	case e.MediaType() == "text/html":
		f.Problem = "an HTML page"
	default:
		doc, err := framework.ParseJSONObject(bytes.TrimPrefix(e.Body, []byte{0xEF, 0xBB, 0xBF}))
		if err != nil {
			f.Problem = err.Error()
		} else {
			f.Doc = doc
		}
	}
	return f
}

// fetches lists the locations probed, in the order an MCP client tries them.
func (d *prmDiscovery) fetches() []*prmFetch {
	var out []*prmFetch
	for _, f := range []*prmFetch{d.Header, d.Path, d.Root} {
		if f != nil {
			out = append(out, f)
		}
	}
	return out
}

// chosen is the document an MCP client uses: the first found, in order.
func (d *prmDiscovery) chosen() *prmFetch {
	for _, f := range d.fetches() {
		if f.found() {
			return f
		}
	}
	return nil
}

// report says what each location gave, for messages.
func (d *prmDiscovery) report() string {
	var lines []string
	for _, f := range d.fetches() {
		what := "a JSON object"
		if !f.found() {
			what = f.Problem
		}
		lines = append(lines, fmt.Sprintf("%s (%s): %s", f.URL, f.Form, what))
	}
	return strings.Join(lines, "; ")
}

// metadata is the protected resource metadata an MCP client would use, or a
// SKIP pointing to the discovery requirement.
func metadata(t *framework.T) (*prmDiscovery, *prmFetch) {
	d := discoverPRM(t)
	f := d.chosen()
	if f == nil {
		t.Skipf("precondition not met: no protected resource metadata was found for %s (%s), so this requirement could not be exercised (see MCP-PRMDiscovery-401-challenge)", d.Called, d.report())
	}
	return d, f
}

// newerThan0618 reports whether the profile is 2025-11-25 or later, where the
// challenge's resource_metadata is no longer the only way to the metadata.
func newerThan0618(t *framework.T) bool {
	return t.Config().MCPVersion > framework.MCP20250618
}

// resource is RES for the token flows: the configured resource (by default
// the metadata's resource), else the MCP endpoint's URL.
func resource(t *framework.T) string {
	if r := t.Target().Resource; r != "" {
		return r
	}
	return mcpServer(t)
}

// tokenFor runs STD-AUTHZ and STD-TOKEN for a fresh public client with
// resource=res (and, at the token endpoint, the extra parameters), and
// returns the token response; a flow that gives no access token SKIPs.
func tokenFor(t *framework.T, res, scope string, extra url.Values) *framework.TokenResponse {
	m := t.Metadata()
	c := t.PublicClient()
	p := framework.NewPKCE()
	params := t.AuthorizationParams(c, p)
	params.Set("resource", res)
	if scope != "" {
		params.Set("scope", scope)
	}
	code, _ := t.ObtainCode(m, params)
	form := t.CodeRedemption(c, code, p)
	form.Set("resource", res)
	for k, v := range extra {
		form[k] = v
	}
	e := t.TokenRequest(m, c, form)
	tr, err := framework.ParseTokenResponse(e)
	if err != nil {
		t.Skipf("precondition not met: the token request with resource=%s gave no access token (%v), so this requirement could not be exercised", res, err)
	}
	return tr
}

// validToken is an access token for RES that the MCP server accepts, with
// the RS-CALL that proved it; SKIP when the server refuses a fresh token.
func validToken(t *framework.T) string {
	tok := tokenFor(t, resource(t), "", nil).AccessToken
	acceptedOrSkip(t, tok, "a fresh access token for "+resource(t))
	return tok
}

// acceptedOrSkip SKIPs when the MCP server refuses a token that should work:
// the requirement needs an accepted token to compare with.
func acceptedOrSkip(t *framework.T, tok, what string) {
	e := rsCall(t, mcpServer(t), "Bearer "+tok)
	responded(t, e, "initialize with "+what)
	if e.Status != http.StatusOK {
		t.Skipf("precondition not met: initialize with %s got %s, not 200, so the server's refusal of a bad token could not be told from its refusal of every token", what, describe(e))
	}
}

// accepted reports whether an MCP response is a success (2xx).
func accepted(e *framework.Exchange) bool { return e.Err == nil && e.Status >= 200 && e.Status < 300 }

// lifetime is the access token's lifetime: JWT exp, else expires_in.
func lifetime(tr *framework.TokenResponse) (time.Time, bool) {
	if j, err := framework.DecodeJWT(tr.AccessToken); err == nil {
		if exp, ok := number(j.Claims["exp"]); ok {
			return time.Unix(int64(exp), 0), true
		}
	}
	if n, ok := number(tr.Doc["expires_in"]); ok {
		return time.Now().Add(time.Duration(n) * time.Second), true
	}
	return time.Time{}, false
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case interface{ Float64() (float64, error) }:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// expectRefused judges the answer to a request whose token must not work: a
// success is a FAIL; a refusal with another status than 401 is a WARN that
// points to the requirement judging the status (one defect, one FAIL).
func expectRefused(t *framework.T, e *framework.Exchange, what string) {
	responded(t, e, what)
	switch {
	case accepted(e):
		t.FailExpected(what+" to be refused with 401", describe(e))
	case e.Status != http.StatusUnauthorized:
		t.Warnf("%s was refused, but with %s instead of 401 (see RFC6750-3.1-invalid-token-401)", what, describe(e))
	}
}
