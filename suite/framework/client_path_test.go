package framework

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestClientPathProblem(t *testing.T) {
	tests := []struct {
		name    string
		extra   map[string]any
		want    string // "" means a client can be had
		clients bool
	}{
		{"no DCR, no CIMD", nil, "--client-id", false},
		{"DCR", map[string]any{"registration_endpoint": "/register"}, "", false},
		{"CIMD without a document URL", map[string]any{"client_id_metadata_document_supported": true}, "--cimd-base-url", false},
		{"a configured client", nil, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/.well-known/oauth-authorization-server" {
					http.NotFound(w, r)
					return
				}
				doc := map[string]any{"issuer": srv.URL, "authorization_endpoint": srv.URL + "/authorize", "token_endpoint": srv.URL + "/token",
					"response_types_supported": []string{"code"}, "code_challenge_methods_supported": []string{"S256"}}
				for k, v := range tt.extra {
					if s, ok := v.(string); ok {
						v = srv.URL + s
					}
					doc[k] = v
				}
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(doc)
			}))
			defer srv.Close()
			cfg := defaultConfig()
			cfg.SetEmbeddedCA(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
			if tt.clients {
				cfg.Clients.Public = &ClientConfig{ClientID: "pre-registered"}
			}
			if err := Setup(&cfg, srv.URL); err != nil {
				t.Fatal(err)
			}
			defer Teardown()
			got := ClientPathProblem(context.Background())
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("ClientPathProblem() = %q, want one containing %q", got, tt.want)
			}
		})
	}
}
