package refserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

const (
	rfc8414Inserted = "https://as.test/.well-known/oauth-authorization-server/as"
	rfc8414Appended = "https://as.test/as/.well-known/oauth-authorization-server"
	oidcAppended    = "https://as.test/as/.well-known/openid-configuration"
	oidcInserted    = "https://as.test/.well-known/openid-configuration/as"
)

type fetched struct {
	status      int
	contentType string
	doc         map[string]any
}

func fetch(t *testing.T, h http.Handler, target string) fetched {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	f := fetched{status: rec.Code, contentType: rec.Header().Get("Content-Type")}
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &f.doc); err != nil {
			t.Fatalf("%s: body is not a JSON object: %v", target, err)
		}
	}
	return f
}

func TestMetadataLocations(t *testing.T) {
	srv := newEnv(t).srv
	tests := []struct {
		url        string
		wantStatus int
		oidc       bool
	}{
		{rfc8414Inserted, http.StatusOK, false},       // RFC 8414 §3
		{rfc8414Appended, http.StatusNotFound, false}, // not an RFC 8414 location
		{oidcAppended, http.StatusOK, true},           // OIDC Discovery §4
		{oidcInserted, http.StatusOK, true},           // RFC 8414 §5 compatibility form
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			f := fetch(t, srv, tt.url)
			if f.status != tt.wantStatus {
				t.Fatalf("status %d, want %d", f.status, tt.wantStatus)
			}
			if tt.wantStatus != http.StatusOK {
				return
			}
			if f.contentType != "application/json" {
				t.Errorf("Content-Type %q, want application/json", f.contentType)
			}
			if f.doc["issuer"] != testIssuer {
				t.Errorf("issuer %v, want %s", f.doc["issuer"], testIssuer)
			}
			_, hasSubjectTypes := f.doc["subject_types_supported"]
			if hasSubjectTypes != tt.oidc {
				t.Errorf("subject_types_supported present = %v, want %v", hasSubjectTypes, tt.oidc)
			}
		})
	}
}

func TestMetadataMembers(t *testing.T) {
	srv := newEnv(t).srv
	common := map[string]any{
		"issuer":                 testIssuer,
		"authorization_endpoint": testIssuer + "/authorize",
		"token_endpoint":         testIssuer + "/token",
		"registration_endpoint":  testIssuer + "/register",
		"revocation_endpoint":    testIssuer + "/revoke",
		"revocation_endpoint_auth_methods_supported":    []any{"none", "client_secret_basic", "client_secret_post"},
		"introspection_endpoint":                        testIssuer + "/introspect",
		"introspection_endpoint_auth_methods_supported": []any{"client_secret_basic", "client_secret_post"},
		"jwks_uri":                                       testIssuer + "/jwks",
		"response_types_supported":                       []any{"code"},
		"response_modes_supported":                       []any{"query"},
		"grant_types_supported":                          []any{"authorization_code", "refresh_token"},
		"token_endpoint_auth_methods_supported":          []any{"none", "client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":               []any{"S256"},
		"scopes_supported":                               []any{"mcp:read", "mcp:write", "offline_access"},
		"authorization_response_iss_parameter_supported": true,
		"protected_resources":                            []any{testResource, "https://as.test/other/mcp"},
		"client_id_metadata_document_supported":          true,
	}
	oidcOnly := map[string]any{
		"subject_types_supported":               []any{"public"},
		"id_token_signing_alg_values_supported": []any{"RS256"},
	}
	for _, doc := range []struct {
		url  string
		oidc bool
	}{{rfc8414Inserted, false}, {oidcAppended, true}} {
		got := fetch(t, srv, doc.url).doc
		want := map[string]any{}
		for k, v := range common {
			want[k] = v
		}
		if doc.oidc {
			for k, v := range oidcOnly {
				want[k] = v
			}
		}
		for member, w := range want {
			t.Run(doc.url+"#"+member, func(t *testing.T) {
				if !reflect.DeepEqual(got[member], w) {
					t.Errorf("%s = %#v, want %#v", member, got[member], w)
				}
			})
		}
		for member, v := range got {
			if _, ok := want[member]; !ok {
				t.Errorf("%s: unexpected member %s", doc.url, member)
			}
			if a, ok := v.([]any); ok && len(a) == 0 {
				t.Errorf("%s: %s is an empty array (RFC 8414 §3.2)", doc.url, member)
			}
		}
	}
}

func TestMetadataPlainHTTPEndpoints(t *testing.T) {
	srv, err := New(Options{Issuer: "http://127.0.0.1:9000/as"})
	if err != nil {
		t.Fatal(err)
	}
	doc := fetch(t, srv, "http://127.0.0.1:9000/.well-known/oauth-authorization-server/as").doc
	for _, m := range []string{"authorization_endpoint", "token_endpoint", "registration_endpoint", "jwks_uri"} {
		if s, _ := doc[m].(string); !strings.HasPrefix(s, "http://127.0.0.1:9000/as/") {
			t.Errorf("%s = %q, want an http URL below the issuer", m, s)
		}
	}
}

func TestJWKS(t *testing.T) {
	srv := newEnv(t).srv
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, testIssuer+"/jwks", nil))
	var set struct{ Keys []jwk }
	if err := json.Unmarshal(rec.Body.Bytes(), &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("JWKS %s: %v", rec.Body, err)
	}
	if k := set.Keys[0]; k.Kty != "RSA" || k.Alg != "RS256" || k.Kid != srv.keyID || k.N == "" || k.E != "AQAB" {
		t.Errorf("unexpected key %+v", k)
	}
}

func TestNewRejectsBadIssuer(t *testing.T) {
	for _, issuer := range []string{"", "as.test/as", "https://as.test/as/", "https://as.test/as?x=1", "https://as.test/as#f", "ftp://as.test"} {
		if _, err := New(Options{Issuer: issuer}); err == nil {
			t.Errorf("New accepted the issuer %q", issuer)
		}
	}
}
