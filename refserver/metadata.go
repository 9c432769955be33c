package refserver

import (
	"encoding/json"
	"log"
	"net/http"
	"strings"
)

// metadata returns the authorization server metadata (RFC 8414 §2), or the
// OpenID Connect Discovery document (OIDC Discovery §3) when oidc is set. Both
// describe the same AS; the metadata faults bend exactly these members.
func (s *Server) metadata(oidc bool) map[string]any {
	issuer := s.issuer
	if s.faults[faultMetadataIssuerTrailingSlash] {
		issuer += "/"
	}
	if s.faults[faultMetadataIssuerQuery] {
		issuer += "?tenant=a"
	}
	m := map[string]any{
		"issuer":                 issuer,
		"authorization_endpoint": s.endpoint(pathAuthorize),
		"token_endpoint":         s.endpoint(pathToken),
		"registration_endpoint":  s.endpoint(pathRegister),
		"jwks_uri":               s.endpoint(pathJWKS),
		"scopes_supported":       s.scopes,
		// OAuth 2.1 has only the code flow, delivered in the query.
		"response_types_supported": []string{responseTypeCode},
		"response_modes_supported": []string{"query"},
		// Listed explicitly: the RFC 8414 default would advertise implicit.
		"grant_types_supported":                 []string{grantAuthCode, grantRefresh},
		"token_endpoint_auth_methods_supported": []string{authMethodNone, authMethodBasic, authMethodPost},
		// Only S256: plain is refused (MCP requires S256).
		"code_challenge_methods_supported":               []string{methodS256},
		"authorization_response_iss_parameter_supported": true,                   // RFC 9207 §3
		"protected_resources":                            s.protectedResources(), // RFC 9728 §4
	}
	if s.variants[variantClientSecretPostOnly] {
		m["token_endpoint_auth_methods_supported"] = []string{authMethodPost, authMethodNone}
	}
	s.tokenLifecycleMetadata(m)
	s.registrationMetadata(m)
	s.securityMetadata(m)
	if oidc {
		m["subject_types_supported"] = []string{"public"}
		m["id_token_signing_alg_values_supported"] = []string{"RS256"}
	}

	if s.faults[faultMetadataResponseTypesString] {
		m["response_types_supported"] = responseTypeCode
	}
	if s.faults[faultMetadataNoCodeResponseType] {
		m["response_types_supported"] = []string{"token"}
	}
	if s.faults[faultMetadataNoPKCEMethods] && !oidc || s.faults[faultOIDCNoPKCEMethods] && oidc {
		delete(m, "code_challenge_methods_supported")
	}
	if s.faults[faultMetadataAdvertisePlain] {
		m["code_challenge_methods_supported"] = []string{methodS256, methodPlain}
	}
	if s.faults[faultMetadataNoGrantTypes] {
		delete(m, "grant_types_supported")
	}
	if s.faults[faultMetadataNoAuthMethods] {
		delete(m, "token_endpoint_auth_methods_supported")
	}
	if s.faults[faultMetadataJWTAuthWithoutAlgs] {
		m["token_endpoint_auth_methods_supported"] = []string{authMethodNone, authMethodBasic, authMethodPost, "private_key_jwt"}
	}
	if s.faults[faultMetadataEmptyArray] {
		m["ui_locales_supported"] = []string{}
	}
	if s.faults[faultMetadataHTTPJWKS] {
		_, rest, _ := strings.Cut(s.endpoint(pathJWKS), "://")
		m["jwks_uri"] = "http://" + rest
	}
	if s.faults[faultMetadataEndpointFragment] {
		m["authorization_endpoint"] = s.endpoint(pathAuthorize) + "#x"
	}
	if oidc && s.faults[faultOIDCMissingMembers] {
		delete(m, "jwks_uri")
		delete(m, "subject_types_supported")
		delete(m, "id_token_signing_alg_values_supported")
	}
	if oidc && s.faults[faultOIDCInconsistentEndpoints] {
		m["token_endpoint"] = s.endpoint(pathOIDCToken)
	}
	if s.faults[faultISSNotAdvertised] {
		delete(m, "authorization_response_iss_parameter_supported")
	}
	if s.faults[faultMetadataNoScopes] {
		delete(m, "scopes_supported")
	}
	return m
}

// metadataHandler serves a metadata document (RFC 8414 §3.2: 200,
// application/json, a JSON object). It is rendered once: the documents do not
// change while the server runs.
func (s *Server) metadataHandler(oidc bool) http.HandlerFunc {
	doc, err := json.MarshalIndent(s.metadata(oidc), "", "  ")
	if err != nil {
		panic(err) // a map of strings, string slices and booleans always marshals
	}
	contentType := "application/json"
	if s.faults[faultMetadataTextPlain] {
		contentType = "text/plain; charset=utf-8"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, newError(errInvalidRequest, "Metadata is read with GET."))
			return
		}
		w.Header().Set("Content-Type", contentType)
		// Public, static metadata: any origin may read it (browser-based MCP clients do).
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if _, err := w.Write(doc); err != nil {
			log.Printf("refserver: writing metadata: %v", err)
		}
	}
}
