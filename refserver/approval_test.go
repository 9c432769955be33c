package refserver

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The effects of the authorization-endpoint and consent faults; they join
// faultEffects (TestFaultEffects requires one per fault).
func init() {
	for name, effect := range approvalFaultEffects {
		faultEffects[name] = effect
	}
}

// loggedIn returns a browser with a session: it has run one approved flow.
func (e *testEnv) loggedIn(t *testing.T) *http.Client {
	t.Helper()
	b := e.browser()
	_, challenge := pkce()
	redirectParams(t, e.runFlow(t, b, stdAuthz(e.register(t, "none").ClientID, challenge), "approve"))
	return b
}

// get sends GET {ISSUER}/authorize with params from browser.
func (e *testEnv) get(t *testing.T, b *http.Client, params url.Values) *http.Response {
	t.Helper()
	resp, err := b.Get(testIssuer + "/authorize?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// wantLocation checks that resp redirects to a URI starting with prefix.
func wantLocation(t *testing.T, resp *http.Response, prefix string) url.Values {
	t.Helper()
	loc := resp.Header.Get("Location")
	if resp.StatusCode/100 != 3 || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("status %d Location %q, want a redirect to %s", resp.StatusCode, loc, prefix)
	}
	u, _ := url.Parse(loc)
	return u.Query()
}

// consentForm shows the consent page for params in the logged-in browser b
// and returns its hidden fields.
func (e *testEnv) consentForm(t *testing.T, b *http.Client, params url.Values) url.Values {
	t.Helper()
	resp := e.get(t, b, params)
	page := readBody(t, resp)
	if !strings.Contains(page, `id="consent-form"`) {
		t.Fatalf("no consent page (%d): %s", resp.StatusCode, page)
	}
	return formFields(page)
}

func stdParams(t *testing.T, e *testEnv, redirectURIs ...string) url.Values {
	t.Helper()
	_, challenge := pkce()
	return stdAuthz(e.register(t, "none", redirectURIs...).ClientID, challenge)
}

var approvalFaultEffects = map[string]func(t *testing.T, e *testEnv){
	faultAuthorizeGetRefused: func(t *testing.T, e *testEnv) {
		wantStatus(t, e.get(t, e.browser(), stdParams(t, e)).StatusCode, http.StatusMethodNotAllowed, "GET authorize")
	},
	faultRedirectUnregisteredURI: func(t *testing.T, e *testEnv) {
		p := stdParams(t, e)
		p.Set("redirect_uri", "https://attacker.test/cb")
		wantLocation(t, e.get(t, e.browser(), p), "https://attacker.test/cb?error=invalid_request")
	},
	faultRedirectURIPrefixMatch: func(t *testing.T, e *testEnv) {
		p := stdParams(t, e)
		p.Set("redirect_uri", testRedirect+"/x")
		e.consentForm(t, e.loggedIn(t), p)
	},
	faultLoopbackPortStrict: func(t *testing.T, e *testEnv) {
		p := stdParams(t, e)
		p.Set("redirect_uri", "http://127.0.0.1:61234/callback")
		wantStatus(t, e.get(t, e.loggedIn(t), p).StatusCode, http.StatusBadRequest, "another port")
	},
	faultLoopbackLaxMatch: func(t *testing.T, e *testEnv) {
		p := stdParams(t, e)
		p.Set("redirect_uri", "https://127.0.0.2:61234/other")
		e.consentForm(t, e.loggedIn(t), p)
	},
	faultInvalidClientRedirects: func(t *testing.T, e *testEnv) {
		p := stdParams(t, e)
		p.Set("client_id", "unknown-xyz")
		wantLocation(t, e.get(t, e.browser(), p), testRedirect+"?error=invalid_client")
		p.Del("client_id")
		wantLocation(t, e.get(t, e.browser(), p), testRedirect+"?error=invalid_request")
	},
	faultDuplicateRedirectURILastWin: func(t *testing.T, e *testEnv) {
		b := e.loggedIn(t)
		p := stdParams(t, e)
		p.Add("redirect_uri", "https://attacker.test/cb")
		f := e.consentForm(t, b, p)
		f.Set("decision", "approve")
		resp, err := b.PostForm(testIssuer+"/consent", f)
		if err != nil {
			t.Fatal(err)
		}
		wantLocation(t, resp, "https://attacker.test/cb?code=")
	},
	faultUnknownParamsRefused: func(t *testing.T, e *testEnv) {
		p := stdParams(t, e)
		p.Set("x_unknown", "1")
		wantLocation(t, e.get(t, e.loggedIn(t), p), testRedirect+"?error=invalid_request")
	},
	faultEmptyScopeRefused: func(t *testing.T, e *testEnv) {
		b := e.loggedIn(t)
		p := stdParams(t, e)
		e.consentForm(t, b, p)
		p.Set("scope", "")
		wantLocation(t, e.get(t, b, p), testRedirect+"?error=invalid_scope")
	},
	faultScopeOmittedInvalidRequest: func(t *testing.T, e *testEnv) {
		b := e.browser()
		_, challenge := pkce()
		p := stdAuthz(e.register(t, "none").ClientID, challenge)
		p.Set("scope", "mcp:read")
		redirectParams(t, e.runFlow(t, b, p, "approve"))
		p.Del("scope")
		wantLocation(t, e.get(t, b, p), testRedirect+"?error=invalid_request")
	},
	faultStateTruncated: func(t *testing.T, e *testEnv) {
		p := stdParams(t, e)
		p.Set("state", strings.Repeat("s", 200))
		if q := redirectParams(t, e.runFlow(t, e.browser(), p, "approve")); len(q.Get("state")) != 128 {
			t.Errorf("state has %d characters, want 128", len(q.Get("state")))
		}
	},
	faultStateRequired: func(t *testing.T, e *testEnv) {
		p := stdParams(t, e)
		p.Del("state")
		wantLocation(t, e.get(t, e.loggedIn(t), p), testRedirect+"?error=invalid_request")
	},
	faultRedirectURIQueryDropped: func(t *testing.T, e *testEnv) {
		p := stdParams(t, e, testRedirect+"?tenant=a")
		p.Set("redirect_uri", testRedirect+"?tenant=a")
		if q := redirectParams(t, e.runFlow(t, e.browser(), p, "approve")); q.Has("tenant") || q.Get("code") == "" {
			t.Errorf("redirect %v, want a code without tenant", q)
		}
	},
	faultISSSuccessTrailingSlash: func(t *testing.T, e *testEnv) {
		if q := redirectParams(t, e.runFlow(t, e.browser(), stdParams(t, e), "approve")); q.Get("iss") != testIssuer+"/" {
			t.Errorf("iss %q", q.Get("iss"))
		}
	},
	faultISSMissingOnError: func(t *testing.T, e *testEnv) {
		if q := redirectParams(t, e.runFlow(t, e.browser(), stdParams(t, e), "deny")); q.Has("iss") || q.Get("error") != errAccessDenied {
			t.Errorf("deny redirect %v, want access_denied without iss", q)
		}
	},
	faultImplicitGrant: func(t *testing.T, e *testEnv) {
		p := stdParams(t, e)
		p.Set("response_type", "token")
		resp := e.runFlow(t, e.browser(), p, "approve")
		u, _ := url.Parse(resp.Header.Get("Location"))
		if f, _ := url.ParseQuery(u.Fragment); f.Get("access_token") == "" {
			t.Errorf("no access token in the fragment: %s", u)
		}
	},
	faultDenyIssuesCode: func(t *testing.T, e *testEnv) {
		if q := redirectParams(t, e.runFlow(t, e.browser(), stdParams(t, e), "deny")); q.Get("code") == "" {
			t.Errorf("deny gave %v, want a code", q)
		}
	},
	faultConsentNoCSRFCheck: func(t *testing.T, e *testEnv) {
		b := e.loggedIn(t)
		f := e.consentForm(t, b, stdParams(t, e))
		f.Del("csrf_token")
		f.Set("decision", "approve")
		resp, _ := b.PostForm(testIssuer+"/consent", f)
		wantLocation(t, resp, testRedirect+"?code=")
	},
	faultConsentApproveOnGet: func(t *testing.T, e *testEnv) {
		b := e.loggedIn(t)
		f := e.consentForm(t, b, stdParams(t, e))
		resp, _ := b.Get(testIssuer + "/consent?decision=approve&request_id=" + url.QueryEscape(f.Get("request_id")))
		wantLocation(t, resp, testRedirect+"?code=")
	},
	faultConsentReplayable: func(t *testing.T, e *testEnv) {
		b := e.loggedIn(t)
		f := e.consentForm(t, b, stdParams(t, e))
		f.Set("decision", "approve")
		for range 2 {
			resp, _ := b.PostForm(testIssuer+"/consent", f)
			wantLocation(t, resp, testRedirect+"?code=")
		}
	},
	faultSilentConsentNewClients: func(t *testing.T, e *testEnv) {
		wantLocation(t, e.get(t, e.loggedIn(t), stdParams(t, e)), testRedirect+"?code=")
	},
	faultConsentHidesClient: func(t *testing.T, e *testEnv) {
		page := readBody(t, e.get(t, e.loggedIn(t), stdParams(t, e)))
		if strings.Contains(page, "Conformance-Client-7F3A") || strings.Contains(page, "127.0.0.1") {
			t.Errorf("the consent page names the client or the redirect host: %s", page)
		}
	},
	faultPagesFrameable: func(t *testing.T, e *testEnv) {
		resp := e.get(t, e.browser(), stdParams(t, e))
		if resp.Header.Get("X-Frame-Options") != "" || resp.Header.Get("Content-Security-Policy") != "" {
			t.Errorf("anti-framing headers still sent: %v", resp.Header)
		}
	},
	faultCORSOnAuthorize: func(t *testing.T, e *testEnv) {
		req := httptest.NewRequest(http.MethodOptions, testIssuer+"/authorize", nil)
		req.Header.Set("Origin", "https://cors.test")
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		if rec.Header().Get("Access-Control-Allow-Origin") != "https://cors.test" {
			t.Errorf("preflight headers %v", rec.Header())
		}
	},
	faultLogin307: func(t *testing.T, e *testEnv) {
		resp, err := e.browser().PostForm(testIssuer+"/login", url.Values{"authorization_request": {stdParams(t, e).Encode()},
			"username": {DefaultUser.Username}, "password": {DefaultUser.Password}})
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, resp.StatusCode, http.StatusTemporaryRedirect, "login")
	},
	faultErrorRedirectBeforeLogin: func(t *testing.T, e *testEnv) {
		p := stdParams(t, e)
		p.Set("code_challenge_method", "S999")
		wantLocation(t, e.get(t, e.browser(), p), testRedirect+"?error=invalid_request")
	},
	faultClientNameUnescaped: func(t *testing.T, e *testEnv) {
		b := e.loggedIn(t)
		body := `{"redirect_uris":["` + testRedirect + `"],"token_endpoint_auth_method":"none","client_name":"<b id=x>X</b>"}`
		resp, _ := b.Post(testIssuer+"/register", "application/json", strings.NewReader(body))
		var reg registration
		decodeJSON(t, resp, &reg)
		_, challenge := pkce()
		if page := readBody(t, e.get(t, b, stdAuthz(reg.ClientID, challenge))); !strings.Contains(page, "<b id=x>X</b>") {
			t.Errorf("the client name is escaped: %s", page)
		}
	},
	faultSessionCookieNotHTTPOnly: func(t *testing.T, e *testEnv) {
		resp, _ := e.browser().PostForm(testIssuer+"/login", url.Values{"authorization_request": {stdParams(t, e).Encode()},
			"username": {DefaultUser.Username}, "password": {DefaultUser.Password}})
		if c := resp.Header.Get("Set-Cookie"); strings.Contains(c, "HttpOnly") || c == "" {
			t.Errorf("Set-Cookie %q, want no HttpOnly", c)
		}
	},
	faultThirdPartyScript: func(t *testing.T, e *testEnv) {
		if page := readBody(t, e.get(t, e.browser(), stdParams(t, e))); !strings.Contains(page, "analytics.example.invalid") {
			t.Errorf("no third-party script on the login page")
		}
	},
	faultRedirectURIOmittedGuessed: func(t *testing.T, e *testEnv) {
		p := stdParams(t, e, testRedirect, testRedirect+"2")
		p.Del("redirect_uri")
		e.consentForm(t, e.loggedIn(t), p)
	},
}

