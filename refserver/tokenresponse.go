package refserver

import (
	"net/http"
	"strconv"
	"time"
)

// Grant types that only faults implement: OAuth 2.1 omits the password grant
// (RFC 9700 §2.4 forbids it), and this server issues no client-credentials
// tokens.
const (
	grantPassword          = "password"
	grantClientCredentials = "client_credentials"
)

// writeTokenResponse answers a successful token request (OAuth 2.1 §3.2.3):
// JSON, Cache-Control: no-store, and Pragma: no-cache for HTTP/1.0 caches
// (RFC 6749 §5.1). The token-response faults bend exactly this.
func (s *Server) writeTokenResponse(w http.ResponseWriter, resp *tokenResponse) {
	switch {
	case s.faults[faultTokenResponseCacheable]:
		w.Header().Set("Cache-Control", "no-cache, private")
	case resp.refresh && s.faults[faultRefreshResponseCacheable]:
	default:
		w.Header().Set("Cache-Control", "no-store")
	}
	pragma := "no-cache"
	if s.faults[faultPragmaNotNoCache] {
		pragma = "public"
	}
	w.Header().Set("Pragma", pragma)
	body := map[string]any{
		"access_token": resp.AccessToken,
		"token_type":   resp.TokenType,
		"expires_in":   resp.ExpiresIn,
		"scope":        resp.Scope,
	}
	if resp.RefreshToken != "" {
		body["refresh_token"] = resp.RefreshToken
	}
	if s.faults[faultExpiresInString] {
		body["expires_in"] = strconv.FormatInt(resp.ExpiresIn, 10)
	}
	if s.faults[faultExpiresInOmitted] {
		delete(body, "expires_in")
	}
	if s.faults[faultScopeOmitted] {
		delete(body, "scope")
	}
	writeJSON(w, http.StatusOK, body)
}

// applyTokenFaults adjusts the configuration for the faults that are only a
// setting.
func (s *Server) applyTokenFaults() {
	if s.faults[faultCodeLongLived] {
		s.codeLifetime = 24 * time.Hour
	}
}

// tokenClient identifies the client of a token request (authenticateClient),
// with the client-authentication faults of the token lifecycle.
func (s *Server) tokenClient(r *http.Request, form map[string][]string) (*client, *oauthError) {
	basic := r.Header.Get("Authorization") != ""
	_, bodySecret := form["client_secret"]
	id := first(form["client_id"])
	switch {
	case !basic && !bodySecret && id == "" && s.faults[faultClientInferredFromCode] && first(form["grant_type"]) == grantAuthCode:
		if c := s.store.client(s.store.codeClient(first(form["code"]))); c != nil {
			return c, nil
		}
	case !basic && !bodySecret && id != "" && s.faults[faultConfidentialAuthOptional]:
		if c := s.store.client(id); c != nil {
			return c, nil
		}
	case !basic && bodySecret && s.faults[faultClientSecretPostBroken]:
		return nil, newError(errInvalidClient, "The client could not be authenticated.")
	}
	return s.authenticateThrottled(r, form)
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// tokenFromQuery serves a GET token request from its query: only the
// token-get-accepted fault does that (OAuth 2.1 §3.2 requires POST).
func (s *Server) tokenFromQuery(r *http.Request) (*tokenResponse, *oauthError) {
	return s.grant(r, r.URL.Query())
}

// faultGrant implements the grants only faults offer: the password grant for
// the test users (password-grant), and client credentials for any client,
// public ones included (client-credentials-public).
func (s *Server) faultGrant(form map[string][]string, c *client) (*tokenResponse, bool) {
	switch first(form["grant_type"]) {
	case grantPassword:
		if !s.faults[faultPasswordGrant] {
			return nil, false
		}
		for _, u := range s.users {
			if u.Username == first(form["username"]) && u.Password == first(form["password"]) {
				resp, err := s.issueTokens(c, u.Username, s.scopes[:1], s.resources[0], randomToken(), s.accessTokenLifetime)
				return resp, err == nil
			}
		}
	case grantClientCredentials:
		if s.faults[faultClientCredentialsPublic] {
			resp, err := s.accessToken(c, c.ID, s.scopes[:1], s.resources[0], randomToken(), s.accessTokenLifetime)
			return resp, err == nil
		}
	}
	return nil, false
}

// accessTokenAsRefreshToken is the access-token-as-refresh-token fault: an
// active access token of the client presented as refresh_token gets new
// tokens.
func (s *Server) accessTokenAsRefreshToken(value string, c *client) (*tokenResponse, bool) {
	if !s.faults[faultAccessTokenAsRefreshToken] {
		return nil, false
	}
	info := s.store.lookupToken(value, s.now())
	if info.Kind != kindAccess || !info.Active || info.ClientID != c.ID {
		return nil, false
	}
	resp, err := s.issueTokens(c, info.Subject, info.Scopes, info.Audience, randomToken(), s.accessTokenLifetime)
	return resp, err == nil
}
