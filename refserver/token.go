package refserver

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// tokenResponse is a successful token response (OAuth 2.1 §3.2.3).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	// Scope is always present, so the client never has to guess what it got
	// (RFC 6749 §3.3 requires it when it differs from the request).
	Scope string `json:"scope"`
}

const maxTokenRequestBody = 64 << 10

// handleToken is the token endpoint (OAuth 2.1 §3.2). Every failure is an
// RFC 6749 §5.2 error answered by writeTokenError.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	resp, err := s.token(w, r)
	if err != nil {
		s.writeTokenError(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store") // OAuth 2.1 §3.2.3
	w.Header().Set("Pragma", "no-cache")        // RFC 6749 §5.1, for HTTP/1.0 caches
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) (*tokenResponse, *oauthError) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return nil, &oauthError{Code: errInvalidRequest, Description: "The token endpoint accepts only POST (OAuth 2.1 section 3.2).", status: http.StatusMethodNotAllowed}
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return nil, newError(errInvalidRequest, "The token request must be sent as application/x-www-form-urlencoded (OAuth 2.1 section 3.2.2).")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenRequestBody)
	if err := r.ParseForm(); err != nil {
		return nil, newError(errInvalidRequest, "The token request body could not be parsed as form data.")
	}
	// Secrets in the URL end up in logs and histories (OAuth 2.1 §2.4.1).
	if r.URL.Query().Has("client_secret") {
		return nil, newError(errInvalidRequest, "client_secret must not be sent in the URL query.")
	}
	// Only the body counts: the token request is a POST form (OAuth 2.1 §3.2.2).
	form := r.PostForm
	if !s.faults[faultDuplicateParamsFirstWins] {
		for name, values := range form {
			if len(values) > 1 && name != "resource" {
				return nil, newError(errInvalidRequest, "The parameter %s appears more than once; each parameter may be sent once (RFC 6749 section 3.2).", name)
			}
		}
	}
	c, err := s.authenticateThrottled(r, form)
	if err != nil {
		return nil, err
	}
	switch grantType := form.Get("grant_type"); grantType {
	case grantAuthCode:
		return s.authorizationCodeGrant(form, c)
	case grantRefresh:
		return s.refreshTokenGrant(form, c)
	case "":
		if s.faults[faultMissingParamInvalidGrant] {
			return nil, newError(errInvalidGrant, "grant_type is missing.")
		}
		return nil, newError(errInvalidRequest, "grant_type is missing.")
	default:
		if s.faults[faultUnsupportedGrantAsInvalidGrant] {
			return nil, newError(errInvalidGrant, "The grant_type is not supported.")
		}
		return nil, newError(errUnsupportedGrantType, "The grant_type is not supported; this server supports authorization_code and refresh_token.")
	}
}

// authorizationCodeGrant redeems an authorization code (OAuth 2.1 §4.1.3).
func (s *Server) authorizationCodeGrant(form url.Values, c *client) (*tokenResponse, *oauthError) {
	code := form.Get("code")
	if code == "" {
		if s.faults[faultMissingParamInvalidGrant] {
			return nil, newError(errInvalidGrant, "code is missing.")
		}
		return nil, newError(errInvalidRequest, "code is missing.")
	}
	verifier := form.Get("code_verifier")
	if verifier != "" && !s.faults[faultPKCELaxVerifierSyntax] && !validVerifierSyntax(verifier) {
		return nil, newError(errInvalidRequest, "The code_verifier must be 43 to 128 characters from A-Z a-z 0-9 - . _ ~ (RFC 7636 section 4.1).")
	}
	resources := form["resource"]
	redirectURI := form.Get("redirect_uri")
	var otherFlows []authorizationRequest
	if s.faults[faultPKCEAnyClientVerifier] {
		otherFlows = s.store.unredeemedChallenges(c.ID, s.now())
	}

	var resource string
	granted, familyID, err := s.store.redeemCode(code, c.ID, s.now(), func(ac *authorizationCode) *oauthError {
		// RFC 6749 §4.1.3: the redirect_uri must match when it was part of the
		// authorization request. OAuth 2.1 lets the client omit it here.
		if redirectURI != "" && redirectURI != ac.RedirectURI {
			return newError(errInvalidGrant, "The redirect_uri differs from the one in the authorization request.")
		}
		if err := s.checkCodeVerifier(verifier, ac.authorizationRequest, otherFlows); err != nil {
			return err
		}
		var err *oauthError
		if s.faults[faultTokenResourceOutsideGrant] {
			resource, err = s.requestedResource(resources, ac.Resource)
			return err
		}
		resource, err = s.resourceWithinGrant(resources, ac.Resource)
		return err
	})
	if err == errUnknownCode && s.faults[faultUnknownCodeServerError] {
		return nil, &oauthError{Code: errServerError, Description: "The code could not be looked up.", status: http.StatusInternalServerError}
	}
	if err != nil {
		return nil, err
	}
	return s.issueTokens(c, granted.Subject, granted.Scopes, resource, familyID)
}

