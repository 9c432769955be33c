package framework

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDiscoverProtectedResource(t *testing.T) {
	const metadata = `{"resource":"%s/mcp","authorization_servers":["https://as.example/t1"]}`
	tests := []struct {
		name     string
		routes   func(mux *http.ServeMux, origin *string)
		wantMeta string // suffix of the metadata URL used
		wantErr  string
	}{
		{"challenge names the metadata", func(mux *http.ServeMux, origin *string) {
			mux.HandleFunc("/mcp", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_request", resource_metadata="`+*origin+`/meta/x"`)
				w.WriteHeader(http.StatusUnauthorized)
			})
			mux.HandleFunc("/meta/x", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, metadata, *origin)
			})
		}, "/meta/x", ""},
		{"path-inserted well-known URL", func(mux *http.ServeMux, origin *string) {
			mux.HandleFunc("/.well-known/oauth-protected-resource/mcp", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				fmt.Fprintf(w, metadata, *origin)
			})
		}, "/.well-known/oauth-protected-resource/mcp", ""},
		{"root well-known URL", func(mux *http.ServeMux, origin *string) {
			mux.HandleFunc("/.well-known/oauth-protected-resource", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, metadata, *origin)
			})
		}, "/.well-known/oauth-protected-resource", ""},
		{"nothing found", func(mux *http.ServeMux, origin *string) {}, "", "no RFC 9728 resource metadata"},
		{"metadata without authorization servers", func(mux *http.ServeMux, origin *string) {
			mux.HandleFunc("/.well-known/oauth-protected-resource", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"resource":"x"}`)
			})
		}, "", "no authorization_servers array"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mux := http.NewServeMux()
			var origin string
			tc.routes(mux, &origin)
			srv := httptest.NewServer(mux)
			defer srv.Close()
			origin = srv.URL
			cfg := defaultConfig()
			pr, err := DiscoverProtectedResource(t.Context(), &cfg, srv.URL+"/mcp")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v; want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if pr.MetadataURL != srv.URL+tc.wantMeta || pr.Resource != srv.URL+"/mcp" || pr.AuthorizationServers[0] != "https://as.example/t1" {
				t.Fatalf("discovered %+v", pr)
			}
		})
	}
}