// TestConsentVariants: the conformant variants skip the consent page right
// after login (no-consent-page), or from the second request of a client
// (consent-remembered), and nowhere else.
func TestConsentVariants(t *testing.T) {
	newVariant := func(t *testing.T, name string) *testEnv {
		srv, err := New(Options{Issuer: testIssuer, Variants: []string{name}, Resources: []string{testResource}})
		if err != nil {
			t.Fatal(err)
		}
		return &testEnv{srv: srv}
	}
	t.Run(variantNoConsentPage, func(t *testing.T) {
		e := newVariant(t, variantNoConsentPage)
		b := e.loggedIn(t)
		wantLocation(t, e.get(t, b, stdParams(t, e)), testRedirect+"?code=")
	})
	t.Run(variantConsentRemembered, func(t *testing.T) {
		e := newVariant(t, variantConsentRemembered)
		b := e.browser()
		p := stdParams(t, e)
		redirectParams(t, e.runFlow(t, b, p, "approve"))
		wantLocation(t, e.get(t, b, p), testRedirect+"?code=")
		e.consentForm(t, b, stdParams(t, e)) // another client still sees the page
		denied := stdParams(t, e)
		redirectParams(t, e.runFlow(t, b, denied, "deny"))
		e.consentForm(t, b, denied) // a denial is not remembered
	})
	t.Run("default", func(t *testing.T) {
		e := newEnv(t)
		b := e.browser()
		p := stdParams(t, e)
		redirectParams(t, e.runFlow(t, b, p, "approve"))
		e.consentForm(t, b, p)
	})
}
