package tokens

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mcpauth/conformance/suite/framework"
)

// pollWindow is how long a spec waits for revocation or replay detection to
// take effect before judging (requirements §1.4 rule 5; --revocation-wait).
func pollWindow(t *framework.T) time.Duration { return t.Config().RevocationWait }

// fresh runs STD-AUTHZ for c and returns the code and its verifier: the
// precondition of every code-redemption probe.
func fresh(t *framework.T, m *framework.Metadata, c *framework.Client) (string, framework.PKCE) {
	p := framework.NewPKCE()
	code, _ := t.ObtainCode(m, t.AuthorizationParams(c, p))
	return code, p
}

// mustTokens returns a grant's tokens, or SKIPs: the row needs a working code
// exchange, which OAUTH21-3.2.3-success-response-format judges.
func mustTokens(t *framework.T, g *framework.Grant) *framework.TokenResponse {
	if g.Tokens == nil {
		t.Skipf("precondition not met: the standard code exchange gave no tokens (%s), so this requirement could not be exercised (OAUTH21-3.2.3-success-response-format judges the exchange)", outcome(g.Exchange))
	}
	return g.Tokens
}

// outcome says in a few words how a token-endpoint request ended.
func outcome(e *framework.Exchange) string {
	if e.Err != nil {
		return "no response: " + e.Err.Error()
	}
	if e.Status >= 200 && e.Status < 300 {
		if _, err := framework.ParseTokenResponse(e); err == nil {
			return fmt.Sprintf("tokens were issued (status %d)", e.Status)
		}
		return fmt.Sprintf("status %d", e.Status)
	}
	if oe, err := framework.ParseOAuthError(e); err == nil {
		return fmt.Sprintf("refused with error %q (status %d)", oe.Code, oe.Status)
	}
	return fmt.Sprintf("refused with status %d and no readable error code", e.Status)
}

// succeeded reports whether a token request got a 2xx.
func succeeded(e *framework.Exchange) bool { return e.Err == nil && e.Status >= 200 && e.Status < 300 }

// expectRefusedWarn judges a refusal whose acceptance is only a WARN (the row
// says so although its level is MUST): tokens are a WARN, an error code
// outside accepted a WARN.
func expectRefusedWarn(t *framework.T, e *framework.Exchange, what string, accepted []string, why string) {
	t.Responded(e, "an HTTP response from the token endpoint")
	if succeeded(e) {
		t.WarnExpected(fmt.Sprintf("%s to be refused with error %s", what, strings.Join(accepted, " or ")),
			fmt.Sprintf("status %d: the server accepted it (%s)", e.Status, why))
		return
	}
	t.ExpectRejected(e, what, accepted, framework.Warn)
}

// noStore reports whether the Cache-Control header fields, read as one
// directive list (RFC 9111 §5.2; several fields merge), hold no-store.
func noStore(h http.Header) bool {
	for _, field := range h.Values("Cache-Control") {
		for _, d := range strings.Split(field, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(d), "=")
			if strings.EqualFold(strings.TrimSpace(name), "no-store") {
				return true
			}
		}
	}
	return false
}

// cacheControl describes the Cache-Control header for messages.
func cacheControl(h http.Header) string {
	if v := h.Values("Cache-Control"); len(v) > 0 {
		return fmt.Sprintf("Cache-Control: %s", strings.Join(v, ", "))
	}
	return "no Cache-Control header"
}

// judgeTokenResponse applies OAuth 2.1 §3.2.3 to a response that should be
// a success: 200, application/json, a JSON object with string access_token
// and token_type (any case), and expires_in, when present, a JSON number.
// It FAILs at the first violation and returns the parsed response.
func judgeTokenResponse(t *framework.T, e *framework.Exchange, what string) *framework.TokenResponse {
	t.Responded(e, "an HTTP response from the token endpoint")
	want := what + " to be answered 200 with a JSON object holding access_token and token_type strings (OAuth 2.1 §3.2.3)"
	if e.Status != http.StatusOK {
		t.FailExpected(want, outcome(e))
	}
	if mt := e.MediaType(); mt != "application/json" {
		t.FailExpected(want, fmt.Sprintf("status 200 with media type %q", mt))
	}
	tr, err := framework.ParseTokenResponse(e)
	if err != nil {
		t.FailExpected(want, err.Error())
	}
	if v, ok := tr.Doc["expires_in"]; ok {
		if _, isNumber := v.(json.Number); !isNumber {
			t.FailExpected("expires_in, when present, to be a JSON number (OAuth 2.1 §3.2.3)", fmt.Sprintf("expires_in is %s", framework.DescribeJSON(v)))
		}
	}
	return tr
}

// scopeSet splits a scope string into a sorted set.
func scopeSet(s string) []string {
	f := strings.Fields(s)
	slices.Sort(f)
	return slices.Compact(f)
}

func sameScopes(a, b []string) bool {
	return slices.Equal(scopeSet(strings.Join(a, " ")), scopeSet(strings.Join(b, " ")))
}

