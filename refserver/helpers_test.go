package refserver

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testIssuer   = "https://as.test/as"
	testResource = "https://as.test/mcp"
	testRedirect = "http://127.0.0.1:53682/callback"
)

// handlerTransport sends requests straight into a handler: the tests drive
// the server through net/http clients (cookie jars included) without a network.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// fakeClock is a settable Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type testEnv struct {
	srv   *Server
	clock *fakeClock
}

func newEnv(t *testing.T, faults ...string) *testEnv {
	t.Helper()
	return newEnvWith(t, Options{Faults: faults})
}

// newEnvWith is newEnv with options (faults, variants); the issuer,
// resources and clock are the test ones.
func newEnvWith(t *testing.T, opts Options) *testEnv {
	t.Helper()
	clock := &fakeClock{now: time.Unix(1_800_000_000, 0)}
	opts.Issuer = testIssuer
	opts.Resources = []string{testResource, "https://as.test/other/mcp"}
	opts.Now = clock.Now
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &testEnv{srv: srv, clock: clock}
}

// browser returns a client with a fresh cookie jar that does not follow redirects.
func (e *testEnv) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Transport:     handlerTransport{e.srv},
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type registration struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	AuthMethod   string `json:"token_endpoint_auth_method"`
}

func (e *testEnv) register(t *testing.T, authMethod string, redirectURIs ...string) registration {
	t.Helper()
	if len(redirectURIs) == 0 {
		redirectURIs = []string{testRedirect}
	}
	body, _ := json.Marshal(map[string]any{
		"redirect_uris":              redirectURIs,
		"token_endpoint_auth_method": authMethod,
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"client_name":                "Conformance-Client-7F3A",
	})
	resp, err := e.browser().Post(testIssuer+"/register", "application/json", strings.NewReader(string(body)))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("registration failed: %v %v", err, resp.Status)
	}
	var reg registration
	decodeJSON(t, resp, &reg)
	return reg
}

func decodeJSON(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decoding %s response: %v", resp.Request.URL.Path, err)
	}
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pkce returns a fresh verifier and its S256 challenge.
func pkce() (verifier, challenge string) {
	verifier = randomToken()
	return verifier, s256(verifier)
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// stdAuthz is STD-AUTHZ of requirements.md §1.3.
func stdAuthz(clientID, challenge string) url.Values {
	return url.Values{
		"response_type":         {"code"},
		"client_id":             {clientID},
		"redirect_uri":          {testRedirect},
		"state":                 {"s_~.-+ /=&"},
		"code_challenge":        {challenge},
		"code_challenge_method": {"S256"},
		"resource":              {testResource},
	}
}

var hiddenField = regexp.MustCompile(`name="([a-z_]+)" value="([^"]*)"`)

func formFields(page string) url.Values {
	v := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// runFlow sends an authorization request from browser, logs in and decides
// on the consent page when asked to, and returns the last response: the
// redirect to the client, or a page that stopped the flow.
func (e *testEnv) runFlow(t *testing.T, browser *http.Client, params url.Values, decision string) *http.Response {
	t.Helper()
	resp, err := browser.Get(testIssuer + "/authorize?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if resp.StatusCode != http.StatusOK {
			return resp
		}
		page := readBody(t, resp)
		fields := formFields(page)
		switch {
		case strings.Contains(page, `id="login-form"`):
			fields.Set("username", DefaultUser.Username)
			fields.Set("password", DefaultUser.Password)
			resp, err = browser.PostForm(testIssuer+"/login", fields)
			if err != nil || resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %v %v", err, resp.Status)
			}
			resp, err = browser.Get(resp.Header.Get("Location"))
		case strings.Contains(page, `id="consent-form"`):
			fields.Set("decision", decision)
			resp, err = browser.PostForm(testIssuer+"/consent", fields)
		default:
			t.Fatalf("unexpected page: %s", page)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return resp
}

// redirectParams returns the parameters of a redirect to the client.
func redirectParams(t *testing.T, resp *http.Response) url.Values {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %s, want a 303 redirect to the client: %s", resp.Status, readBody(t, resp))
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// code runs STD-AUTHZ for the client and returns the code and its verifier.
func (e *testEnv) code(t *testing.T, clientID string) (code, verifier string) {
	t.Helper()
	verifier, challenge := pkce()
	q := redirectParams(t, e.runFlow(t, e.browser(), stdAuthz(clientID, challenge), "approve"))
	if q.Get("code") == "" {
		t.Fatalf("no code in the redirect: %v", q)
	}
	return q.Get("code"), verifier
}

// stdToken is STD-TOKEN of requirements.md §1.3 for a public client.
func stdToken(clientID, code, verifier string) url.Values {
	return url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {testRedirect},
		"client_id":     {clientID},
		"code_verifier": {verifier},
		"resource":      {testResource},
	}
}

type tokenResult struct {
	Status int
	Header http.Header
	Body   map[string]any
}

func (r tokenResult) errorCode() string { s, _ := r.Body["error"].(string); return s }

// postToken sends a token request. edit may change the request (headers).
func (e *testEnv) postToken(t *testing.T, form url.Values, edit func(*http.Request)) tokenResult {
	t.Helper()
	return e.postEndpoint(t, "/token", form, edit)
}

func basicAuth(id, secret string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret)) }
}
