package refserver

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestTokenSuccess(t *testing.T) {
	e := newEnv(t)
	pub := e.register(t, "none")
	code, verifier := e.code(t, pub.ClientID)
	res := e.postToken(t, stdToken(pub.ClientID, code, verifier), nil)
	if res.Status != http.StatusOK {
		t.Fatalf("status %d: %v", res.Status, res.Body)
	}
	if res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("Pragma") != "no-cache" {
		t.Errorf("Cache-Control %q, Pragma %q", res.Header.Get("Cache-Control"), res.Header.Get("Pragma"))
	}
	if res.Body["token_type"] != "Bearer" || res.Body["expires_in"] != float64(300) ||
		res.Body["scope"] != "mcp:read" || res.Body["refresh_token"] == "" {
		t.Errorf("unexpected token response %v", res.Body)
	}
	claims := verifyAccessToken(t, e.srv, res.Body["access_token"].(string))
	want := map[string]any{"iss": testIssuer, "sub": "alice", "aud": testResource, "client_id": pub.ClientID, "scope": "mcp:read"}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
	for _, k := range []string{"iat", "exp", "jti"} {
		if claims[k] == nil {
			t.Errorf("claim %s is missing", k)
		}
	}
}

// verifyAccessToken checks the RFC 9068 header and signature with the
// published key and returns the claims.
func verifyAccessToken(t *testing.T, srv *Server, token string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	parsed, err := jwt.ParseWithClaims(token, claims, func(tok *jwt.Token) (any, error) {
		return &srv.signingKey.PublicKey, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(srv.now))
	if err != nil {
		t.Fatalf("access token does not verify: %v", err)
	}
	if parsed.Header["typ"] != "at+jwt" || parsed.Header["kid"] != srv.keyID {
		t.Errorf("header %v, want typ at+jwt and kid %s", parsed.Header, srv.keyID)
	}
	return claims
}

// TestTokenErrors is the token endpoint error table: every request has one
// defect and a fresh, valid code, so the defect alone decides the answer.
func TestTokenErrors(t *testing.T) {
	e := newEnv(t)
	pub := e.register(t, "none")
	pub2 := e.register(t, "none")
	basic := e.register(t, "client_secret_basic")
	post := e.register(t, "client_secret_post")

	type request struct {
		form url.Values
		edit func(*http.Request)
	}
	tests := []struct {
		name       string
		client     registration
		build      func(r *request, code, verifier string)
		wantStatus int
		wantError  string
		wantBasic  bool // WWW-Authenticate: Basic expected
	}{
		{"GET", pub, func(r *request, _, _ string) {
			r.edit = func(req *http.Request) { req.Method = http.MethodGet }
		}, http.StatusMethodNotAllowed, errInvalidRequest, false},
		{"JSON body", pub, func(r *request, _, _ string) {
			r.edit = func(req *http.Request) { req.Header.Set("Content-Type", "application/json") }
		}, 400, errInvalidRequest, false},
		{"duplicate code_verifier", pub, func(r *request, _, v string) { r.form.Add("code_verifier", v) }, 400, errInvalidRequest, false},
		{"duplicate code", pub, func(r *request, _, _ string) { r.form.Add("code", "other") }, 400, errInvalidRequest, false},
		{"duplicate redirect_uri", pub, func(r *request, _, _ string) { r.form.Add("redirect_uri", "http://127.0.0.1/other") }, 400, errInvalidRequest, false},
		{"secret in query", post, func(r *request, _, _ string) {
			r.edit = func(req *http.Request) { req.URL.RawQuery = "client_secret=" + post.ClientSecret }
		}, 400, errInvalidRequest, false},
		{"no client_id", pub, func(r *request, _, _ string) { r.form.Del("client_id") }, 400, errInvalidClient, false},
		{"unknown client_id", pub, func(r *request, _, _ string) { r.form.Set("client_id", "does-not-exist") }, 400, errInvalidClient, false},
		{"basic: wrong secret", basic, func(r *request, _, _ string) {
			r.edit = basicAuth(basic.ClientID, "wrong")
		}, 401, errInvalidClient, true},
		{"basic: unknown client", basic, func(r *request, _, _ string) {
			r.edit = basicAuth("does-not-exist", "x")
		}, 401, errInvalidClient, true},
		{"basic: not the Basic scheme", basic, func(r *request, _, _ string) {
			r.edit = func(req *http.Request) { req.Header.Set("Authorization", "Bearer x") }
		}, 401, errInvalidClient, true},
		{"basic: registered for post", post, func(r *request, _, _ string) {
			r.edit = basicAuth(post.ClientID, post.ClientSecret)
		}, 401, errInvalidClient, true},
		{"basic: client_id in body differs", basic, func(r *request, _, _ string) {
			r.form.Set("client_id", pub.ClientID)
			r.edit = basicAuth(basic.ClientID, basic.ClientSecret)
		}, 400, errInvalidRequest, false},
		{"basic plus client_secret in body", basic, func(r *request, _, _ string) {
			r.form.Set("client_secret", basic.ClientSecret)
			r.edit = basicAuth(basic.ClientID, basic.ClientSecret)
		}, 400, errInvalidRequest, false},
		{"post: wrong secret", post, func(r *request, _, _ string) { r.form.Set("client_secret", "wrong") }, 400, errInvalidClient, false},
		{"post: registered for basic", basic, func(r *request, _, _ string) { r.form.Set("client_secret", basic.ClientSecret) }, 400, errInvalidClient, false},
		{"confidential without authentication", basic, func(*request, string, string) {}, 400, errInvalidClient, false},
		{"public client sends a secret", pub, func(r *request, _, _ string) { r.form.Set("client_secret", "x") }, 400, errInvalidClient, false},
		{"missing grant_type", pub, func(r *request, _, _ string) { r.form.Del("grant_type") }, 400, errInvalidRequest, false},
		{"unknown grant_type", pub, func(r *request, _, _ string) { r.form.Set("grant_type", "urn:example:unknown") }, 400, errUnsupportedGrantType, false},
		{"password grant", pub, func(r *request, _, _ string) { r.form.Set("grant_type", "password") }, 400, errUnsupportedGrantType, false},
		{"client_credentials", pub, func(r *request, _, _ string) { r.form.Set("grant_type", "client_credentials") }, 400, errUnsupportedGrantType, false},
		{"missing code", pub, func(r *request, _, _ string) { r.form.Del("code") }, 400, errInvalidRequest, false},
		{"unknown code", pub, func(r *request, _, _ string) { r.form.Set("code", randomToken()) }, 400, errInvalidGrant, false},
		{"other client's code", pub2, func(r *request, _, _ string) { r.form.Set("client_id", pub.ClientID) }, 400, errInvalidGrant, false},
		{"redirect_uri mismatch", pub, func(r *request, _, _ string) { r.form.Set("redirect_uri", "http://127.0.0.1:53682/other") }, 400, errInvalidGrant, false},
		{"missing code_verifier", pub, func(r *request, _, _ string) { r.form.Del("code_verifier") }, 400, errInvalidRequest, false},
		{"wrong code_verifier", pub, func(r *request, _, _ string) { r.form.Set("code_verifier", randomToken()) }, 400, errInvalidGrant, false},
		{"challenge as verifier", pub, func(r *request, _, v string) { r.form.Set("code_verifier", s256(v)) }, 400, errInvalidGrant, false},
		{"42-char verifier", pub, func(r *request, _, v string) { r.form.Set("code_verifier", v[:42]) }, 400, errInvalidRequest, false},
		{"129-char verifier", pub, func(r *request, _, _ string) { r.form.Set("code_verifier", strings.Repeat("a", 129)) }, 400, errInvalidRequest, false},
		{"verifier with +", pub, func(r *request, _, v string) { r.form.Set("code_verifier", "+"+v) }, 400, errInvalidRequest, false},
		{"resource not granted", pub, func(r *request, _, _ string) { r.form.Set("resource", "https://as.test/other/mcp") }, 400, errInvalidTarget, false},
		{"unknown resource", pub, func(r *request, _, _ string) { r.form.Set("resource", "https://unknown.invalid/mcp") }, 400, errInvalidTarget, false},
		{"resource with fragment", pub, func(r *request, _, _ string) { r.form.Set("resource", testResource+"#f") }, 400, errInvalidTarget, false},
		{"two resources", pub, func(r *request, _, _ string) { r.form.Add("resource", "https://as.test/other/mcp") }, 400, errInvalidTarget, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, verifier := e.code(t, pub.ClientID)
			if tt.client.ClientID == pub2.ClientID {
				code, verifier = e.code(t, pub2.ClientID)
			}
			r := &request{form: stdToken(pub.ClientID, code, verifier)}
			if tt.client.AuthMethod != "none" {
				code, verifier = e.code(t, tt.client.ClientID)
				r.form = stdToken(tt.client.ClientID, code, verifier)
			}
			tt.build(r, code, verifier)
			res := e.postToken(t, r.form, r.edit)
			if res.Status != tt.wantStatus || res.errorCode() != tt.wantError {
				t.Errorf("got %d %v, want %d %s", res.Status, res.Body, tt.wantStatus, tt.wantError)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			if d, _ := res.Body["error_description"].(string); d == "" || d != errorValue(d) {
				t.Errorf("error_description %q is empty or has forbidden characters", d)
			}
			challenge := res.Header.Get("WWW-Authenticate")
			if tt.wantBasic != strings.HasPrefix(challenge, "Basic realm=") {
				t.Errorf("WWW-Authenticate %q, want a Basic challenge: %v", challenge, tt.wantBasic)
			}
		})
	}
}

func TestConfidentialClients(t *testing.T) {
	e := newEnv(t)
	for _, method := range []string{"client_secret_basic", "client_secret_post"} {
		t.Run(method, func(t *testing.T) {
			c := e.register(t, method)
			code, verifier := e.code(t, c.ClientID)
			form := stdToken(c.ClientID, code, verifier)
			var edit func(*http.Request)
			if method == "client_secret_basic" {
				form.Del("client_id")
				edit = basicAuth(c.ClientID, c.ClientSecret)
			} else {
				form.Set("client_secret", c.ClientSecret)
			}
			res := e.postToken(t, form, edit)
			if res.Status != http.StatusOK {
				t.Fatalf("code exchange: %d %v", res.Status, res.Body)
			}
			refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {res.Body["refresh_token"].(string)}, "client_id": {c.ClientID}}
			if r := e.postToken(t, refresh, nil); r.errorCode() != errInvalidClient {
				t.Errorf("refresh without authentication: %d %v, want invalid_client", r.Status, r.Body)
			}
			if method == "client_secret_post" {
				refresh.Set("client_secret", c.ClientSecret)
			}
			if r := e.postToken(t, refresh, edit); r.Status != http.StatusOK {
				t.Errorf("authenticated refresh: %d %v", r.Status, r.Body)
			}
		})
	}
}

