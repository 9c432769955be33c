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