// checkCodeVerifier is the PKCE check (RFC 7636 §4.6; OAuth 2.1 §4.1.3). A
// code bound to a challenge needs the matching verifier; a code without one
// must not be redeemed with a verifier, which would hide a downgrade
// (RFC 9700 §4.8.2).
func (s *Server) checkCodeVerifier(verifier string, ar authorizationRequest, otherFlows []authorizationRequest) *oauthError {
	if ar.CodeChallenge == "" {
		if verifier != "" && !s.faults[faultPKCEDowngrade] {
			return newError(errInvalidRequest, "code_verifier was sent, but the authorization request had no code_challenge (RFC 9700 section 4.8.2).")
		}
		return nil
	}
	if verifier == "" {
		if s.faults[faultPKCEVerifierOptional] {
			return nil
		}
		return newError(errInvalidRequest, "code_verifier is missing; the code was issued for a PKCE code_challenge.")
	}
	if s.verifierMatches(verifier, ar) || s.faults[faultPKCEVerifierNotChecked] {
		return nil
	}
	for _, other := range otherFlows {
		if other.CodeChallenge != "" && s.verifierMatches(verifier, other) {
			return nil
		}
	}
	if s.faults[faultPKCEWrongVerifierInvalidRequest] {
		return newError(errInvalidRequest, "The code_verifier does not match the code_challenge.")
	}
	return newError(errInvalidGrant, "The code_verifier does not match the code_challenge (RFC 7636 section 4.6).")
}

// verifierMatches applies the challenge method: BASE64URL(SHA256(verifier))
// for S256 (RFC 7636 §4.6), the verifier itself for plain.
func (s *Server) verifierMatches(verifier string, ar authorizationRequest) bool {
	computed := verifier
	if ar.CodeChallengeMethod == methodS256 {
		sum := sha256.Sum256([]byte(verifier))
		computed = base64.RawURLEncoding.EncodeToString(sum[:])
		if s.faults[faultPKCES256Broken] {
			computed = hex.EncodeToString(sum[:])
		}
	}
	return subtle.ConstantTimeCompare([]byte(computed), []byte(ar.CodeChallenge)) == 1
}

// resourceWithinGrant picks the audience of a token: the requested resource
// if the user authorized it, or the granted one when none is requested
// (RFC 8707 §2.2, OAuth 2.1 §3.2.3).
func (s *Server) resourceWithinGrant(values []string, granted string) (string, *oauthError) {
	resource, err := s.requestedResource(values, granted)
	if err != nil {
		return "", err
	}
	if resource != granted && !(s.faults[faultMalformedResourceAccepted] && !validResourceSyntax(resource)) {
		return "", newError(errInvalidTarget, "The resource was not part of the authorization grant.")
	}
	return resource, nil
}