func TestCodeSingleUse(t *testing.T) {
	e := newEnv(t)
	pub := e.register(t, "none")
	code, verifier := e.code(t, pub.ClientID)
	first := e.postToken(t, stdToken(pub.ClientID, code, verifier), nil)
	if first.Status != http.StatusOK {
		t.Fatalf("first redemption: %d %v", first.Status, first.Body)
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.Body["refresh_token"].(string)}, "client_id": {pub.ClientID}}

	// A replay with a wrong verifier fails without revoking anything (OAuth 2.1 §7.5.3).
	bad := stdToken(pub.ClientID, code, randomToken())
	if r := e.postToken(t, bad, nil); r.errorCode() != errInvalidGrant {
		t.Fatalf("replay with wrong verifier: %d %v", r.Status, r.Body)
	}
	// A valid replay fails and revokes the tokens issued from the code (OAuth 2.1 §4.1.3).
	if r := e.postToken(t, stdToken(pub.ClientID, code, verifier), nil); r.errorCode() != errInvalidGrant {
		t.Fatalf("replay: %d %v, want invalid_grant", r.Status, r.Body)
	}
	if r := e.postToken(t, refresh, nil); r.errorCode() != errInvalidGrant {
		t.Errorf("refresh token still works after the code replay: %d %v", r.Status, r.Body)
	}
}

