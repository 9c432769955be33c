package refserver

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"sync"
	"time"
)

// Client authentication methods (RFC 7591 §2, RFC 6749 §2.3.1).
const (
	authMethodNone   = "none"
	authMethodBasic  = "client_secret_basic"
	authMethodPost   = "client_secret_post"
	grantAuthCode    = "authorization_code"
	grantRefresh     = "refresh_token"
	responseTypeCode = "code"
)

// client is a registered OAuth client (RFC 7591).
type client struct {
	ID            string
	Secret        string // empty for public clients
	AuthMethod    string // token_endpoint_auth_method
	Name          string
	RedirectURIs  []string
	GrantTypes    []string
	ResponseTypes []string
	Scope         string
	IssuedAt      time.Time
	// ApplicationType is native, web or "" (OIDC Registration §2).
	ApplicationType string
	// LogoURI is kept only with the dcr-consent-foreign-logo fault.
	LogoURI string
	// MetadataDocument marks a client whose client_id is the URL of its
	// metadata document (CIMD), fetched rather than registered.
	MetadataDocument bool
}

func (c *client) public() bool { return c.AuthMethod == authMethodNone }

// secretMatches compares in constant time so the comparison leaks no prefix.
func (c *client) secretMatches(secret string) bool {
	return c.Secret != "" && subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) == 1
}

// session is a logged-in user agent.
type session struct {
	ID        string
	Subject   string
	ExpiresAt time.Time
}

// authorizationRequest is a validated authorization request (RFC 6749 §4.1.1,
// RFC 7636 §4.3, RFC 8707 §2).
type authorizationRequest struct {
	ClientID string
	// RedirectURI is where the response goes: the one sent, or the only
	// registered one when the request omitted it.
	RedirectURI string
	// RedirectURISent records whether the request carried redirect_uri; only
	// then does RFC 6749 §4.1.3 bind the token request to it.
	RedirectURISent     bool
	State               string
	Scopes              []string
	Resource            string
	CodeChallenge       string // empty only when a pkce-optional fault let it through
	CodeChallengeMethod string
	// ResponseType is "token" only with the implicit-grant-enabled fault.
	ResponseType string
}

// pendingAuthorization is an authorization request waiting for the user's
// consent. It is bound to the session that saw the consent page and carries the
// CSRF token that page's form must return (RFC 6749 §10.12).
type pendingAuthorization struct {
	authorizationRequest
	ID        string
	SessionID string
	CSRFToken string
	ExpiresAt time.Time
}

// authorizationCode is an issued code. Redeemed codes are kept until they
// expire so that a replay can be detected and the tokens issued from the code
// revoked (OAuth 2.1 §4.1.3).
type authorizationCode struct {
	authorizationRequest
	Subject   string
	ExpiresAt time.Time
	redeemed  bool
	familyID  string // refresh-token family created at redemption
}

// refreshToken is one refresh token of a family. Each refresh rotates it: the
// presented token is marked rotated and a new one joins the family. Presenting
// a rotated token revokes the whole family (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2).
type refreshToken struct {
	FamilyID  string
	ClientID  string
	Subject   string
	Scopes    []string // the scope of the original grant; never changes on rotation
	Resource  string
	ExpiresAt time.Time
	rotated   bool
	// rotatedAt is when it was rotated, for the refresh-grace-period variant.
	rotatedAt time.Time
}

// store holds all server state in memory. One mutex guards everything: the
// server is a test fixture, and a single lock makes every redemption trivially
// atomic.
type store struct {
	mu              sync.Mutex
	clients         map[string]*client
	sessions        map[string]*session
	pending         map[string]*pendingAuthorization
	codes           map[string]*authorizationCode
	refreshTokens   map[string]*refreshToken
	revokedFamilies map[string]bool
	// accessTokens are the issued access tokens, by value, so that
	// introspection and revocation can find them (tokenstore.go).
	accessTokens map[string]*accessTokenRecord
	// rtRevokedFamilies are families whose refresh tokens alone were revoked
	// (only the revoke-rt-keeps-access-tokens fault does that).
	rtRevokedFamilies map[string]bool
	// grants remembers approvals (consent-remembered variant,
	// silent-consent-new-clients fault); see approval.go.
	grants map[string]bool
}

func newStore() *store {
	return &store{
		clients:         map[string]*client{},
		sessions:        map[string]*session{},
		pending:         map[string]*pendingAuthorization{},
		codes:           map[string]*authorizationCode{},
		refreshTokens:   map[string]*refreshToken{},
		revokedFamilies: map[string]bool{},

		accessTokens:      map[string]*accessTokenRecord{},
		rtRevokedFamilies: map[string]bool{},
	}
}

// randomToken returns 256 bits from crypto/rand, base64url without padding
// (43 characters): unguessable identifiers for clients, sessions, codes and tokens.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (st *store) addClient(c *client) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.clients[c.ID] = c
}

// client returns the registered client, or nil. Clients are never modified
// after registration, so the pointer may be read without the lock.
func (st *store) client(id string) *client {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.clients[id]
}

func (st *store) addSession(sess *session) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.sessions[sess.ID] = sess
}

// session returns the unexpired session with that id, or nil.
func (st *store) session(id string, now time.Time) *session {
	st.mu.Lock()
	defer st.mu.Unlock()
	sess := st.sessions[id]
	if sess == nil || !now.Before(sess.ExpiresAt) {
		delete(st.sessions, id)
		return nil
	}
	return sess
}

// addPending stores a pending authorization and drops expired ones (consent
// pages nobody answered).
func (st *store) addPending(p *pendingAuthorization, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for id, old := range st.pending {
		if !now.Before(old.ExpiresAt) {
			delete(st.pending, id)
		}
	}
	st.pending[p.ID] = p
}

