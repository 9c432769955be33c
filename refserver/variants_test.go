package refserver

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func newVariantEnv(t *testing.T, variants ...string) *testEnv {
	t.Helper()
	return newEnvWith(t, Options{Variants: variants, LoginOrigin: "https://login.test"})
}

func TestVariantTable(t *testing.T) {
	vs := Variants()
	if !slices.IsSortedFunc(vs, func(a, b Variant) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("Variants() is not sorted by name")
	}
	for _, v := range vs {
		if v.Description == "" {
			t.Errorf("variant %s has no description", v.Name)
		}
		if _, err := New(Options{Issuer: testIssuer, Variants: []string{v.Name}, LoginOrigin: "https://login.test"}); err != nil {
			t.Errorf("variant %s: New: %v", v.Name, err)
		}
	}
	if _, err := New(Options{Issuer: testIssuer, Variants: []string{"nope"}}); !errors.Is(err, ErrUnknownVariant) {
		t.Errorf("unknown variant: err = %v, want ErrUnknownVariant", err)
	}
	if _, err := New(Options{Issuer: testIssuer, Variants: []string{variantLoginSeparateOrigin}}); err == nil {
		t.Error("login-separate-origin without LoginOrigin: New succeeded, want an error")
	}
}

func (e *testEnv) getPath(t *testing.T, path string) *http.Response {
	t.Helper()
	resp, err := e.browser().Get("https://as.test" + path)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestVariantOIDCDiscoveryOnly(t *testing.T) {
	e := newVariantEnv(t, variantOIDCDiscoveryOnly)
	for path, want := range map[string]int{
		"/.well-known/oauth-authorization-server/as": http.StatusNotFound,
		"/as/.well-known/oauth-authorization-server": http.StatusNotFound,
		"/as/.well-known/openid-configuration":       http.StatusOK,
		"/.well-known/openid-configuration/as":       http.StatusOK,
	} {
		resp := e.getPath(t, path)
		body := readBody(t, resp)
		if resp.StatusCode != want {
			t.Errorf("GET %s: status %d, want %d", path, resp.StatusCode, want)
			continue
		}
		if want == http.StatusOK {
			var doc map[string]any
			if err := json.Unmarshal([]byte(body), &doc); err != nil {
				t.Fatal(err)
			}
			if m, _ := doc["code_challenge_methods_supported"].([]any); len(m) != 1 || m[0] != "S256" {
				t.Errorf("GET %s: code_challenge_methods_supported %v, want [S256]", path, doc["code_challenge_methods_supported"])
			}
		}
	}
}

func TestVariantClientSecretPostOnly(t *testing.T) {
	e := newVariantEnv(t, variantClientSecretPostOnly)
	meta := e.srv.metadata(false)
	if got := meta["token_endpoint_auth_methods_supported"]; !slices.Equal(got.([]string), []string{authMethodPost, authMethodNone}) {
		t.Errorf("token_endpoint_auth_methods_supported %v", got)
	}
	for _, asked := range []string{"", authMethodBasic, authMethodPost} {
		reg := e.register(t, asked)
		if reg.AuthMethod != "" {
			t.Errorf("asked %q: the registration response names token_endpoint_auth_method %q; the variant omits it", asked, reg.AuthMethod)
		}
		if c := e.srv.store.client(reg.ClientID); c.AuthMethod != authMethodPost || reg.ClientSecret == "" {
			t.Errorf("asked %q: registered with %q (secret issued: %t), want client_secret_post with a secret", asked, c.AuthMethod, reg.ClientSecret != "")
		}
		code, verifier := e.code(t, reg.ClientID)
		form := stdToken(reg.ClientID, code, verifier)
		form.Del("client_id")
		res := e.postToken(t, form, basicAuth(reg.ClientID, reg.ClientSecret))
		if res.Status != http.StatusUnauthorized || res.errorCode() != errInvalidClient || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("asked %q: correct Basic credentials got %d %q (WWW-Authenticate %q), want 401 invalid_client with a Basic challenge",
				asked, res.Status, res.errorCode(), res.Header.Get("WWW-Authenticate"))
		}
		code, verifier = e.code(t, reg.ClientID)
		form = stdToken(reg.ClientID, code, verifier)
		form.Set("client_secret", reg.ClientSecret)
		if res := e.postToken(t, form, nil); res.Status != http.StatusOK {
			t.Errorf("asked %q: client_secret_post got %d %v", asked, res.Status, res.Body)
		}
	}
}