// effectiveScope observes the scope an access token really carries: the
// scope (or scp) claim of a JWS, else the scope of its introspection. ok is
// false when neither can be read.
func effectiveScope(t *framework.T, m *framework.Metadata, token string) (scopes []string, source string, ok bool) {
	if j, err := framework.DecodeJWT(token); err == nil {
		if s, isString := framework.MemberString(j.Claims, "scope"); isString {
			return scopeSet(s), "the access token's scope claim", true
		}
		if s, isList := framework.MemberStrings(j.Claims, "scp"); isList {
			return scopeSet(strings.Join(s, " ")), "the access token's scp claim", true
		}
		if s, isString := framework.MemberString(j.Claims, "scp"); isString {
			return scopeSet(s), "the access token's scp claim", true
		}
	}
	if framework.IntrospectionEndpoint(m) == "" {
		return nil, "", false
	}
	in, err := t.Introspect(m, token)
	if err != nil || !in.Active {
		return nil, "", false
	}
	s, isString := framework.MemberString(in.Doc, "scope")
	if !isString {
		return nil, "", false
	}
	return scopeSet(s), "the introspection response's scope", true
}

// grantedScope is what a token response granted: its scope member, else the
// effective scope of its access token, else the request (RFC 6749 §3.3: the
// member may be omitted when it equals the request).
func grantedScope(t *framework.T, m *framework.Metadata, tr *framework.TokenResponse, requested string) []string {
	if _, ok := tr.Doc["scope"]; ok {
		return scopeSet(tr.Scope)
	}
	if s, _, ok := effectiveScope(t, m, tr.AccessToken); ok {
		return s
	}
	return scopeSet(requested)
}

// responseScope is the scope a refresh response shows: its scope member, else
// the access token's effective scope. ok is false when neither is readable.
func responseScope(t *framework.T, m *framework.Metadata, tr *framework.TokenResponse) ([]string, string, bool) {
	if _, ok := tr.Doc["scope"]; ok {
		return scopeSet(tr.Scope), "the response's scope member", true
	}
	return effectiveScope(t, m, tr.AccessToken)
}