// takePending removes and returns the pending authorization if it belongs to
// the session and the CSRF token matches, so that each request is decided at
// most once. A wrong token leaves it in place: the legitimate user can still decide.
func (st *store) takePending(id, sessionID, csrfToken string, now time.Time) *pendingAuthorization {
	st.mu.Lock()
	defer st.mu.Unlock()
	p := st.pending[id]
	if p == nil || p.SessionID != sessionID ||
		subtle.ConstantTimeCompare([]byte(p.CSRFToken), []byte(csrfToken)) != 1 {
		return nil
	}
	delete(st.pending, id)
	if !now.Before(p.ExpiresAt) {
		return nil
	}
	return p
}

// addCode stores a code and drops expired ones, which bounds the map without a
// background sweeper.
func (st *store) addCode(value string, c *authorizationCode, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for v, old := range st.codes {
		if !now.Before(old.ExpiresAt) {
			delete(st.codes, v)
		}
	}
	st.codes[value] = c
}

// unredeemedChallenges returns the challenges of the client's outstanding
// codes. Only the pkce-any-client-verifier fault uses it.
func (st *store) unredeemedChallenges(clientID string, now time.Time) []authorizationRequest {
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []authorizationRequest
	for _, c := range st.codes {
		if c.ClientID == clientID && !c.redeemed && now.Before(c.ExpiresAt) {
			out = append(out, c.authorizationRequest)
		}
	}
	return out
}

var (
	errUnknownCode = newError(errInvalidGrant, "The authorization code is unknown or has expired.")
	errCodeReplay  = newError(errInvalidGrant, "The authorization code has already been used; the tokens issued from it are now revoked.")
	errForeignCode = newError(errInvalidGrant, "The authorization code was issued to another client.")
)

// redeemCode checks and redeems a code under one lock, so that of any number
// of concurrent requests exactly one can succeed. check validates the request
// against the code (redirect_uri, PKCE, resource) before the replay test, so a
// replay that fails those checks does not revoke anything (OAuth 2.1 §7.5.3).
// A valid replay revokes the token family issued from the code (OAuth 2.1
// §4.1.3). rules carries the faults and variants that bend this.
func (st *store) redeemCode(value, clientID string, now time.Time, rules redemptionRules, check func(*authorizationCode) *oauthError) (authorizationCode, string, *oauthError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	c := st.codes[value]
	if c == nil || !now.Before(c.ExpiresAt) {
		return authorizationCode{}, "", errUnknownCode
	}
	if c.ClientID != clientID && !rules.anyClient {
		if rules.burnOnFailure && !c.redeemed {
			delete(st.codes, value)
		}
		return authorizationCode{}, "", errForeignCode
	}
	if c.redeemed && rules.revokeOnAnyReplay {
		st.revokedFamilies[c.familyID] = true
	}
	if err := check(c); err != nil {
		if rules.burnOnFailure && !c.redeemed {
			delete(st.codes, value)
		}
		return authorizationCode{}, "", err
	}
	if c.redeemed && !rules.reusable {
		if !rules.noReplayRevoke {
			st.revokedFamilies[c.familyID] = true
		}
		return authorizationCode{}, "", errCodeReplay
	}
	if rules.racy {
		// The code-redemption-race fault: the check above and the mark
		// below are two critical sections, so concurrent requests that all
		// passed the check all get tokens.
		st.mu.Unlock()
		time.Sleep(300 * time.Millisecond)
		st.mu.Lock()
	}
	c.redeemed = true
	c.familyID = randomToken()
	return *c, c.familyID, nil
}

func (st *store) addRefreshToken(value string, rt *refreshToken) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.refreshTokens[value] = rt
}

var (
	errUnknownRefreshToken = newError(errInvalidGrant, "The refresh token is unknown, expired or revoked.")
	errForeignRefreshToken = newError(errInvalidGrant, "The refresh token was issued to another client.")
	errRefreshTokenReuse   = newError(errInvalidGrant, "The refresh token was already rotated; every token of its family is now revoked.")
)

// rotateRefreshToken redeems a refresh token under one lock and puts its
// successor, with the same grant, in its place. check validates the request's
// scope and resource against the grant. rules carries the faults and variants
// that bend rotation.
func (st *store) rotateRefreshToken(value, clientID string, now time.Time, rules rotationRules, check func(*refreshToken) *oauthError) (refreshToken, string, *oauthError) {
	st.mu.Lock()
	defer st.mu.Unlock()
	rt := st.refreshTokens[value]
	if rt == nil || !now.Before(rt.ExpiresAt) || st.revokedFamilies[rt.FamilyID] || st.rtRevokedFamilies[rt.FamilyID] {
		return refreshToken{}, "", errUnknownRefreshToken
	}
	if rt.ClientID != clientID && !rules.anyClient {
		return refreshToken{}, "", errForeignRefreshToken
	}
	if rt.rotated && !(rules.grace > 0 && now.Before(rt.rotatedAt.Add(rules.grace))) {
		if !rules.noFamilyRevoke {
			st.revokedFamilies[rt.FamilyID] = true
		}
		return refreshToken{}, "", errRefreshTokenReuse
	}
	if err := check(rt); err != nil {
		return refreshToken{}, "", err
	}
	if rules.sameValue {
		return *rt, value, nil
	}
	if !rules.keepOld && !rt.rotated {
		rt.rotated, rt.rotatedAt = true, now
	}
	next := *rt
	next.rotated = false
	if rules.narrowTo != nil {
		next.Scopes = rules.narrowTo(rt.Scopes)
	}
	nextValue := randomToken()
	st.refreshTokens[nextValue] = &next
	return next, nextValue, nil
}
