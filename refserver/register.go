package refserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// registrationRequest holds the client metadata this server understands
// (RFC 7591 §2). Other members are ignored, as §2 requires.
type registrationRequest struct {
	RedirectURIs            []string        `json:"redirect_uris"`
	TokenEndpointAuthMethod string          `json:"token_endpoint_auth_method"`
	GrantTypes              []string        `json:"grant_types"`
	ResponseTypes           []string        `json:"response_types"`
	ClientName              string          `json:"client_name"`
	Scope                   string          `json:"scope"`
	JWKS                    json.RawMessage `json:"jwks"`
	JWKSURI                 string          `json:"jwks_uri"`
	ApplicationType         string          `json:"application_type"` // OpenID Connect Registration §2
}

// registrationResponse is the client information response (RFC 7591 §3.2.1):
// the credentials plus the registered metadata.
type registrationResponse struct {
	ClientID                string   `json:"client_id"`
	ClientSecret            string   `json:"client_secret,omitempty"`
	ClientIDIssuedAt        int64    `json:"client_id_issued_at"`
	ClientSecretExpiresAt   *int64   `json:"client_secret_expires_at,omitempty"` // required iff a secret is issued
	ClientName              string   `json:"client_name,omitempty"`
	RedirectURIs            []string `json:"redirect_uris"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method,omitempty"` // omitted by client-secret-post-only
	Scope                   string   `json:"scope,omitempty"`
	ApplicationType         string   `json:"application_type,omitempty"` // dcr-native-only
}

const maxRegistrationBody = 64 << 10

// handleRegister is the dynamic client registration endpoint (RFC 7591 §3).
// It is open: MCP clients register without an initial access token.
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, newError(errInvalidRequest, "Clients are registered with POST (RFC 7591 section 3.1)."))
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeError(w, http.StatusBadRequest, newError(errInvalidClientMetadata,
			"The registration request must be a JSON object sent with Content-Type application/json (RFC 7591 section 3.1)."))
		return
	}
	var req registrationRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRegistrationBody))
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, newError(errInvalidClientMetadata, "The registration request is not a valid JSON object of client metadata: %s.", describeJSONError(err)))
		return
	}
	c, oerr := s.newClient(req)
	if oerr != nil {
		writeError(w, http.StatusBadRequest, oerr)
		return
	}
	s.store.addClient(c)

	resp := registrationResponse{
		ClientID:                c.ID,
		ClientSecret:            c.Secret,
		ClientIDIssuedAt:        c.IssuedAt.Unix(),
		ClientName:              req.ClientName,
		RedirectURIs:            c.RedirectURIs,
		GrantTypes:              c.GrantTypes,
		ResponseTypes:           c.ResponseTypes,
		TokenEndpointAuthMethod: c.AuthMethod,
		Scope:                   c.Scope,
	}
	s.variantRegistration(&resp, req)
	if c.Secret != "" {
		never := int64(0) // the secret does not expire
		resp.ClientSecretExpiresAt = &never
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusCreated, resp)
}

func describeJSONError(err error) string {
	var typeErr *json.UnmarshalTypeError
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return fmt.Sprintf("the member %s must be a JSON %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &maxErr):
		return fmt.Sprintf("the body is larger than %d bytes", maxErr.Limit)
	default:
		return "the body does not parse as a JSON object"
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "slice":
		return "array"
	case "struct", "map":
		return "object"
	default:
		return goKind
	}
}

