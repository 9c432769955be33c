package refserver

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
)

// registrationRequest holds the client metadata this server understands
// (RFC 7591 §2, plus OIDC Registration's application_type). Other members are
// ignored, as §2 requires.
type registrationRequest struct {
	RedirectURIs            []string        `json:"redirect_uris"`
	TokenEndpointAuthMethod string          `json:"token_endpoint_auth_method"`
	GrantTypes              []string        `json:"grant_types"`
	ResponseTypes           []string        `json:"response_types"`
	ClientName              string          `json:"client_name"`
	Scope                   string          `json:"scope"`
	JWKS                    json.RawMessage `json:"jwks"`
	JWKSURI                 string          `json:"jwks_uri"`
	ApplicationType         string          `json:"application_type"`
	LogoURI                 string          `json:"logo_uri"`
	// ClientID is read only so that the dcr-client-chosen-id fault can obey
	// it; the server always chooses client_id itself (RFC 9700 §4.15.1).
	ClientID string `json:"client_id"`
}

// registrationResponse is the client information response (RFC 7591 §3.2.1):
// the credentials plus the registered metadata.
type registrationResponse struct {
	ClientID                any             `json:"client_id"` // a string; a number only with dcr-numeric-client-id
	ClientSecret            string          `json:"client_secret,omitempty"`
	ClientIDIssuedAt        int64           `json:"client_id_issued_at"`
	ClientSecretExpiresAt   *int64          `json:"client_secret_expires_at,omitempty"` // required iff a secret is issued
	ClientName              string          `json:"client_name,omitempty"`
	RedirectURIs            []string        `json:"redirect_uris,omitempty"`
	GrantTypes              []string        `json:"grant_types,omitempty"`
	ResponseTypes           []string        `json:"response_types,omitempty"`
	TokenEndpointAuthMethod string          `json:"token_endpoint_auth_method,omitempty"` // omitted by client-secret-post-only
	ApplicationType         string          `json:"application_type,omitempty"`
	Scope                   string          `json:"scope,omitempty"`
	JWKS                    json.RawMessage `json:"jwks,omitempty"`
	JWKSURI                 string          `json:"jwks_uri,omitempty"`
}

const maxRegistrationBody = 64 << 10

// knownMetadata are the registration members this server reads; only the
// dcr-reject-unknown-metadata fault refuses the others.
var knownMetadata = []string{"redirect_uris", "token_endpoint_auth_method", "grant_types", "response_types", "client_name",
	"scope", "jwks", "jwks_uri", "application_type", "logo_uri", "client_uri", "policy_uri", "tos_uri", "contacts", "client_id"}

// numericClientIDs numbers the clients of the dcr-numeric-client-id fault.
var numericClientIDs atomic.Int64

