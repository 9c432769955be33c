package refserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
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

// fuzzHang is how long one request may take: Go's fuzzing does not notice an
// input that never finishes, it only stops counting executions.
const fuzzHang = 2 * time.Second

// fuzzServe sends one request and fails on a 500 (ServeHTTP turns panics
// into one) or on no answer within fuzzHang.
func fuzzServe(t *testing.T, s *Server, r *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.ServeHTTP(w, r)
	}()
	select {
	case <-done:
	case <-time.After(fuzzHang):
		t.Fatalf("%s %s did not answer within %s", r.Method, r.URL, fuzzHang)
	}
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
		fuzzPost(t, s, pathToken, body, authorization, contentType)
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

// lifecycleFuzzServer has a confidential client, the one a resource server
// uses to call introspection and revocation.
func lifecycleFuzzServer(f *testing.F) *Server {
	f.Helper()
	s, err := New(Options{Issuer: "https://as.test/as", Clients: []StaticClient{
		{ID: "rs", Secret: "rs-secret", RedirectURIs: []string{"https://rs.test/cb"}},
		{ID: "pub", RedirectURIs: []string{"http://127.0.0.1/cb"}},
	}})
	if err != nil {
		f.Fatal(err)
	}
	return s
}

// lifecycleSeeds are requests to the RFC 7009 and RFC 7662 endpoints: form
// bodies, Authorization headers and content types as clients send them, and
// as they get them wrong.
func lifecycleSeeds(f *testing.F) {
	basic := "Basic cnM6cnMtc2VjcmV0" // rs:rs-secret
	for _, seed := range [][3]string{
		{"token=abc&token_type_hint=access_token", basic, "application/x-www-form-urlencoded"},
		{"token=eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln&token_type_hint=refresh_token", basic, "application/x-www-form-urlencoded; charset=utf-8"},
		{"token=a&token=b&client_id=rs&client_secret=rs-secret", "", "application/x-www-form-urlencoded"},
		{"token=abc&client_id=pub", "", "application/x-www-form-urlencoded"},
		{"token=%zz&token_type_hint=%00", "Basic %%%", "application/x-www-form-urlencoded"},
		{`{"token":"abc"}`, basic, "application/json"},
		{"", "Bearer abc", ""},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
}

// fuzzPost posts one fuzzed request to the issuer's path and checks the
// answer is not a 500 and, when it is an error, is an OAuth JSON error.
func fuzzPost(t *testing.T, s *Server, path, body, authorization, contentType string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "https://as.test/as"+path, strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	w := fuzzServe(t, s, r)
	if w.Code >= 400 && !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("an error of %s is not JSON: %d %q", path, w.Code, w.Header().Get("Content-Type"))
	}
	return w
}

func FuzzIntrospectionRequest(f *testing.F) {
	s := lifecycleFuzzServer(f)
	lifecycleSeeds(f)
	f.Fuzz(func(t *testing.T, body, authorization, contentType string) {
		w := fuzzPost(t, s, pathIntrospect, body, authorization, contentType)
		// RFC 7662 §2.2: a token this server never issued is inactive.
		if w.Code == http.StatusOK && strings.Contains(w.Body.String(), `"active":true`) {
			t.Fatalf("a token the server never issued is active: %s", w.Body.String())
		}
	})
}

func FuzzRevocationRequest(f *testing.F) {
	s := lifecycleFuzzServer(f)
	lifecycleSeeds(f)
	f.Fuzz(func(t *testing.T, body, authorization, contentType string) {
		fuzzPost(t, s, pathRevoke, body, authorization, contentType)
	})
}

// FuzzClientMetadataDocument validates fetched client metadata documents
// (CIMD): no document panics the server, and one that is accepted gives a
// public client with exactly the client_id URL it was fetched from.
func FuzzClientMetadataDocument(f *testing.F) {
	s := fuzzServer(f)
	const id = "https://client.test/mcp-client.json"
	f.Add([]byte(`{"client_id":"` + id + `","redirect_uris":["http://127.0.0.1/cb"],"client_name":"x","token_endpoint_auth_method":"none"}`))
	f.Add([]byte(`{"client_id":"` + id + `","redirect_uris":["https://client.test/cb"],"token_endpoint_auth_method":"client_secret_basic","client_secret":"s"}`))
	f.Add([]byte(`{"client_id":"https://other.test/doc.json","redirect_uris":[]}`))
	f.Add([]byte(`{"client_id":"` + id + `","redirect_uris":"http://127.0.0.1/cb","grant_types":[1]}`))
	f.Add([]byte(`[{"client_id":"` + id + `"}]`))
	f.Add([]byte(`{"client_id":"` + id + `","client_id":"x","jwks":{"keys":[{}]},"logo_uri":"javascript:alert(1)"}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		c, err := s.cimd.clientFromDocument(s, id, doc)
		if err != nil {
			if err.Code != errInvalidClient || err.Description == "" {
				t.Fatalf("a refused document gives %q %q, want invalid_client with a reason", err.Code, err.Description)
			}
			return
		}
		if c.ID != id || c.Secret != "" || c.AuthMethod != authMethodNone || !c.MetadataDocument {
			t.Fatalf("an accepted document gives client %q (secret %t, method %q, document %t)", c.ID, c.Secret != "", c.AuthMethod, c.MetadataDocument)
		}
		for _, u := range c.RedirectURIs {
			if strings.ContainsAny(u, "#") {
				t.Fatalf("an accepted document has a redirect URI with a fragment: %q", u)
			}
		}
	})
}