func TestVariantDCRNativeOnly(t *testing.T) {
	e := newVariantEnv(t, variantDCRNativeOnly)
	tests := []struct {
		appType, redirectURI string
		want                 int
		wantErr              string
	}{
		{"", testRedirect, http.StatusBadRequest, errInvalidRedirectURI},
		{"web", testRedirect, http.StatusBadRequest, errInvalidRedirectURI},
		{"web", "http://localhost:8080/cb", http.StatusBadRequest, errInvalidRedirectURI},
		{"native", testRedirect, http.StatusCreated, ""},
		{"", "https://client.example/cb", http.StatusCreated, ""},
		{"desktop", testRedirect, http.StatusBadRequest, errInvalidClientMetadata},
	}
	for _, tc := range tests {
		md := map[string]any{"redirect_uris": []string{tc.redirectURI}, "token_endpoint_auth_method": "none"}
		if tc.appType != "" {
			md["application_type"] = tc.appType
		}
		body, _ := json.Marshal(md)
		resp, err := e.browser().Post(testIssuer+"/register", "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		decodeJSON(t, resp, &doc)
		if resp.StatusCode != tc.want || tc.wantErr != "" && doc["error"] != tc.wantErr {
			t.Errorf("application_type %q, %s: %d %v, want %d %s", tc.appType, tc.redirectURI, resp.StatusCode, doc["error"], tc.want, tc.wantErr)
		}
		if resp.StatusCode == http.StatusCreated {
			want := tc.appType
			if want == "" {
				want = "web"
			}
			if doc["application_type"] != want {
				t.Errorf("application_type %q: response has %v, want %s", tc.appType, doc["application_type"], want)
			}
		}
	}
}

func TestVariantRFC8707Ignored(t *testing.T) {
	e := newVariantEnv(t, variantRFC8707Ignored)
	reg := e.register(t, authMethodNone)
	for _, resource := range []string{"", testResource, "https://unknown.invalid/mcp", "relative/mcp", testResource + "#frag"} {
		verifier, challenge := pkce()
		params := stdAuthz(reg.ClientID, challenge)
		params.Set("resource", resource)
		params.Add("resource", "https://as.test/other/mcp")
		q := redirectParams(t, e.runFlow(t, e.browser(), params, "approve"))
		if q.Get("code") == "" {
			t.Errorf("resource %q: authorization refused: %v", resource, q)
			continue
		}
		form := stdToken(reg.ClientID, q.Get("code"), verifier)
		form.Set("resource", "https://elsewhere.invalid/x#y")
		res := e.postToken(t, form, nil)
		if res.Status != http.StatusOK {
			t.Errorf("resource %q: token request got %d %v", resource, res.Status, res.Body)
			continue
		}
		claims := jwt.MapClaims{}
		if _, _, err := jwt.NewParser().ParseUnverified(res.Body["access_token"].(string), claims); err != nil {
			t.Fatal(err)
		}
		if claims["aud"] != reg.ClientID {
			t.Errorf("resource %q: aud %v, want the client_id", resource, claims["aud"])
		}
	}
}

func TestVariantAuthzErrorsAsPage(t *testing.T) {
	e := newVariantEnv(t, variantAuthzErrorsAsPage)
	reg := e.register(t, authMethodNone)
	_, challenge := pkce()
	params := stdAuthz(reg.ClientID, challenge)
	params.Set("response_type", "foo_bar")
	resp := e.runFlow(t, e.browser(), params, "approve")
	if body := readBody(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="error">unsupported_response_type<`) {
		t.Errorf("an unsupported response_type after login got %d, want the 400 error page with unsupported_response_type: %s", resp.StatusCode, body)
	}
	// Deny is the user's decision, not an invalid request: still a redirect.
	_, challenge = pkce()
	if q := redirectParams(t, e.runFlow(t, e.browser(), stdAuthz(reg.ClientID, challenge), "deny")); q.Get("error") != errAccessDenied {
		t.Errorf("deny: %v, want an access_denied redirect", q)
	}
}

func TestVariantLoginJSRedirect(t *testing.T) {
	e := newVariantEnv(t, variantLoginJSRedirect)
	reg := e.register(t, authMethodNone)
	_, challenge := pkce()
	b := e.browser()
	resp, err := b.Get(testIssuer + "/authorize?" + stdAuthz(reg.ClientID, challenge).Encode())
	if err != nil {
		t.Fatal(err)
	}
	fields := formFields(readBody(t, resp))
	fields.Set("username", DefaultUser.Username)
	fields.Set("password", DefaultUser.Password)
	resp, err = b.PostForm(testIssuer+"/login", fields)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "setTimeout(") || !strings.Contains(body, "1000") {
		t.Fatalf("login answered %d, want 200 with a delayed script redirect: %s", resp.StatusCode, body)
	}
	if len(resp.Cookies()) != 1 {
		t.Errorf("the interstitial set cookies %v, want the session cookie", resp.Cookies())
	}
	if !strings.Contains(body, `href="https://as.test/as/authorize?`) {
		t.Errorf("the interstitial does not link to the authorization endpoint: %s", body)
	}
}

func TestVariantLoginCookieLimit(t *testing.T) {
	e := newVariantEnv(t, variantLoginCookieLimit)
	reg := e.register(t, authMethodNone)
	_, challenge := pkce()
	target := testIssuer + "/authorize?" + stdAuthz(reg.ClientID, challenge).Encode()
	resp := e.getPath(t, strings.TrimPrefix(target, "https://as.test"))
	readBody(t, resp)
	cookies := resp.Cookies()
	if len(cookies) != 1 || len(cookies[0].Value) != loginCookieValueBytes || !strings.Contains(cookies[0].Name, "login-csrf-") {
		t.Fatalf("the login page set cookies %v, want one per-client cookie of %d bytes", cookies, loginCookieValueBytes)
	}
	for _, tc := range []struct {
		cookieBytes int
		want        int
	}{{maxLoginCookieHeader - 100, http.StatusOK}, {maxLoginCookieHeader + 100, http.StatusRequestHeaderFieldsTooLarge}} {
		for _, r := range []*http.Request{httptest.NewRequest(http.MethodGet, target, nil), httptest.NewRequest(http.MethodPost, testIssuer+"/login", nil)} {
			r.Header.Set("Cookie", "big="+strings.Repeat("x", tc.cookieBytes-4))
			rec := httptest.NewRecorder()
			e.srv.ServeHTTP(rec, r)
			if tc.want == http.StatusOK {
				if rec.Code == http.StatusRequestHeaderFieldsTooLarge {
					t.Errorf("%s %s with %d cookie bytes: 431", r.Method, r.URL.Path, tc.cookieBytes)
				}
				continue
			}
			if rec.Code != tc.want || rec.Body.Len() != 0 {
				t.Errorf("%s %s with %d cookie bytes: %d with %d body bytes, want 431 and an empty body", r.Method, r.URL.Path, tc.cookieBytes, rec.Code, rec.Body.Len())
			}
		}
	}
}

func TestVariantLoginSeparateOrigin(t *testing.T) {
	inst, err := Start(Config{Addr: "127.0.0.1:0", IssuerPath: "/as", Options: Options{Variants: []string{variantLoginSeparateOrigin}}})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if inst.LoginOrigin == "" || inst.LoginOrigin == inst.Origin {
		t.Fatalf("login origin %q, issuer origin %q: want another origin", inst.LoginOrigin, inst.Origin)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(inst.CACertPEM)
	jar, _ := cookiejar.New(nil)
	b := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}},
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer b.CloseIdleConnections()
	resp, err := b.Post(inst.Issuer+"/register", "application/json", strings.NewReader(`{"redirect_uris":["`+testRedirect+`"],"token_endpoint_auth_method":"none"}`))
	if err != nil {
		t.Fatal(err)
	}
	var reg registration
	decodeJSON(t, resp, &reg)
	_, challenge := pkce()
	params := stdAuthz(reg.ClientID, challenge)
	params.Set("resource", inst.Origin+"/mcp")

	follow := func(resp *http.Response, wantPrefix string) *http.Response {
		t.Helper()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, wantPrefix) {
			t.Fatalf("got %d to %q, want a 303 to %s…", resp.StatusCode, loc, wantPrefix)
		}
		next, err := b.Get(loc)
		if err != nil {
			t.Fatal(err)
		}
		return next
	}
	resp, err = b.Get(inst.Issuer + "/authorize?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp = follow(resp, inst.LoginOrigin+"/login?")
	page := readBody(t, resp)
	if !strings.Contains(page, `action="`+inst.LoginOrigin+`/login"`) {
		t.Fatalf("the login app's form does not post to itself: %s", page)
	}
	fields := formFields(page)
	fields.Set("username", DefaultUser.Username)
	fields.Set("password", "wrong")
	if resp, _ = b.PostForm(inst.LoginOrigin+"/login", fields); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong password got %d, want 401", resp.StatusCode)
	}
	resp.Body.Close()
	fields.Set("password", DefaultUser.Password)
	resp, err = b.PostForm(inst.LoginOrigin+"/login", fields)
	if err != nil {
		t.Fatal(err)
	}
	ticketURL := resp.Header.Get("Location")
	resp = follow(resp, inst.Issuer+"/login/ticket?")
	resp = follow(resp, inst.Issuer+"/authorize?")
	if page := readBody(t, resp); !strings.Contains(page, `id="consent-form"`) {
		t.Fatalf("after the ticket the AS did not show the consent page: %s", page)
	}
	// The ticket is one-time.
	fresh, _ := cookiejar.New(nil)
	b.Jar = fresh
	resp, err = b.Get(ticketURL)
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, resp); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a replayed ticket got %d, want 400", resp.StatusCode)
	}
	u, _ := url.Parse(ticketURL)
	if u.Query().Get("ticket") == "" {
		t.Errorf("the login app's redirect %s carries no ticket", ticketURL)
	}
}

// The effect test of the token-errors-problem-json fault, kept with the
// fault's other test code.
func init() {
	faultEffects[faultTokenErrorsProblemJSON] = func(t *testing.T, e *testEnv) {
		req := httptest.NewRequest(http.MethodPost, testIssuer+"/token", strings.NewReader("grant_type=authorization_code&code=x&client_id=nope"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		var doc map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if rec.Header().Get("Content-Type") != "application/problem+json" || doc["error"] != nil || doc["status"] != float64(rec.Code) || rec.Code != http.StatusBadRequest {
			t.Errorf("got %d %s %v, want a 400 problem document without error", rec.Code, rec.Header().Get("Content-Type"), doc)
		}
	}
}
