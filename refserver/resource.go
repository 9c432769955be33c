package refserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The demo MCP endpoints: a protected resource for each configured resource
// on this server's origin, with its RFC 9728 metadata. MCP clients start
// here: an unauthenticated request gets 401 with a WWW-Authenticate
// challenge naming the metadata, and the metadata names this authorization
// server. Token validation is in accesstoken.go, the MCP messages in mcp.go.

const wellKnownResource = "/.well-known/oauth-protected-resource"

// servedResources are the resources this server's origin serves under a
// path (a resource at the bare origin would claim every path of the server).
func (s *Server) servedResources() []string {
	var out []string
	for _, r := range s.resources {
		u, err := url.Parse(r)
		if err != nil || u.Scheme+"://"+u.Host != s.origin || strings.Trim(u.Path, "/") == "" {
			continue
		}
		out = append(out, r)
	}
	return out
}

// resourceRoutes adds the MCP endpoint and its metadata for every served
// resource. RFC 9728 §3.1: the well-known suffix is inserted before the path.
func (s *Server) resourceRoutes(handlers map[string]http.HandlerFunc) {
	for _, r := range s.servedResources() {
		u, _ := url.Parse(r)
		metadataURL := s.origin + wellKnownResource + u.Path
		if !s.faults[faultPRMUndiscoverable] && !s.variants[variantPRMRootOnly] {
			handlers[wellKnownResource+u.Path] = s.handleResourceMetadata(r)
		}
		handlers[u.Path] = s.handleMCP(r, metadataURL)
	}
	switch served := s.servedResources(); {
	case s.faults[faultPRMUndiscoverable]:
		// Only a root document, and it describes another resource.
		handlers[wellKnownResource] = s.handleResourceMetadata("https://elsewhere.invalid/mcp")
	case s.variants[variantPRMRootOnly] && len(served) > 0:
		handlers[wellKnownResource] = s.handleResourceMetadata(served[0])
	}
}

// protectedResources is the AS metadata member of RFC 9728 §4: the
// resources this authorization server issues tokens for.
func (s *Server) protectedResources() []string {
	if s.faults[faultASProtectedResourcesMismatch] {
		return []string{"https://elsewhere.invalid/mcp"}
	}
	return slices.Clone(s.resources)
}

// prmScopes are the scopes the resource metadata advertises: the server's
// scopes except offline_access, which a resource never needs (MCP
// 2026-07-28: refresh tokens are the client's business with the AS).
func (s *Server) prmScopes() []string {
	var out []string
	for _, sc := range s.scopes {
		if sc != "offline_access" || s.faults[faultPRMOfflineAccess] {
			out = append(out, sc)
		}
	}
	return out
}

// requiredScope is the scope every MCP request needs: the server's default
// scope (mcp:read), which an authorization request without scope is granted.
func (s *Server) requiredScope() string { return s.scopes[0] }

// handleResourceMetadata serves RFC 9728 §2 metadata. The resource member is
// exactly the resource identifier (RFC 9728 §3.3).
func (s *Server) handleResourceMetadata(resource string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		doc := map[string]any{
			"resource":                 resource,
			"authorization_servers":    []string{s.issuer},
			"bearer_methods_supported": []string{"header"},
			"resource_name":            "refserver demo MCP endpoint",
		}
		if scopes := s.prmScopes(); len(scopes) > 0 && !s.faults[faultPRMNoScopes] {
			doc["scopes_supported"] = scopes
		}
		switch {
		case s.faults[faultPRMResourceOrigin]:
			doc["resource"] = s.origin
		case s.faults[faultPRMResourceFragment]:
			doc["resource"] = resource + "#mcp"
		}
		if s.faults[faultPRMUndiscoverableAS] {
			doc["authorization_servers"] = []string{s.issuer, s.origin + "/no-such-issuer"}
		}
		if s.faults[faultPRMEmptyArray] {
			doc["authorization_details_types_supported"] = []string{}
		}
		if s.faults[faultPRMSigningAlgNone] {
			doc["resource_signing_alg_values_supported"] = []string{"none"}
		}
		if s.faults[faultPRMBearerQuery] {
			doc["bearer_methods_supported"] = []string{"header", "query"}
		}
		if s.faults[faultPRMTextPlain] {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			_ = json.NewEncoder(w).Encode(doc)
			return
		}
		writeJSON(w, http.StatusOK, doc)
	}
}

