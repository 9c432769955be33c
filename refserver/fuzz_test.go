package refserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The reference server parses whatever a client sends. These fuzz targets
// check that no request makes it answer 500 or panic; their seeds run with
// the unit tests, and scripts/fuzz.sh runs each for a while.

func fuzzServer(f *testing.F) *Server {
	f.Helper()
	s, err := New(Options{Issuer: "https://as.test/as"})
	if err != nil {
		f.Fatal(err)
	}
	return s
}

// fuzzServe sends one request and fails on a 500 (ServeHTTP turns panics into one).
func fuzzServe(t *testing.T, s *Server, r *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code >= 500 {
		t.Fatalf("%s %s answered %d: %s", r.Method, r.URL, w.Code, w.Body.String())
	}
	return w
}

func FuzzAuthorizationRequest(f *testing.F) {
	s := fuzzServer(f)
	f.Add("response_type=code&client_id=x&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&code_challenge=abc&code_challenge_method=S256&resource=https%3A%2F%2Fas.test%2Fmcp")
	f.Add("client_id=%zz&client_id=a&redirect_uri=javascript:alert(1)")
	f.Add("scope=%00%ff&state=" + strings.Repeat("a", 5000))
	f.Fuzz(func(t *testing.T, query string) {
		get := httptest.NewRequest(http.MethodGet, "https://as.test/as/authorize", nil)
		get.URL.RawQuery = query // any bytes, as a client could send them
		fuzzServe(t, s, get)
		r := httptest.NewRequest(http.MethodPost, "https://as.test/as/authorize", strings.NewReader(query))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		fuzzServe(t, s, r)
	})
}

func FuzzTokenRequest(f *testing.F) {
	s := fuzzServer(f)
	f.Add("grant_type=authorization_code&code=abc&code_verifier=x&redirect_uri=http://127.0.0.1/cb&client_id=c", "Basic Yzpk", "application/x-www-form-urlencoded")
	f.Add("grant_type=refresh_token&refresh_token=%&resource=a&resource=b", "", "application/x-www-form-urlencoded; charset=UTF-8")
	f.Add(`{"grant_type":"password"}`, "Bearer x", "application/json")
	f.Fuzz(func(t *testing.T, body, authorization, contentType string) {
		r := httptest.NewRequest(http.MethodPost, "https://as.test/as/token", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		w := fuzzServe(t, s, r)
		if w.Code >= 400 && !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("a token error is not JSON: %d %q", w.Code, w.Header().Get("Content-Type"))
		}
	})
}

func FuzzRegistrationRequest(f *testing.F) {
	s := fuzzServer(f)
	f.Add(`{"redirect_uris":["http://127.0.0.1:5000/cb"],"token_endpoint_auth_method":"none","application_type":"native"}`)
	f.Add(`{"redirect_uris":"not-an-array","grant_types":[1,2]}`)
	f.Add(`{"jwks":{"keys":[]},"jwks_uri":"https://x","client_name":"<img src=x>"}`)
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "https://as.test/as/register", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		fuzzServe(t, s, r)
	})
}

func FuzzResourceAndVerifierSyntax(f *testing.F) {
	f.Add("https://as.test/mcp")
	f.Add("mcp.example.com")
	f.Add(strings.Repeat("a", 43))
	f.Fuzz(func(t *testing.T, v string) {
		if validResourceSyntax(v) && strings.Contains(v, "#") {
			t.Fatalf("a resource with a fragment is valid: %q", v)
		}
		if validVerifierSyntax(v) && (len(v) < 43 || len(v) > 128) {
			t.Fatalf("a verifier of %d characters is valid", len(v))
		}
	})
}