// plainScopes are the scopes of scopes_supported that ask for plain OAuth
// access (not openid, not offline_access), the configured scope first.
func plainScopes(t *framework.T, m *framework.Metadata) []string {
	var out []string
	for _, s := range strings.Fields(t.Config().Scope) {
		if s != "openid" && s != "offline_access" {
			out = append(out, s)
		}
	}
	supported, _ := framework.MemberStrings(m.Doc, "scopes_supported")
	for _, s := range supported {
		if s != "openid" && s != "offline_access" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// twoScopes returns two plain scopes, or SKIPs: the row needs a grant of
// more than one scope.
func twoScopes(t *framework.T, m *framework.Metadata) (string, string) {
	s := plainScopes(t, m)
	if len(s) < 2 {
		t.Skipf("this requirement needs two harmless scopes, and scopes_supported (with --scope) names %d besides openid and offline_access; give two with --scope", len(s))
	}
	return s[0], s[1]
}

// refreshRefused polls the refresh grant with rt for up to pollWindow and
// reports whether it was refused. A refresh that works rotates the token, so
// the next attempt uses the newest refresh token of the family (retrying a
// rotated one would be refused as reuse, which proves nothing).
func refreshRefused(t *framework.T, m *framework.Metadata, c *framework.Client, rt string) (bool, *framework.Exchange) {
	deadline := time.Now().Add(pollWindow(t))
	for {
		e, tr := t.Refresh(m, c, t.RefreshRequest(rt))
		if tr == nil {
			return true, e
		}
		if tr.RefreshToken != "" {
			rt = tr.RefreshToken
		}
		if time.Now().After(deadline) {
			return false, e
		}
		sleep(t, time.Second)
	}
}

// refreshWorks refreshes once with rt and reports whether it worked.
func refreshWorks(t *framework.T, m *framework.Metadata, c *framework.Client, rt string) (bool, *framework.Exchange) {
	e, tr := t.Refresh(m, c, t.RefreshRequest(rt))
	return tr != nil, e
}

// introspectInactive polls introspection of token for up to pollWindow and
// reports whether it became inactive; observable is false when the suite
// cannot introspect (the reason is why).
func introspectInactive(t *framework.T, m *framework.Metadata, token string) (inactive, observable bool, why string) {
	deadline := time.Now().Add(pollWindow(t))
	for {
		in, err := t.Introspect(m, token)
		if err != nil {
			return false, false, err.Error()
		}
		if !in.Active {
			return true, true, ""
		}
		if time.Now().After(deadline) {
			return false, true, ""
		}
		sleep(t, time.Second)
	}
}

func sleep(t *framework.T, d time.Duration) {
	select {
	case <-t.Context().Done():
	case <-time.After(d):
	}
}

// revocationEndpoint is the metadata's revocation_endpoint, or a SKIP:
// neither MCP nor OAuth 2.1 requires one.
func revocationEndpoint(t *framework.T, m *framework.Metadata) string {
	if s, _ := framework.MemberString(m.Doc, "revocation_endpoint"); s != "" {
		return s
	}
	t.Skipf("the server advertises no revocation_endpoint (RFC 7009 is optional for MCP servers), so this requirement does not apply")
	return ""
}

// introspectionEndpoint is the metadata's introspection_endpoint, or a SKIP.
func introspectionEndpoint(t *framework.T, m *framework.Metadata) string {
	if s := framework.IntrospectionEndpoint(m); s != "" {
		return s
	}
	t.Skipf("the server advertises no introspection_endpoint (RFC 7662 is optional for MCP servers), so this requirement does not apply")
	return ""
}

// revoke sends an RFC 7009 revocation request as c (nil: no client
// identification at all); hint "" sends none.
func revoke(t *framework.T, m *framework.Metadata, c *framework.Client, token, hint string) *framework.Exchange {
	form := url.Values{}
	if token != "" {
		form.Set("token", token)
	}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	var auth *framework.Credentials
	if c != nil {
		auth = c.Authenticate(form)
	}
	return t.HTTP().PostForm(t.Context(), revocationEndpoint(t, m), form, auth)
}

// mustIntrospect SKIPs unless the suite can introspect at this server.
func mustIntrospect(t *framework.T, m *framework.Metadata) {
	introspectionEndpoint(t, m)
	if c, why := t.IntrospectionClient(m); c == nil {
		t.Skipf("the suite has no credentials for the introspection endpoint (%s), so this requirement could not be exercised", why)
	}
}

// secondPublic is another public client (PUB2).
func secondPublic(t *framework.T) *framework.Client { return t.PublicClient() }

// confidentialAvailable reports whether a confidential client can be had
// without SKIPping: one is configured, or the server offers DCR.
func confidentialAvailable(t *framework.T, m *framework.Metadata) bool {
	if t.Config().Clients.Confidential != nil {
		return true
	}
	reg, _ := framework.MemberString(m.Doc, "registration_endpoint")
	return reg != ""
}

// withSecret is a copy of c with another secret, for a wrong-credentials probe.
func withSecret(c *framework.Client, secret string) *framework.Client {
	w := *c
	w.Secret = secret
	return &w
}

// relatesTo reports whether an audience value names the resource: equal, or
// equal up to the case of scheme and host and a trailing slash, or a broader
// URI on the same host (RFC 8707 §2 lets the server map the resource).
func relatesTo(aud, resource string) bool {
	if aud == resource {
		return true
	}
	a, errA := url.Parse(aud)
	r, errR := url.Parse(resource)
	if errA != nil || errR != nil || a.Host == "" || !strings.EqualFold(a.Scheme, r.Scheme) || !strings.EqualFold(a.Host, r.Host) {
		return false
	}
	ap, rp := strings.TrimSuffix(a.EscapedPath(), "/"), strings.TrimSuffix(r.EscapedPath(), "/")
	return ap == rp || strings.HasPrefix(rp, ap+"/")
}

// exactly reports whether an audience value is the resource up to the case of
// scheme and host and a trailing slash.
func exactly(aud, resource string) bool {
	a, errA := url.Parse(aud)
	r, errR := url.Parse(resource)
	return aud == resource || errA == nil && errR == nil && a.Host != "" && strings.EqualFold(a.Scheme, r.Scheme) &&
		strings.EqualFold(a.Host, r.Host) && strings.TrimSuffix(a.EscapedPath(), "/") == strings.TrimSuffix(r.EscapedPath(), "/")
}

func anyAud(o framework.AudienceObservation, match func(string) bool) (string, bool) {
	for _, a := range o.Aud {
		if match(a) {
			return a, true
		}
	}
	return "", false
}

// configuredResource is RES, or a SKIP.
func configuredResource(t *framework.T) string {
	r := t.Target().Resource
	if r == "" {
		t.Skipf("no resource indicator is configured, so this requirement could not be exercised; give the MCP server's canonical URI with --resource (or start from it with --mcp-server)")
	}
	return r
}

// randomValue is a well-formed token value no server issued (43 characters,
// like a 256-bit base64url token).
func randomValue() string { return framework.RandomString(22)[:43] }

// parseForm reads back a form body the suite sent.
func parseForm(body []byte) (url.Values, error) { return url.ParseQuery(string(body)) }

// canIntrospect reports whether the server has an introspection endpoint and
// the suite has credentials for it.
func canIntrospect(t *framework.T, m *framework.Metadata) bool {
	if framework.IntrospectionEndpoint(m) == "" {
		return false
	}
	c, _ := t.IntrospectionClient(m)
	return c != nil
}

// tokenErrorCode is the error code of a refusal ("" when none is readable).
func tokenErrorCode(e *framework.Exchange) string {
	if oe, err := framework.ParseOAuthError(e); err == nil {
		return oe.Code
	}
	return ""
}