// refreshTokenGrant exchanges and rotates a refresh token (OAuth 2.1 §4.3).
// The new access token may narrow the scope but never widen it (§4.3.1); the
// new refresh token keeps the scope of the original grant (§4.3.3).
func (s *Server) refreshTokenGrant(form url.Values, c *client) (*tokenResponse, *oauthError) {
	value := form.Get("refresh_token")
	if value == "" {
		return nil, newError(errInvalidRequest, "refresh_token is missing.")
	}
	requestedScopes := strings.Fields(form.Get("scope"))
	resources := form["resource"]
	var scopes []string
	var resource string
	rt, next, err := s.store.rotateRefreshToken(value, c.ID, s.now(), func(rt *refreshToken) *oauthError {
		scopes = rt.Scopes
		if len(requestedScopes) > 0 {
			for _, sc := range requestedScopes {
				if !slices.Contains(rt.Scopes, sc) {
					return newError(errInvalidScope, "The scope %s was not granted; a refresh can only keep or narrow the scope.", sc)
				}
			}
			scopes = requestedScopes
		}
		var err *oauthError
		resource, err = s.resourceWithinGrant(resources, rt.Resource)
		return err
	})
	if err != nil {
		return nil, err
	}
	resp, err := s.accessToken(c, rt.Subject, scopes, resource)
	if err != nil {
		return nil, err
	}
	resp.RefreshToken = next
	return resp, nil
}

// issueTokens answers a redeemed code with an access token and the first
// refresh token of a new family. A refresh token is issued on every code
// redemption (CONTRACT.md), so every flow can be continued with the refresh grant.
func (s *Server) issueTokens(c *client, subject string, scopes []string, resource, familyID string) (*tokenResponse, *oauthError) {
	resp, err := s.accessToken(c, subject, scopes, resource)
	if err != nil {
		return nil, err
	}
	resp.RefreshToken = randomToken()
	s.store.addRefreshToken(resp.RefreshToken, &refreshToken{
		FamilyID:  familyID,
		ClientID:  c.ID,
		Subject:   subject,
		Scopes:    scopes,
		Resource:  resource,
		ExpiresAt: s.now().Add(s.refreshTokenLifetime),
	})
	return resp, nil
}

// accessToken mints a JWT access token per RFC 9068: typ at+jwt, aud the
// resource (RFC 8707 §2), signed RS256 with the key published at jwks_uri.
func (s *Server) accessToken(c *client, subject string, scopes []string, resource string) (*tokenResponse, *oauthError) {
	now := s.now()
	scope := strings.Join(scopes, " ")
	claims := jwt.MapClaims{
		"iss":       s.issuer,
		"sub":       subject,
		"client_id": c.ID,
		"scope":     scope,
		"iat":       now.Unix(),
		"exp":       now.Add(s.accessTokenLifetime).Unix(),
		"jti":       randomToken(),
	}
	if aud := s.audience(c, resource); aud != "" {
		claims["aud"] = aud
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["typ"] = "at+jwt"
	t.Header["kid"] = s.keyID
	signed, err := t.SignedString(s.signingKey)
	if err != nil {
		return nil, &oauthError{Code: errServerError, Description: "The access token could not be signed.", status: http.StatusInternalServerError}
	}
	return &tokenResponse{
		AccessToken: signed,
		TokenType:   "Bearer",
		ExpiresIn:   int64(s.accessTokenLifetime / time.Second),
		Scope:       scope,
	}, nil
}

// audience is the aud claim for a token for resource: the resource itself,
// exactly as configured (RFC 9068 §3). Only the no-default-aud fault leaves a
// token without a resource, and so without aud; the aud faults change it.
func (s *Server) audience(c *client, resource string) string {
	switch {
	case s.faults[faultAudIgnoresResource]:
		return c.ID
	case resource == "":
		return ""
	case s.faults[faultAudOriginOnly]:
		if u, err := url.Parse(resource); err == nil && u.Host != "" {
			return u.Scheme + "://" + u.Host
		}
	case s.faults[faultAudTrailingSlash]:
		return resource + "/"
	}
	return resource
}
