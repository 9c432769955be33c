package refserver

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// Endpoint paths of token revocation (RFC 7009) and introspection (RFC 7662).
const (
	pathRevoke     = "/revoke"
	pathIntrospect = "/introspect"
)

// tokenLifecycleMetadata advertises the revocation and introspection
// endpoints and how clients authenticate there (RFC 8414 §2).
func (s *Server) tokenLifecycleMetadata(m map[string]any) {
	m["revocation_endpoint"] = s.endpoint(pathRevoke)
	m["revocation_endpoint_auth_methods_supported"] = []string{authMethodNone, authMethodBasic, authMethodPost}
	m["introspection_endpoint"] = s.endpoint(pathIntrospect)
	m["introspection_endpoint_auth_methods_supported"] = []string{authMethodBasic, authMethodPost}
}

// lifecycleForm reads the form of a revocation or introspection request: a
// POST with an application/x-www-form-urlencoded body (RFC 7009 §2.1, RFC
// 7662 §2.1). The revoke-json-only fault takes a JSON object instead.
func (s *Server) lifecycleForm(w http.ResponseWriter, r *http.Request, jsonOnly bool) (url.Values, *oauthError) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return nil, &oauthError{Code: errInvalidRequest, Description: "This endpoint accepts only POST.", status: http.StatusMethodNotAllowed}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenRequestBody)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if jsonOnly {
		var doc map[string]string
		if mt != "application/json" || json.NewDecoder(r.Body).Decode(&doc) != nil {
			return nil, newError(errInvalidRequest, "The request must be a JSON object of strings.")
		}
		form := url.Values{}
		for k, v := range doc {
			form.Set(k, v)
		}
		return form, nil
	}
	if mt != "application/x-www-form-urlencoded" {
		return nil, newError(errInvalidRequest, "The request must be sent as application/x-www-form-urlencoded.")
	}
	if err := r.ParseForm(); err != nil {
		return nil, newError(errInvalidRequest, "The request body could not be parsed as form data.")
	}
	for name, values := range r.PostForm {
		if len(values) > 1 {
			return nil, newError(errInvalidRequest, "The parameter %s appears more than once.", name)
		}
	}
	return r.PostForm, nil
}

// handleRevoke is the revocation endpoint (RFC 7009). The client
// authenticates as at the token endpoint (§2.1); it may revoke only its own
// tokens, and an unknown token, or another client's, is answered 200 as if
// revoked (§2.2), so that the answer reveals nothing. Revoking a refresh
// token revokes its whole grant, access tokens included.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	if err := s.revoke(w, r); err != nil {
		s.writeTokenError(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request) *oauthError {
	form, err := s.lifecycleForm(w, r, s.faults[faultRevokeJSONOnly])
	if err != nil {
		return err
	}
	c, err := s.authenticateClient(r, form)
	if err != nil {
		if c = s.unauthenticatedRevoker(r, form); c == nil {
			return err
		}
	}
	token := form.Get("token")
	if token == "" {
		if s.faults[faultRevokeMissingToken200] {
			return nil
		}
		return newError(errInvalidRequest, "token is missing (RFC 7009 section 2.1).")
	}
	hint := form.Get("token_type_hint")
	if s.faults[faultRevokeTrustsHint] && hint != "" && hint != "access_token" && hint != "refresh_token" {
		return newError(errInvalidRequest, "The token_type_hint is not supported.")
	}
	rules := revocationRules{
		noop:      s.faults[faultRevokeNoop],
		ignoreAT:  s.faults[faultRevokeATIgnored] || s.faults[faultRevokeATUnsupported],
		anyClient: s.faults[faultRevokeForeignToken],
		trustHint: s.faults[faultRevokeTrustsHint],
		keepATs:   s.faults[faultRevokeRTKeepsATs],
	}
	switch s.store.revoke(token, c.ID, hint, rules) {
	case kindAccess:
		if s.faults[faultRevokeATUnsupported] {
			return newError(errUnsupportedTokenType, "Access tokens cannot be revoked here (RFC 7009 section 2.2.1).")
		}
	case kindUnknown:
		if s.faults[faultRevokeUnknown400] {
			return newError(errInvalidRequest, "The token is unknown.")
		}
	}
	return nil
}

// unauthenticatedRevoker is the revoke-no-client-auth fault: a request whose
// client authentication failed is still served for the client it names.
func (s *Server) unauthenticatedRevoker(r *http.Request, form url.Values) *client {
	if !s.faults[faultRevokeNoClientAuth] {
		return nil
	}
	id := form.Get("client_id")
	if user, _, ok := r.BasicAuth(); ok && id == "" {
		id, _ = url.QueryUnescape(user)
	}
	return s.store.client(strings.TrimSpace(id))
}

// handleIntrospect is the introspection endpoint (RFC 7662). It requires a
// confidential client's authentication (§2.1), so that tokens cannot be
// probed anonymously; any such client may introspect any token, as a resource
// server does. An inactive token is {"active": false} and nothing else
// (§2.2).
func (s *Server) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	body, err := s.introspect(w, r)
	if err != nil {
		s.writeTokenError(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) introspect(w http.ResponseWriter, r *http.Request) (map[string]any, *oauthError) {
	form, err := s.lifecycleForm(w, r, false)
	if err != nil {
		return nil, err
	}
	if !s.faults[faultIntrospectionNoAuth] {
		c, err := s.authenticateClient(r, form)
		if err != nil {
			return nil, err
		}
		if c.public() {
			return nil, &oauthError{Code: errInvalidClient, Description: "Introspection requires a confidential client's authentication (RFC 7662 section 2.1).", status: http.StatusUnauthorized}
		}
	}
	token := form.Get("token")
	if token == "" {
		return nil, newError(errInvalidRequest, "token is missing (RFC 7662 section 2.1).")
	}
	info := s.store.lookupToken(token, s.now())
	if info.Kind == kindUnknown && s.faults[faultIntrospectionUnknown400] {
		return nil, newError(errInvalidRequest, "The token is unknown.")
	}
	if !info.Active {
		body := map[string]any{"active": false}
		if s.faults[faultIntrospectionInactiveDetails] {
			body["client_id"] = info.ClientID
			body["exp"] = info.ExpiresAt.Unix()
		}
		return body, nil
	}
	body := map[string]any{
		"active":    true,
		"iss":       s.issuer,
		"client_id": info.ClientID,
		"sub":       info.Subject,
		"username":  info.Subject,
		"scope":     strings.Join(info.Scopes, " "),
		"exp":       info.ExpiresAt.Unix(),
	}
	if info.Kind == kindAccess {
		body["token_type"] = "Bearer"
		body["iat"] = info.IssuedAt.Unix()
	}
	if info.Audience != "" && !s.faults[faultIntrospectionNoAud] {
		body["aud"] = info.Audience
	}
	return body, nil
}