// newClient validates registration metadata and applies the RFC 7591 §2 defaults.
func (s *Server) newClient(req registrationRequest) (*client, *oauthError) {
	if len(req.RedirectURIs) == 0 {
		// The redirection-based code flow is the only grant, so redirect URIs
		// are required (RFC 7591 §2, OAuth 2.1 §2.3).
		return nil, newError(errInvalidRedirectURI, "redirect_uris is required and must list at least one redirect URI.")
	}
	for _, u := range req.RedirectURIs {
		if err := checkRedirectURI(u); err != nil {
			return nil, newError(errInvalidRedirectURI, "The redirect URI %s is not acceptable: %s.", u, err)
		}
	}
	if err := s.checkApplicationType(req); err != nil {
		return nil, err
	}
	c := &client{
		ID:            randomToken(),
		AuthMethod:    req.TokenEndpointAuthMethod,
		Name:          req.ClientName,
		RedirectURIs:  slices.Clone(req.RedirectURIs),
		GrantTypes:    req.GrantTypes,
		ResponseTypes: req.ResponseTypes,
		Scope:         req.Scope,
		IssuedAt:      s.now(),
	}
	if s.variants[variantClientSecretPostOnly] && (c.AuthMethod == "" || c.AuthMethod == authMethodBasic) {
		c.AuthMethod = authMethodPost // the only secret method this server offers
	}
	switch c.AuthMethod {
	case "":
		c.AuthMethod = authMethodBasic // RFC 7591 §2 default
		c.Secret = randomToken()
	case authMethodBasic, authMethodPost:
		c.Secret = randomToken()
	case authMethodNone:
	default:
		return nil, newError(errInvalidClientMetadata, "token_endpoint_auth_method must be one of none, client_secret_basic and client_secret_post.")
	}
	if len(c.GrantTypes) == 0 {
		c.GrantTypes = []string{grantAuthCode} // RFC 7591 §2 default
	}
	for _, g := range c.GrantTypes {
		if g != grantAuthCode && g != grantRefresh {
			return nil, newError(errInvalidClientMetadata, "The grant type %s is not supported; grant_types may hold authorization_code and refresh_token.", g)
		}
	}
	if len(c.ResponseTypes) == 0 {
		c.ResponseTypes = []string{responseTypeCode} // RFC 7591 §2 default
	}
	// OAuth 2.1 has only the code response type, which goes with the
	// authorization_code grant (RFC 7591 §2.1).
	if len(c.ResponseTypes) != 1 || c.ResponseTypes[0] != responseTypeCode || !slices.Contains(c.GrantTypes, grantAuthCode) {
		return nil, newError(errInvalidClientMetadata, "response_types must be [code], used with the authorization_code grant.")
	}
	if len(req.JWKS) > 0 && req.JWKSURI != "" {
		return nil, newError(errInvalidClientMetadata, "jwks and jwks_uri must not both be present (RFC 7591 section 2).")
	}
	for _, sc := range strings.Fields(c.Scope) {
		if !slices.Contains(s.scopes, sc) {
			return nil, newError(errInvalidClientMetadata, "The scope %s is unknown; scopes_supported in the metadata lists the known ones.", sc)
		}
	}
	s.issued(IssuedClientSecret, c.Secret)
	return c, nil
}

// checkRedirectURI accepts https URIs, and http URIs on a loopback host for
// native clients (OAuth 2.1 §2.3.1 and §8.4.2). Fragments are forbidden
// (RFC 6749 §3.1.2).
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errors.New("it does not parse as a URI")
	case !u.IsAbs() || u.Host == "":
		return errors.New("it must be an absolute URI with a host")
	case strings.Contains(raw, "#"):
		return errors.New("it must not contain a fragment")
	case u.User != nil:
		return errors.New("it must not contain user information")
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return errors.New("http is allowed only on a loopback host (127.0.0.1, [::1] or localhost)")
	default:
		return errors.New("the scheme must be https, or http on a loopback host")
	}
}

func isLoopbackHost(host string) bool {
	return host == "localhost" || isLoopbackIP(host)
}

// isLoopbackIP reports whether host is exactly 127.0.0.1 or ::1, the literals
// for which OAuth 2.1 §8.4.2 lets the port vary.
func isLoopbackIP(host string) bool {
	return host == "127.0.0.1" || host == "::1"
}
