package refserver

import (
	"net/http"
	"net/url"
	"strings"
)

// authenticateClient identifies and authenticates the client of a token
// request (OAuth 2.1 §2.4, §3.2.1): client_secret_basic (the Authorization
// header), client_secret_post (client_id and client_secret in the body), or
// none (client_id in the body, public clients only). A client must use the
// method it registered, and only one method per request.
func (s *Server) authenticateClient(r *http.Request, form url.Values) (*client, *oauthError) {
	bodyID := form.Get("client_id")
	_, hasBodySecret := form["client_secret"]
	bodySecret := form.Get("client_secret")

	if r.Header.Get("Authorization") != "" {
		if s.variants[variantClientSecretPostOnly] {
			return nil, basicFailure("This server does not support HTTP Basic client authentication; send client_id and client_secret in the body (client_secret_post).")
		}
		id, secret, err := basicCredentials(r)
		if err != nil {
			return nil, err
		}
		if hasBodySecret && !s.faults[faultMultipleAuthMethodsAccepted] {
			return nil, newError(errInvalidRequest, "The request uses two client authentication methods (Basic and client_secret in the body); use only the registered one (OAuth 2.1 section 2.4).")
		}
		c := s.store.client(id)
		if c == nil {
			return nil, basicFailure("The client in the Authorization header is not registered.")
		}
		if err := s.checkBasicSecret(c, secret, hasBodySecret, bodySecret); err != nil {
			return nil, err
		}
		if bodyID != "" && bodyID != id {
			return nil, newError(errInvalidRequest, "The client_id in the body differs from the one in the Authorization header.")
		}
		return c, nil
	}

	if bodyID == "" {
		return nil, newError(errInvalidClient, "The request does not identify the client: send client_id, or authenticate with the registered method.")
	}
	c := s.clientByID(bodyID)
	if c == nil {
		return nil, newError(errInvalidClient, "The client_id is not registered at this server.")
	}
	if s.faults[faultClientSecretNotChecked] {
		return c, nil
	}
	switch {
	case hasBodySecret && c.AuthMethod != authMethodPost:
		return nil, newError(errInvalidClient, "The client is registered for %s, not client_secret_post.", c.AuthMethod)
	case hasBodySecret && !c.secretMatches(bodySecret):
		return nil, newError(errInvalidClient, "The client secret is wrong.")
	case !hasBodySecret && !c.public():
		return nil, newError(errInvalidClient, "The client is confidential and must authenticate with %s.", c.AuthMethod)
	}
	return c, nil
}

func (s *Server) checkBasicSecret(c *client, secret string, hasBodySecret bool, bodySecret string) *oauthError {
	switch {
	case s.faults[faultClientSecretNotChecked]:
		return nil
	case hasBodySecret && c.secretMatches(secret) && c.secretMatches(bodySecret):
		return nil // only reachable with the multiple-auth-methods-accepted fault
	case c.AuthMethod != authMethodBasic:
		return basicFailure("The client is registered for " + c.AuthMethod + ", not client_secret_basic.")
	case !c.secretMatches(secret):
		return basicFailure("The client secret is wrong.")
	}
	return nil
}

// basicCredentials decodes HTTP Basic credentials. RFC 6749 §2.3.1 has the
// client form-urlencode id and secret before Basic encoding, so they are
// decoded here.
func basicCredentials(r *http.Request) (id, secret string, _ *oauthError) {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return "", "", basicFailure("The Authorization header must carry HTTP Basic client credentials.")
	}
	id, err1 := url.QueryUnescape(user)
	secret, err2 := url.QueryUnescape(pass)
	if err1 != nil || err2 != nil || strings.TrimSpace(id) == "" {
		return "", "", basicFailure("The Basic credentials are not form-urlencoded client_id and client_secret (RFC 6749 section 2.3.1).")
	}
	return id, secret, nil
}

// basicFailure is a failed Basic authentication: 401 with a Basic challenge
// (RFC 6749 §5.2).
func basicFailure(desc string) *oauthError {
	return &oauthError{Code: errInvalidClient, Description: desc, basicChallenge: true}
}
