package refserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func postRegistration(t *testing.T, srv http.Handler, contentType, body string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, testIssuer+"/register", strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, rec.Body)
	}
	return rec, doc
}

func TestRegisterSuccess(t *testing.T) {
	srv := newEnv(t).srv
	tests := []struct {
		name       string
		body       string
		wantMethod string
		wantSecret bool
	}{
		{"public", `{"redirect_uris":["http://127.0.0.1:53682/callback"],"token_endpoint_auth_method":"none"}`, "none", false},
		{"basic", `{"redirect_uris":["https://client.example/cb"],"token_endpoint_auth_method":"client_secret_basic"}`, "client_secret_basic", true},
		{"post", `{"redirect_uris":["http://[::1]/cb"],"token_endpoint_auth_method":"client_secret_post"}`, "client_secret_post", true},
		{"default method is client_secret_basic", `{"redirect_uris":["http://localhost:8080/cb"]}`, "client_secret_basic", true},
		{"unknown metadata ignored", `{"redirect_uris":["http://127.0.0.1/cb"],"token_endpoint_auth_method":"none",
			"x_conformance_unknown":"v","application_type":"native","software_statement_foo":1,"client_id":"admin"}`, "none", false},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, doc := postRegistration(t, srv, "application/json", tt.body)
			if rec.Code != http.StatusCreated {
				t.Fatalf("status %d, want 201: %v", rec.Code, doc)
			}
			if rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", rec.Header().Get("Cache-Control"))
			}
			id, _ := doc["client_id"].(string)
			if id == "" || id == "admin" || seen[id] {
				t.Errorf("client_id %q is not a fresh server-chosen id", id)
			}
			seen[id] = true
			if doc["token_endpoint_auth_method"] != tt.wantMethod {
				t.Errorf("token_endpoint_auth_method %v, want %s", doc["token_endpoint_auth_method"], tt.wantMethod)
			}
			_, hasSecret := doc["client_secret"]
			_, hasExpiry := doc["client_secret_expires_at"]
			if hasSecret != tt.wantSecret || hasExpiry != tt.wantSecret {
				t.Errorf("client_secret present %v, client_secret_expires_at present %v, want %v", hasSecret, hasExpiry, tt.wantSecret)
			}
			if tt.wantSecret && doc["client_secret_expires_at"] != float64(0) {
				t.Errorf("client_secret_expires_at %v, want 0", doc["client_secret_expires_at"])
			}
			if _, ok := doc["x_conformance_unknown"]; ok {
				t.Error("unknown metadata was echoed")
			}
		})
	}
}

func TestRegisterEchoesMetadata(t *testing.T) {
	srv := newEnv(t).srv
	sent := map[string]any{
		"redirect_uris":              []any{"http://127.0.0.1:53682/callback", "https://client.example/cb"},
		"token_endpoint_auth_method": "none",
		"grant_types":                []any{"authorization_code", "refresh_token"},
		"response_types":             []any{"code"},
		"client_name":                "Conformance-Client-7F3A",
		"scope":                      "mcp:read mcp:write",
	}
	body, _ := json.Marshal(sent)
	rec, doc := postRegistration(t, srv, "application/json; charset=utf-8", string(body))
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %v", rec.Code, doc)
	}
	for k, v := range sent {
		if !reflect.DeepEqual(doc[k], v) {
			t.Errorf("%s = %#v, want %#v", k, doc[k], v)
		}
	}
}

func TestRegisterErrors(t *testing.T) {
	srv := newEnv(t).srv
	tests := []struct {
		name        string
		contentType string
		body        string
		wantError   string
	}{
		{"form body", "application/x-www-form-urlencoded", `redirect_uris=https://c.example/cb`, errInvalidClientMetadata},
		{"not JSON", "application/json", `{`, errInvalidClientMetadata},
		{"redirect_uris not an array", "application/json", `{"redirect_uris":"not-an-array"}`, errInvalidClientMetadata},
		{"redirect_uris missing", "application/json", `{"grant_types":["authorization_code"],"token_endpoint_auth_method":"none"}`, errInvalidRedirectURI},
		{"not a URI", "application/json", `{"redirect_uris":["not a uri"]}`, errInvalidRedirectURI},
		{"fragment", "application/json", `{"redirect_uris":["http://127.0.0.1:5000/cb#frag"]}`, errInvalidRedirectURI},
		{"empty fragment", "application/json", `{"redirect_uris":["http://127.0.0.1:5000/cb#"]}`, errInvalidRedirectURI},
		{"relative", "application/json", `{"redirect_uris":["/relative/cb"]}`, errInvalidRedirectURI},
		{"javascript", "application/json", `{"redirect_uris":["javascript:alert(1)"]}`, errInvalidRedirectURI},
		{"http non-loopback", "application/json", `{"redirect_uris":["http://client.example.test/cb"]}`, errInvalidRedirectURI},
		{"unknown auth method", "application/json", `{"redirect_uris":["https://c.example/cb"],"token_endpoint_auth_method":"private_key_jwt"}`, errInvalidClientMetadata},
		{"implicit grant", "application/json", `{"redirect_uris":["https://c.example/cb"],"grant_types":["implicit"]}`, errInvalidClientMetadata},
		{"token response type", "application/json", `{"redirect_uris":["https://c.example/cb"],"grant_types":["authorization_code"],"response_types":["token"]}`, errInvalidClientMetadata},
		{"jwks and jwks_uri", "application/json", `{"redirect_uris":["https://c.example/cb"],"jwks":{"keys":[]},"jwks_uri":"https://example.test/jwks"}`, errInvalidClientMetadata},
		{"unknown scope", "application/json", `{"redirect_uris":["https://c.example/cb"],"scope":"admin"}`, errInvalidClientMetadata},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, doc := postRegistration(t, srv, tt.contentType, tt.body)
			if rec.Code != http.StatusBadRequest || doc["error"] != tt.wantError {
				t.Errorf("got %d %v, want 400 %s", rec.Code, doc, tt.wantError)
			}
			if desc, _ := doc["error_description"].(string); desc == "" {
				t.Error("error_description is empty")
			}
		})
	}
}

func TestRegisterRequiresPOST(t *testing.T) {
	rec := httptest.NewRecorder()
	newEnv(t).srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, testIssuer+"/register", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET /register: status %d, want 405", rec.Code)
	}
}
