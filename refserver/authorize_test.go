package refserver

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAuthorizeErrorPage covers the requests that must never be redirected:
// bad client or redirect URI (RFC 6749 §4.1.2.1), before and after login.
func TestAuthorizeErrorPage(t *testing.T) {
	e := newEnv(t)
	pub := e.register(t, "none")
	two := e.register(t, "none", testRedirect, "https://client.example/cb")
	_, challenge := pkce()
	tests := []struct {
		name string
		edit func(url.Values)
	}{
		{"unknown client", func(v url.Values) { v.Set("client_id", "unknown-xyz") }},
		{"missing client", func(v url.Values) { v.Del("client_id") }},
		{"duplicate client_id", func(v url.Values) { v.Add("client_id", two.ClientID) }},
		{"duplicate redirect_uri", func(v url.Values) { v.Add("redirect_uri", "https://attacker.invalid/cb") }},
		{"unregistered redirect_uri", func(v url.Values) { v.Set("redirect_uri", "https://attacker.invalid/cb") }},
		{"other path", func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:53682/other") }},
		{"other loopback address", func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.2:53682/callback") }},
		{"https instead of http", func(v url.Values) { v.Set("redirect_uri", "https://127.0.0.1:53682/callback") }},
		{"localhost port is not relaxed", func(v url.Values) { v.Set("redirect_uri", "http://localhost:53682/callback") }},
		{"added query", func(v url.Values) { v.Set("redirect_uri", testRedirect+"?x=1") }},
		{"omitted with two registered", func(v url.Values) { v.Set("client_id", two.ClientID); v.Del("redirect_uri") }},
	}
	loggedIn := e.browser()
	e.runFlow(t, loggedIn, stdAuthz(pub.ClientID, challenge), "deny") // establishes the session
	for _, tt := range tests {
		for _, b := range []struct {
			name   string
			client *http.Client
		}{{"fresh", e.browser()}, {"logged in", loggedIn}} {
			t.Run(tt.name+"/"+b.name, func(t *testing.T) {
				params := stdAuthz(pub.ClientID, challenge)
				tt.edit(params)
				resp, err := b.client.Get(testIssuer + "/authorize?" + params.Encode())
				if err != nil {
					t.Fatal(err)
				}
				page := readBody(t, resp)
				if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="error"`) {
					t.Fatalf("got %s, want the 400 error page: %s", resp.Status, page)
				}
				checkPageHeaders(t, resp.Header)
			})
		}
	}
}

func checkPageHeaders(t *testing.T, h http.Header) {
	t.Helper()
	want := map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
	}
	for k, v := range want {
		if h.Get(k) != v {
			t.Errorf("%s: %q, want %q", k, h.Get(k), v)
		}
	}
}

// TestAuthorizeErrorRedirect covers the errors sent to the client once the
// user is logged in: error, state exactly as sent, and iss.
func TestAuthorizeErrorRedirect(t *testing.T) {
	e := newEnv(t)
	pub := e.register(t, "none")
	conf := e.register(t, "client_secret_basic")
	verifier, challenge := pkce()
	tests := []struct {
		name      string
		edit      func(url.Values)
		wantError string
	}{
		{"duplicate state", func(v url.Values) { v.Add("state", "other") }, errInvalidRequest},
		{"duplicate code_challenge", func(v url.Values) { v.Add("code_challenge", challenge) }, errInvalidRequest},
		{"missing response_type", func(v url.Values) { v.Del("response_type") }, errInvalidRequest},
		{"response_type token", func(v url.Values) { v.Set("response_type", "token") }, errUnsupportedResponseType},
		{"response_type foo_bar", func(v url.Values) { v.Set("response_type", "foo_bar") }, errUnsupportedResponseType},
		{"missing challenge", func(v url.Values) { v.Del("code_challenge"); v.Del("code_challenge_method") }, errInvalidRequest},
		{"missing challenge, confidential", func(v url.Values) {
			v.Set("client_id", conf.ClientID)
			v.Del("code_challenge")
			v.Del("code_challenge_method")
		}, errInvalidRequest},
		{"missing method means plain", func(v url.Values) { v.Del("code_challenge_method") }, errInvalidRequest},
		{"plain", func(v url.Values) { v.Set("code_challenge_method", "plain"); v.Set("code_challenge", verifier) }, errInvalidRequest},
		{"S512", func(v url.Values) { v.Set("code_challenge_method", "S512") }, errInvalidRequest},
		{"s256 lower case", func(v url.Values) { v.Set("code_challenge_method", "s256") }, errInvalidRequest},
		{"short challenge", func(v url.Values) { v.Set("code_challenge", "abcdefghij") }, errInvalidRequest},
		{"padded challenge", func(v url.Values) { v.Set("code_challenge", challenge[:42]+"=") }, errInvalidRequest},
		{"unknown scope", func(v url.Values) { v.Set("scope", "mcp:read nonexistent_scope_xyz") }, errInvalidScope},
		{"relative resource", func(v url.Values) { v.Set("resource", "mcp.example.com") }, errInvalidTarget},
		{"resource with fragment", func(v url.Values) { v.Set("resource", testResource+"#frag") }, errInvalidTarget},
		{"unknown resource", func(v url.Values) { v.Set("resource", "https://unknown.invalid/mcp") }, errInvalidTarget},
		{"two resources", func(v url.Values) { v.Add("resource", "https://as.test/other/mcp") }, errInvalidTarget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := stdAuthz(pub.ClientID, challenge)
			tt.edit(params)
			q := redirectParams(t, e.runFlow(t, e.browser(), params, "approve"))
			if q.Get("error") != tt.wantError || q.Get("code") != "" {
				t.Errorf("redirect %v, want error=%s", q, tt.wantError)
			}
			if q.Get("state") != params.Get("state") || q.Get("iss") != testIssuer {
				t.Errorf("state %q iss %q, want %q and %q", q.Get("state"), q.Get("iss"), params.Get("state"), testIssuer)
			}
			if d := q.Get("error_description"); d == "" || d != errorValue(d) {
				t.Errorf("error_description %q is empty or has forbidden characters", d)
			}
		})
	}
}

func TestAuthorizeSuccess(t *testing.T) {
	e := newEnv(t)
	pub := e.register(t, "none", "http://127.0.0.1:5000/callback?tenant=a", "http://[::1]/cb")
	_, challenge := pkce()
	tests := []struct {
		name         string
		edit         func(url.Values)
		wantRedirect string
	}{
		{"exact", func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:5000/callback?tenant=a") }, "http://127.0.0.1:5000/callback?tenant=a&"},
		{"other loopback port", func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:61234/callback?tenant=a") }, "http://127.0.0.1:61234/callback?tenant=a&"},
		{"IPv6 loopback port added", func(v url.Values) { v.Set("redirect_uri", "http://[::1]:61234/cb") }, "http://[::1]:61234/cb?"},
		{"unknown params, empty scope, state and resource", func(v url.Values) {
			v.Set("redirect_uri", "http://[::1]/cb")
			v.Set("x_unknown", "1")
			v.Set("scope", "")
			v.Set("state", "")
			v.Set("resource", "")
		}, "http://[::1]/cb?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := stdAuthz(pub.ClientID, challenge)
			tt.edit(params)
			resp := e.runFlow(t, e.browser(), params, "approve")
			loc := resp.Header.Get("Location")
			if !strings.HasPrefix(loc, tt.wantRedirect) {
				t.Fatalf("Location %q, want prefix %q", loc, tt.wantRedirect)
			}
			q := redirectParams(t, resp)
			if q.Get("code") == "" || q.Get("iss") != testIssuer || q.Get("state") != params.Get("state") {
				t.Errorf("redirect %v lacks code, iss or state", q)
			}
		})
	}
}

func TestAuthorizeOmittedRedirectURI(t *testing.T) {
	e := newEnv(t)
	pub := e.register(t, "none")
	verifier, challenge := pkce()
	params := stdAuthz(pub.ClientID, challenge)
	params.Del("redirect_uri")
	resp := e.runFlow(t, e.browser(), params, "approve")
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, testRedirect+"?") {
		t.Fatalf("Location %q, want the only registered redirect URI", loc)
	}
	code := redirectParams(t, resp).Get("code")
	form := stdToken(pub.ClientID, code, verifier)
	form.Del("redirect_uri")
	if res := e.postToken(t, form, nil); res.Status != http.StatusOK {
		t.Errorf("token request without redirect_uri: %d %v", res.Status, res.Body)
	}
}

func TestConsent(t *testing.T) {
	e := newEnv(t)
	pub := e.register(t, "none")
	_, challenge := pkce()

	// consentPage logs a fresh browser in and returns it with the consent form fields.
	consentPage := func(t *testing.T) (*http.Client, url.Values, string) {
		t.Helper()
		b := e.browser()
		params := stdAuthz(pub.ClientID, challenge)
		params.Set("scope", "mcp:read mcp:write")
		resp := e.runFlow(t, b, url.Values{"client_id": {pub.ClientID}, "redirect_uri": {testRedirect}}, "")
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("expected an error redirect for the bare request, got %s", resp.Status)
		}
		resp, err := b.Get(testIssuer + "/authorize?" + params.Encode())
		if err != nil {
			t.Fatal(err)
		}
		checkPageHeaders(t, resp.Header)
		page := readBody(t, resp)
		return b, formFields(page), page
	}

	t.Run("page shows client, scopes and redirect host", func(t *testing.T) {
		_, fields, page := consentPage(t)
		for _, want := range []string{`id="client-name">Conformance-Client-7F3A<`, `class="scope">mcp:read<`, `class="scope">mcp:write<`, `id="redirect-host">127.0.0.1:53682<`} {
			if !strings.Contains(page, want) {
				t.Errorf("consent page lacks %s", want)
			}
		}
		if fields.Get("csrf_token") == "" || fields.Get("request_id") == "" {
			t.Errorf("consent form lacks its hidden fields: %v", fields)
		}
	})
	t.Run("GET is refused", func(t *testing.T) {
		b, fields, _ := consentPage(t)
		fields.Set("decision", "approve")
		resp, _ := b.Get(testIssuer + "/consent?" + fields.Encode())
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET /consent: %s, want 405", resp.Status)
		}
	})
	for _, tt := range []struct {
		name string
		edit func(url.Values)
		who  func(b *http.Client) *http.Client
	}{
		{"wrong CSRF token", func(v url.Values) { v.Set("csrf_token", randomToken()) }, nil},
		{"missing CSRF token", func(v url.Values) { v.Del("csrf_token") }, nil},
		{"unknown request", func(v url.Values) { v.Set("request_id", randomToken()) }, nil},
		{"other session", nil, func(*http.Client) *http.Client {
			other := e.browser()
			e.runFlow(t, other, stdAuthz(pub.ClientID, challenge), "deny")
			return other
		}},
		{"no session", nil, func(*http.Client) *http.Client { return e.browser() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, fields, _ := consentPage(t)
			fields.Set("decision", "approve")
			if tt.edit != nil {
				tt.edit(fields)
			}
			if tt.who != nil {
				b = tt.who(b)
			}
			resp, _ := b.PostForm(testIssuer+"/consent", fields)
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status %s, want 400", resp.Status)
			}
		})
	}
	t.Run("decided once", func(t *testing.T) {
		b, fields, _ := consentPage(t)
		fields.Set("decision", "approve")
		first, _ := b.PostForm(testIssuer+"/consent", fields)
		if first.StatusCode != http.StatusSeeOther {
			t.Fatalf("first decision: %s", first.Status)
		}
		fields.Set("decision", "deny")
		if second, _ := b.PostForm(testIssuer+"/consent", fields); second.StatusCode != http.StatusBadRequest {
			t.Errorf("second decision: %s, want 400", second.Status)
		}
	})
	t.Run("deny", func(t *testing.T) {
		q := redirectParams(t, e.runFlow(t, e.browser(), stdAuthz(pub.ClientID, challenge), "deny"))
		if q.Get("error") != errAccessDenied || q.Get("state") != "s_~.-+ /=&" || q.Get("iss") != testIssuer {
			t.Errorf("redirect %v, want access_denied with state and iss", q)
		}
	})
}

func TestLogin(t *testing.T) {
	e := newEnv(t)
	pub := e.register(t, "none")
	_, challenge := pkce()
	b := e.browser()
	params := stdAuthz(pub.ClientID, challenge)
	resp, _ := b.Get(testIssuer + "/authorize?" + params.Encode())
	checkPageHeaders(t, resp.Header)
	fields := formFields(readBody(t, resp))
	fields.Set("username", DefaultUser.Username)
	fields.Set("password", "wrong")
	resp, _ = b.PostForm(testIssuer+"/login", fields)
	if resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) != 0 {
		t.Errorf("wrong password: %s with cookies %v, want 401 and no session", resp.Status, resp.Cookies())
	}
	fields.Set("password", DefaultUser.Password)
	resp, _ = b.PostForm(testIssuer+"/login", fields)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %s, want 303", resp.Status)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Path != "/as/authorize" || loc.Query().Get("state") != params.Get("state") {
		t.Errorf("login redirects to %s, want the authorization request back", loc)
	}
	cookies := resp.Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies %v, want one session cookie", cookies)
	}
	c := cookies[0]
	if c.Name != "__Host-refserver-session" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Errorf("session cookie %s lacks __Host-, Secure, HttpOnly, SameSite=Lax or Path=/", c)
	}
}