// handleRegister is the dynamic client registration endpoint (RFC 7591 §3).
// It is open, as MCP clients expect, unless the server was given an initial
// access token (the dcr-initial-access-token variant).
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, newError(errInvalidRequest, "Clients are registered with POST (RFC 7591 section 3.1)."))
		return
	}
	if !s.initialAccessTokenOK(r) {
		// RFC 7591 §3 with RFC 6750 §3.1: a missing or wrong token is a 401
		// with a Bearer challenge, not a registration error.
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="registration requires an initial access token"`)
		writeError(w, http.StatusUnauthorized, newError(errInvalidToken, "Registration at this server requires an initial access token (RFC 7591 section 3)."))
		return
	}
	body, oerr := s.registrationBody(w, r)
	if oerr != nil {
		writeError(w, oerr.statusOr(http.StatusBadRequest), oerr)
		return
	}
	var req registrationRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, s.registrationError(errInvalidClientMetadata, "The registration request is not a valid JSON object of client metadata: %s.", describeJSONError(err)))
		return
	}
	if s.faults[faultDCRRejectUnknown] {
		var members map[string]json.RawMessage
		_ = json.Unmarshal(body, &members)
		for name := range members {
			if !slices.Contains(knownMetadata, name) {
				writeError(w, http.StatusBadRequest, newError(errInvalidClientMetadata, "The client metadata %s is not supported.", name))
				return
			}
		}
	}
	c, oerr := s.newClient(req)
	if oerr != nil {
		if s.faults[faultDCRErrorInvalidRequest] {
			oerr = newError(errInvalidRequest, "%s", oerr.Description)
		}
		writeError(w, http.StatusBadRequest, oerr)
		return
	}
	s.store.addClient(c)
	s.writeRegistration(w, s.registrationResponse(c, req))
}

// registrationBody reads the JSON body. The dcr-form-only fault instead takes
// a form-encoded body (and refuses JSON with 415), as some servers wrongly do.
func (s *Server) registrationBody(w http.ResponseWriter, r *http.Request) ([]byte, *oauthError) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	r.Body = http.MaxBytesReader(w, r.Body, maxRegistrationBody)
	if s.faults[faultDCRFormOnly] {
		if mt != "application/x-www-form-urlencoded" {
			return nil, &oauthError{Code: errInvalidClientMetadata, Description: "Registration requests must be form-encoded.", status: http.StatusUnsupportedMediaType}
		}
		if err := r.ParseForm(); err != nil {
			return nil, newError(errInvalidClientMetadata, "The registration form could not be read.")
		}
		md := map[string]any{}
		for k, v := range r.PostForm {
			if k == "redirect_uris" || k == "grant_types" || k == "response_types" {
				md[k] = v
			} else {
				md[k] = v[0]
			}
		}
		body, _ := json.Marshal(md)
		return body, nil
	}
	if mt != "application/json" {
		return nil, newError(errInvalidClientMetadata, "The registration request must be a JSON object sent with Content-Type application/json (RFC 7591 section 3.1).")
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r.Body); err != nil {
		return nil, s.registrationError(errInvalidClientMetadata, "The registration request could not be read: %s.", describeJSONError(err))
	}
	return buf.Bytes(), nil
}

func (s *Server) registrationError(code, format string, args ...any) *oauthError {
	if s.faults[faultDCRErrorInvalidRequest] {
		code = errInvalidRequest
	}
	return newError(code, format, args...)
}

func (s *Server) initialAccessTokenOK(r *http.Request) bool {
	if s.initialAccessToken == "" {
		return true
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "Bearer") &&
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.initialAccessToken)) == 1
}

// registrationResponse echoes every registered member, including the values
// the server filled in (RFC 7591 §3.2.1); the DCR faults bend it.
func (s *Server) registrationResponse(c *client, req registrationRequest) registrationResponse {
	resp := registrationResponse{
		ClientID:                c.ID,
		ClientSecret:            c.Secret,
		ClientIDIssuedAt:        c.IssuedAt.Unix(),
		ClientName:              c.Name,
		RedirectURIs:            c.RedirectURIs,
		GrantTypes:              c.GrantTypes,
		ResponseTypes:           c.ResponseTypes,
		TokenEndpointAuthMethod: c.AuthMethod,
		ApplicationType:         c.ApplicationType,
		Scope:                   c.Scope,
	}
	s.variantRegistration(&resp, req)
	if c.Secret != "" && !s.faults[faultDCRNoSecretExpiry] {
		never := int64(0) // the secret does not expire
		resp.ClientSecretExpiresAt = &never
	}
	if s.faults[faultDCRNumericClientID] {
		if n, err := strconv.ParseInt(c.ID, 10, 64); err == nil {
			resp.ClientID = n
		}
	}
	if s.faults[faultDCRNoEcho] {
		resp.ClientName, resp.GrantTypes, resp.ResponseTypes, resp.Scope = "", nil, nil, ""
	}
	if s.faults[faultDCRJWKSBoth] {
		resp.JWKS, resp.JWKSURI = req.JWKS, req.JWKSURI
	}
	return resp
}

// writeRegistration answers 201 with the client information, not to be
// cached: it holds the client's credentials.
func (s *Server) writeRegistration(w http.ResponseWriter, resp registrationResponse) {
	if !s.faults[faultDCRCacheable] {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
	}
	status := http.StatusCreated
	if s.faults[faultDCRStatus200] {
		status = http.StatusOK
	}
	writeJSON(w, status, resp)
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

// Application types (OpenID Connect Registration §2), which MCP 2026-07-28
// clients send: native for loopback and private-use redirect URIs.
const (
	appTypeNative = "native"
	appTypeWeb    = "web"
)

// newClient validates registration metadata and applies the RFC 7591 §2 defaults.
func (s *Server) newClient(req registrationRequest) (*client, *oauthError) {
	if len(req.RedirectURIs) == 0 && !s.faults[faultDCRRedirectURIsOptional] {
		// The redirection-based code flow is the only grant, so redirect URIs
		// are required (RFC 7591 §2, OAuth 2.1 §2.3).
		return nil, newError(errInvalidRedirectURI, "redirect_uris is required and must list at least one redirect URI.")
	}
	appType := req.ApplicationType
	switch appType {
	case "", appTypeWeb:
	case appTypeNative:
		if s.faults[faultDCRNativeRefused] {
			return nil, newError(errInvalidClientMetadata, "application_type native is not supported.")
		}
	default:
		return nil, newError(errInvalidClientMetadata, "application_type must be native or web (OpenID Connect Registration section 2).")
	}
	for _, u := range req.RedirectURIs {
		if err := s.checkRedirectURI(u, appType); err != nil {
			return nil, newError(errInvalidRedirectURI, "The redirect URI %s is not acceptable: %s.", u, err)
		}
	}
	if err := s.checkApplicationType(req); err != nil {
		return nil, err
	}
	c := &client{
		ID:              randomToken(),
		AuthMethod:      req.TokenEndpointAuthMethod,
		Name:            req.ClientName,
		RedirectURIs:    slices.Clone(req.RedirectURIs),
		GrantTypes:      req.GrantTypes,
		ResponseTypes:   req.ResponseTypes,
		Scope:           req.Scope,
		ApplicationType: appType,
		IssuedAt:        s.now(),
	}
	if s.faults[faultDCRConsentForeignLogo] {
		c.LogoURI = req.LogoURI
	}
	switch {
	case s.faults[faultDCRNumericClientID]:
		c.ID = strconv.FormatInt(1000+numericClientIDs.Add(1), 10)
	case s.faults[faultDCRClientChosenID] && req.ClientID != "" && s.store.client(req.ClientID) == nil:
		c.ID = req.ClientID
	}
	if s.variants[variantClientSecretPostOnly] && (c.AuthMethod == "" || c.AuthMethod == authMethodBasic) {
		c.AuthMethod = authMethodPost // the only secret method this server offers
	}
	switch c.AuthMethod {
	case "":
		c.AuthMethod = authMethodBasic // RFC 7591 §2 default
		c.Secret = s.newClientSecret()
	case authMethodBasic, authMethodPost:
		c.Secret = s.newClientSecret()
	case authMethodNone:
		if s.faults[faultDCRPublicSecret] {
			c.Secret = randomToken()
		}
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
	consistent := len(c.ResponseTypes) == 1 && c.ResponseTypes[0] == responseTypeCode && slices.Contains(c.GrantTypes, grantAuthCode)
	if !consistent && !s.faults[faultDCRInconsistentTypes] {
		return nil, newError(errInvalidClientMetadata, "response_types must be [code], used with the authorization_code grant.")
	}
	if len(req.JWKS) > 0 && req.JWKSURI != "" && !s.faults[faultDCRJWKSBoth] {
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

// sharedSecret is the one secret of the dcr-shared-secret fault.
var sharedSecret = randomToken()

func (s *Server) newClientSecret() string {
	if s.faults[faultDCRSharedSecret] {
		return sharedSecret
	}
	return randomToken()
}

// checkRedirectURI accepts https URIs, http URIs on a loopback host for
// native clients (OAuth 2.1 §2.3.1 and §8.4.2), and private-use URI schemes
// in reverse-DNS form, such as com.example.app:/callback (OAuth 2.1 §8.4.3).
// Fragments are forbidden (RFC 6749 §3.1.2). The DCR faults relax exactly
// these checks.
func (s *Server) checkRedirectURI(raw, appType string) error {
	u, err := url.Parse(raw)
	if s.faults[faultDCRLaxRedirectURIs] {
		return nil
	}
	switch {
	case err != nil:
		return errors.New("it does not parse as a URI")
	case !u.IsAbs():
		return errors.New("it must be an absolute URI")
	case strings.Contains(raw, "#"):
		return errors.New("it must not contain a fragment")
	case u.User != nil:
		return errors.New("it must not contain user information")
	case u.Scheme == "https" && u.Host != "":
		return nil
	case u.Scheme == "http" && u.Host != "" && (isLoopbackHost(u.Hostname()) || s.faults[faultDCRHTTPRedirect]):
		return nil
	case u.Scheme == "http":
		return errors.New("http is allowed only on a loopback host (127.0.0.1, [::1] or localhost)")
	case privateUseScheme(u.Scheme) && u.Host == "" && appType != appTypeWeb:
		return nil
	case u.Scheme == "javascript" || u.Scheme == "data" || u.Scheme == "file":
		return errors.New("the scheme " + u.Scheme + " cannot receive a redirect")
	case s.faults[faultDCRPrivateSchemeNoDot] && u.Host == "":
		return nil
	default:
		return errors.New("the scheme must be https, http on a loopback host, or a private-use scheme in reverse domain name form (OAuth 2.1 section 8.4.3)")
	}
}

// privateUseScheme: a reverse domain name, so it contains a dot (OAuth 2.1 §8.4.3).
func privateUseScheme(scheme string) bool {
	return strings.Contains(scheme, ".")
}

func isLoopbackHost(host string) bool {
	return host == "localhost" || isLoopbackIP(host)
}

// isLoopbackIP reports whether host is exactly 127.0.0.1 or ::1, the literals
// for which OAuth 2.1 §8.4.2 lets the port vary.
func isLoopbackIP(host string) bool {
	return host == "127.0.0.1" || host == "::1"
}