// challenge is the Bearer challenge of a refused MCP request (RFC 6750 §3,
// RFC 9728 §5.1): resource_metadata, the scope MCP requests need, and for a
// request that carried a token, the error code.
func (s *Server) challenge(metadataURL, errCode, description string) string {
	params := []string{}
	if s.faults[faultChallengeDuplicateRealm] {
		params = append(params, `realm="mcp"`, `realm="mcp"`)
	}
	if !s.faults[faultChallengeNoResourceMetadata] && !s.faults[faultPRMUndiscoverable] && !s.variants[variantPRMRootOnly] {
		params = append(params, fmt.Sprintf("resource_metadata=%q", metadataURL))
	}
	if !s.faults[faultChallengeNoScope] {
		params = append(params, fmt.Sprintf("scope=%q", s.requiredScope()))
	}
	if errCode == "" && s.faults[faultChallengeErrorWithoutCredentials] {
		errCode, description = errInvalidToken, "No access token was sent."
	}
	if errCode != "" {
		params = append(params, fmt.Sprintf("error=%q", errCode), fmt.Sprintf("error_description=%q", description))
	}
	if len(params) == 0 {
		return "Bearer"
	}
	return "Bearer " + strings.Join(params, ", ")
}

// Bearer token errors (RFC 6750 §3.1).
const (
	errInvalidToken      = "invalid_token"
	errInsufficientScope = "insufficient_scope"
)

// handleMCP is the protected MCP endpoint. Every request, whatever its
// method and whether or not it names a session, must carry a valid access
// token for this resource in the Authorization header (MCP "Token
// Requirements"; MCPSBP "Session Hijacking"): otherwise 401 with a Bearer
// challenge, error invalid_token when a token was sent (RFC 6750 §3.1), or
// 403 insufficient_scope when the token lacks the required scope.
func (s *Server) handleMCP(resource, metadataURL string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		grant, refusal := s.authenticateMCPRequest(r, resource)
		if refusal != nil {
			w.Header().Set("WWW-Authenticate", s.challenge(metadataURL, refusal.code, refusal.description))
			http.Error(w, refusal.description, refusal.status)
			return
		}
		s.serveMCP(w, r, resource, grant)
	}
}

// mcpRefusal is why an MCP request was refused.
type mcpRefusal struct {
	status      int
	code        string // RFC 6750 error code; "" when no credentials were sent
	description string
}

// authenticateMCPRequest finds and validates the request's access token.
// Only the Authorization header counts: tokens in the query are ignored
// (OAuth 2.1 §5.1), and a session ID is never a credential.
func (s *Server) authenticateMCPRequest(r *http.Request, resource string) (*accessGrant, *mcpRefusal) {
	token, sent := bearerToken(r, s.faults[faultResourceBearerCaseSensitive])
	if !sent && s.faults[faultResourceQueryTokenAccepted] {
		token = r.URL.Query().Get("access_token")
		sent = token != ""
	}
	if !sent && s.faults[faultSessionIDAuthenticates] {
		if sess, ok := s.mcpSessions.lookup(r.Header.Get(headerSessionID)); ok {
			return &accessGrant{Subject: sess.subject, Scopes: []string{s.requiredScope()}}, nil
		}
	}
	if !sent {
		return nil, &mcpRefusal{status: http.StatusUnauthorized, description: "This MCP endpoint needs an access token (RFC 6750)."}
	}
	grant, err := s.validateAccessToken(token, resource)
	if err != nil {
		status := http.StatusUnauthorized
		if s.faults[faultResourceInvalidToken403] {
			status = http.StatusForbidden
		}
		return nil, &mcpRefusal{status: status, code: errInvalidToken, description: "The access token is not valid for this resource."}
	}
	if !slices.Contains(grant.Scopes, s.requiredScope()) {
		if s.faults[faultResourceInsufficientScope401] {
			return nil, &mcpRefusal{status: http.StatusUnauthorized, code: errInvalidToken, description: "The access token lacks a scope."}
		}
		return nil, &mcpRefusal{status: http.StatusForbidden, code: errInsufficientScope, description: "The access token lacks the scope " + s.requiredScope() + "."}
	}
	return grant, nil
}

// bearerToken reads an Authorization: Bearer header; the scheme is
// case-insensitive (RFC 9110 §11.1), unless caseSensitive (a fault).
func bearerToken(r *http.Request, caseSensitive bool) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || strings.TrimSpace(token) == "" {
		return "", false
	}
	if caseSensitive && scheme != "Bearer" || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}