func TestCodeExpiry(t *testing.T) {
	e := newEnv(t)
	pub := e.register(t, "none")
	code, verifier := e.code(t, pub.ClientID)
	e.clock.Advance(61 * time.Second)
	if r := e.postToken(t, stdToken(pub.ClientID, code, verifier), nil); r.errorCode() != errInvalidGrant {
		t.Errorf("expired code: %d %v, want invalid_grant", r.Status, r.Body)
	}
}

// TestConcurrentRedemption: of 50 simultaneous redemptions of one code,
// exactly one succeeds.
func TestConcurrentRedemption(t *testing.T) {
	if n := concurrentRedemptions(t, newEnv(t), 50); n != 1 {
		t.Errorf("%d redemptions succeeded, want exactly 1", n)
	}
}

func TestRefreshToken(t *testing.T) {
	e := newEnv(t)
	pub := e.register(t, "none")
	pub2 := e.register(t, "none")

	// grant runs a flow for scope mcp:read mcp:write and returns the refresh token.
	grant := func(t *testing.T) string {
		t.Helper()
		verifier, challenge := pkce()
		params := stdAuthz(pub.ClientID, challenge)
		params.Set("scope", "mcp:read mcp:write")
		code := redirectParams(t, e.runFlow(t, e.browser(), params, "approve")).Get("code")
		res := e.postToken(t, stdToken(pub.ClientID, code, verifier), nil)
		if res.Status != http.StatusOK {
			t.Fatalf("code exchange: %d %v", res.Status, res.Body)
		}
		return res.Body["refresh_token"].(string)
	}
	refresh := func(t *testing.T, rt string, edit func(url.Values)) tokenResult {
		t.Helper()
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {pub.ClientID}, "resource": {testResource}}
		if edit != nil {
			edit(form)
		}
		return e.postToken(t, form, nil)
	}

	t.Run("rotation and reuse detection", func(t *testing.T) {
		rt1 := grant(t)
		r := refresh(t, rt1, nil)
		rt2, _ := r.Body["refresh_token"].(string)
		if r.Status != http.StatusOK || rt2 == "" || rt2 == rt1 || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("refresh: %d %v", r.Status, r.Body)
		}
		if r := refresh(t, rt1, nil); r.errorCode() != errInvalidGrant {
			t.Errorf("rotated token reused: %d %v, want invalid_grant", r.Status, r.Body)
		}
		if r := refresh(t, rt2, nil); r.errorCode() != errInvalidGrant {
			t.Errorf("family not revoked after reuse: %d %v", r.Status, r.Body)
		}
	})
	t.Run("scope narrows but the grant keeps its scope", func(t *testing.T) {
		r := refresh(t, grant(t), func(v url.Values) { v.Set("scope", "mcp:read") })
		if r.Body["scope"] != "mcp:read" {
			t.Fatalf("narrowed refresh: %d %v", r.Status, r.Body)
		}
		r = refresh(t, r.Body["refresh_token"].(string), nil)
		if r.Body["scope"] != "mcp:read mcp:write" {
			t.Errorf("refresh without scope after narrowing: %v, want the original scope", r.Body)
		}
	})
	errorsTable := []struct {
		name      string
		rt        func(t *testing.T) string
		edit      func(url.Values)
		wantError string
	}{
		{"missing refresh_token", grant, func(v url.Values) { v.Del("refresh_token") }, errInvalidRequest},
		{"random refresh_token", func(*testing.T) string { return randomToken() }, nil, errInvalidGrant},
		{"access token as refresh token", func(t *testing.T) string {
			code, verifier := e.code(t, pub.ClientID)
			return e.postToken(t, stdToken(pub.ClientID, code, verifier), nil).Body["access_token"].(string)
		}, nil, errInvalidGrant},
		{"other client", grant, func(v url.Values) { v.Set("client_id", pub2.ClientID) }, errInvalidGrant},
		{"scope escalation", grant, func(v url.Values) { v.Set("scope", "mcp:read offline_access") }, errInvalidScope},
		{"resource not granted", grant, func(v url.Values) { v.Set("resource", "https://as.test/other/mcp") }, errInvalidTarget},
	}
	for _, tt := range errorsTable {
		t.Run(tt.name, func(t *testing.T) {
			if r := refresh(t, tt.rt(t), tt.edit); r.Status != http.StatusBadRequest || r.errorCode() != tt.wantError {
				t.Errorf("got %d %v, want 400 %s", r.Status, r.Body, tt.wantError)
			}
		})
	}
	t.Run("failed refresh does not rotate", func(t *testing.T) {
		rt := grant(t)
		refresh(t, rt, func(v url.Values) { v.Set("scope", "offline_access") })
		if r := refresh(t, rt, nil); r.Status != http.StatusOK {
			t.Errorf("refresh after a refused one: %d %v", r.Status, r.Body)
		}
	})
}

func TestPanicBecomesServerError(t *testing.T) {
	log.SetOutput(io.Discard) // the expected panic is logged with its stack
	defer log.SetOutput(os.Stderr)
	e := newEnv(t)
	e.srv.mux.HandleFunc("/boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://as.test/boom", nil))
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != 500 || body.Error != errServerError {
		t.Errorf("got %d %s, want 500 server_error", rec.Code, rec.Body)
	}
}

// TestCodeIsOpaque: the code reveals nothing, least of all the challenge
// (RFC 7636 §4.4).
func TestCodeIsOpaque(t *testing.T) {
	e := newEnv(t)
	pub := e.register(t, "none")
	code, _ := e.code(t, pub.ClientID)
	if b, err := base64.RawURLEncoding.DecodeString(code); err != nil || len(b) != 32 || json.Valid(b) {
		t.Errorf("code %q is not 32 opaque random bytes", code)
	}
}
