package refserver

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// accessGrant is what a valid access token grants: the resource server's view
// of it, whatever the token format.
type accessGrant struct {
	Subject   string
	ClientID  string
	Scopes    []string
	Audience  []string
	ExpiresAt time.Time
}

// validateAccessToken is the one place the MCP endpoints validate an access
// token (OAuth 2.1 §5.2; RFC 9068 §4): a JWT this server signed with RS256
// (alg none, other algorithms and other keys are refused), issued by this
// issuer, not expired, and audience-restricted to resource (RFC 8707 §2; MCP
// "Token Handling"). Another token format (opaque tokens looked up in the
// store) belongs here too, so that every resource check stays in one place.
func (s *Server) validateAccessToken(raw, resource string) (*accessGrant, error) {
	if raw == "" {
		return nil, errors.New("no token")
	}
	if s.variants[variantOpaqueAccessTokens] {
		return s.validateOpaqueAccessToken(raw, resource)
	}
	claims, err := s.verifiedClaims(raw)
	if err != nil {
		return nil, err
	}
	if iss, _ := claims.GetIssuer(); iss != s.issuer {
		return nil, errors.New("the token is from another issuer")
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil {
		return nil, errors.New("the token has no valid exp")
	}
	if !s.now().Before(exp.Time) && !s.faults[faultResourceExpiryNotChecked] {
		return nil, errors.New("the token has expired")
	}
	aud, err := claims.GetAudience()
	// A server that ignores resource (the rfc8707-ignored variant) mints no
	// audience-restricted tokens, so its demo resources cannot check one.
	if err != nil || !slices.Contains(aud, resource) && !s.faults[faultResourceAnyAudience] && !s.variants[variantRFC8707Ignored] {
		return nil, errors.New("the token is not for this resource")
	}
	g := &accessGrant{Audience: aud, ExpiresAt: exp.Time}
	g.Subject, _ = claims.GetSubject()
	g.ClientID, _ = claims["client_id"].(string)
	scope, _ := claims["scope"].(string)
	g.Scopes = strings.Fields(scope)
	return g, nil
}

// validateOpaqueAccessToken looks an opaque access token up in the store
// (the opaque-access-tokens variant): active, and issued for resource.
func (s *Server) validateOpaqueAccessToken(raw, resource string) (*accessGrant, error) {
	info := s.store.lookupToken(raw, s.now())
	switch {
	case info.Kind != kindAccess || !info.Active && !(s.faults[faultResourceExpiryNotChecked] && info.Kind == kindAccess):
		return nil, errors.New("the token is not an active access token of this server")
	case info.Audience != resource && !s.faults[faultResourceAnyAudience]:
		return nil, errors.New("the token is not for this resource")
	}
	return &accessGrant{Subject: info.Subject, ClientID: info.ClientID, Scopes: info.Scopes, Audience: []string{info.Audience}, ExpiresAt: info.ExpiresAt}, nil
}

// verifiedClaims checks the JWS and returns its claims. The faults weaken
// exactly this step: accepting alg none, or not verifying the signature.
func (s *Server) verifiedClaims(raw string) (jwt.MapClaims, error) {
	if s.faults[faultResourceAlgNoneAccepted] || s.faults[faultResourceSignatureNotVerified] {
		claims, alg, err := unverifiedClaims(raw)
		if err != nil {
			return nil, err
		}
		if alg == "none" || s.faults[faultResourceSignatureNotVerified] {
			return claims, nil
		}
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return &s.signingKey.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	if err != nil {
		return nil, err
	}
	return claims, nil
}

// unverifiedClaims decodes a compact JWS without checking its signature, for
// the faults only.
func unverifiedClaims(raw string) (jwt.MapClaims, string, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, "", errors.New("not a compact JWS")
	}
	var header struct {
		Alg string `json:"alg"`
	}
	var claims jwt.MapClaims
	for i, into := range []any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, "", fmt.Errorf("segment %d is not base64url: %w", i+1, err)
		}
		if err := json.Unmarshal(b, into); err != nil {
			return nil, "", fmt.Errorf("segment %d is not JSON: %w", i+1, err)
		}
	}
	return claims, header.Alg, nil
}

// requestedLifetime is the access token lifetime of a code redemption: the
// configured one, or a shorter one the client asks for with the token request
// parameter expires_in (seconds; an extension of this server, which other
// servers ignore as RFC 6749 §3.2 requires of unknown parameters). It lets
// the suite see a token expire without waiting minutes; it never lengthens
// the lifetime.
func (s *Server) requestedLifetime(form url.Values) time.Duration {
	n, err := strconv.Atoi(form.Get("expires_in"))
	if err != nil || n < 1 || time.Duration(n)*time.Second >= s.accessTokenLifetime {
		return s.accessTokenLifetime
	}
	return time.Duration(n) * time.Second
}
