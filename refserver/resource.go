package refserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// The demo MCP endpoint: a protected resource for each configured resource on
// this server's origin, with its RFC 9728 metadata. MCP clients start here: an
// unauthenticated request gets 401 with a WWW-Authenticate challenge naming
// the metadata, and the metadata names this authorization server.

const wellKnownResource = "/.well-known/oauth-protected-resource"

// resourceRoutes adds the MCP endpoint and its metadata for every resource
// served from this origin under a path (a resource at the bare origin would
// claim every path of the server).
func (s *Server) resourceRoutes(handlers map[string]http.HandlerFunc) {
	for _, r := range s.resources {
		u, err := url.Parse(r)
		if err != nil || u.Scheme+"://"+u.Host != s.origin || strings.Trim(u.Path, "/") == "" {
			continue
		}
		// RFC 9728 §3.1: the well-known suffix is inserted before the path.
		handlers[wellKnownResource+u.Path] = s.handleResourceMetadata(r)
		handlers[u.Path] = s.handleMCP(r, s.origin+wellKnownResource+u.Path)
	}
}

// handleResourceMetadata serves RFC 9728 §2 metadata. The resource member is
// exactly the resource identifier (RFC 9728 §3.3).
func (s *Server) handleResourceMetadata(resource string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"resource":                 resource,
			"authorization_servers":    []string{s.issuer},
			"bearer_methods_supported": []string{"header"},
			"scopes_supported":         s.scopes,
			"resource_name":            "refserver demo MCP endpoint",
		})
	}
}

// handleMCP is the protected MCP endpoint. A request without a valid access
// token for this resource gets 401 with a Bearer challenge that carries
// resource_metadata (RFC 9728 §5.1) and, when a token was sent, error
// invalid_token (RFC 6750 §3.1). With a valid token it answers a JSON-RPC
// request with an empty result, enough for a client to see it got in.
func (s *Server) handleMCP(resource, metadataURL string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, sent := bearerToken(r)
		if err := s.checkAccessToken(token, resource); !sent || err != nil {
			challenge := fmt.Sprintf(`Bearer resource_metadata=%q`, metadataURL)
			if sent {
				challenge += `, error="invalid_token", error_description="The access token is not valid for this resource."`
			}
			w.Header().Set("WWW-Authenticate", challenge)
			http.Error(w, "authorization required", http.StatusUnauthorized)
			return
		}
		var req struct {
			ID json.RawMessage `json:"id"`
		}
		_ = json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req)
		if len(req.ID) == 0 {
			req.ID = json.RawMessage("null")
		}
		writeJSON(w, http.StatusOK, map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": map[string]any{}})
	}
}

// bearerToken reads an Authorization: Bearer header; the scheme is
// case-insensitive (RFC 9110 §11.1).
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// checkAccessToken verifies an access token minted here: RS256 with this
// server's key, this issuer, not expired, and audience-restricted to the
// resource (RFC 9068 §4; MCP: tokens for another resource are refused).
func (s *Server) checkAccessToken(raw, resource string) error {
	if raw == "" {
		return errors.New("no token")
	}
	if s.variants[variantOpaqueAccessTokens] {
		// Opaque access tokens are looked up in the store (revoke.go).
		if info := s.store.lookupToken(raw, s.now()); info.Kind != kindAccess || !info.Active || info.Audience != resource {
			return errors.New("the token is not an active access token for this resource")
		}
		return nil
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return &s.signingKey.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(s.issuer), jwt.WithTimeFunc(s.now), jwt.WithExpirationRequired())
	if err != nil {
		return err
	}
	if s.variants[variantRFC8707Ignored] {
		return nil // tokens are not audience-restricted, so none can be checked
	}
	aud, err := claims.GetAudience()
	if err != nil || !slices.Contains(aud, resource) {
		return errors.New("the token is not for this resource")
	}
	return nil
}
