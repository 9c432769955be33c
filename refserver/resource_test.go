package refserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestProtectedResource(t *testing.T) {
	e := newEnv(t)
	reg := e.register(t, "none")
	code, verifier := e.code(t, reg.ClientID)
	tok := e.postToken(t, stdToken(reg.ClientID, code, verifier), nil)
	accessToken, _ := tok.Body["access_token"].(string)
	if accessToken == "" {
		t.Fatalf("no access token: %v", tok.Body)
	}
	const metadataURL = "https://as.test/.well-known/oauth-protected-resource/mcp"

	tests := []struct {
		name          string
		resource      string
		authorization string
		wantStatus    int
		wantChallenge string
	}{
		{"no token", testResource, "", http.StatusUnauthorized, `Bearer resource_metadata="` + metadataURL + `"`},
		{"garbage token", testResource, "Bearer not-a-jwt", http.StatusUnauthorized, `error="invalid_token"`},
		{"token for this resource", testResource, "Bearer " + accessToken, http.StatusOK, ""},
		{"bearer scheme in lower case", testResource, "bearer " + accessToken, http.StatusOK, ""},
		{"token for another resource", "https://as.test/other/mcp", "Bearer " + accessToken, http.StatusUnauthorized, `error="invalid_token"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, tc.resource, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"initialize"}`))
			if tc.authorization != "" {
				req.Header.Set("Authorization", tc.authorization)
			}
			rec := httptest.NewRecorder()
			e.srv.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus || !strings.Contains(rec.Header().Get("WWW-Authenticate"), tc.wantChallenge) {
				t.Fatalf("status %d, WWW-Authenticate %q; want %d and %q", rec.Code, rec.Header().Get("WWW-Authenticate"), tc.wantStatus, tc.wantChallenge)
			}
		})
	}

	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, metadataURL, nil))
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `"resource":"`+testResource+`"`) || !strings.Contains(body, `"authorization_servers":["`+testIssuer+`"]`) {
		t.Fatalf("resource metadata: %d %s", rec.Code, body)
	}
}

// TestResourceMatching: a resource names a configured one when only the case
// of its scheme or host differs (RFC 3986 §6.2.2.1), and the token's aud is
// the configured form; any other difference is another, unknown resource.
func TestResourceMatching(t *testing.T) {
	e := newEnv(t)
	wantAud(t, e, resourceFlow(t, e, []string{"HTTPS://AS.TEST/mcp"}, []string{"https://As.Test/mcp"}), testResource)
	wantAud(t, e, resourceFlow(t, e, []string{testResource}, []string{"HTTPS://AS.TEST/mcp"}), testResource)
	wantAud(t, e, resourceFlow(t, e, nil, nil), testResource)
	for _, other := range []string{testResource + "/", "https://as.test/MCP", "https://as.test/mcp?x=1"} {
		params := stdAuthz(e.register(t, "none").ClientID, randomToken())
		params.Set("resource", other)
		wantRedirectError(t, e, params, errInvalidTarget)
	}
}

func TestCanonicalResource(t *testing.T) {
	for in, want := range map[string]string{
		"HTTPS://Example.COM:8443/Path/X?Q=1": "https://example.com:8443/Path/X?Q=1",
		"https://User@HOST/p":                 "https://User@host/p",
		"https://host":                        "https://host",
		"urn:example:Res":                     "urn:example:Res",
	} {
		if got := canonicalResource(in); got != want {
			t.Errorf("canonicalResource(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDefaultResources: without Options.Resources, the server knows two MCP
// endpoints on its origin, each with its protected-resource metadata.
func TestDefaultResources(t *testing.T) {
	srv, err := New(Options{Issuer: testIssuer})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/mcp", "/other/mcp"} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://as.test/.well-known/oauth-protected-resource"+path, nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"resource":"https://as.test`+path+`"`) {
			t.Errorf("metadata of %s: %d %s", path, rec.Code, rec.Body)
		}
	}
}
