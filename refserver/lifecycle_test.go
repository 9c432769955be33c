package refserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// grant runs a flow for the client (scope mcp:read mcp:write) and redeems
// its code; secret, when set, authenticates with client_secret_post.
func (e *testEnv) grant(t *testing.T, c registration) tokenResult {
	t.Helper()
	verifier, challenge := pkce()
	params := stdAuthz(c.ClientID, challenge)
	params.Set("scope", "mcp:read mcp:write")
	code := redirectParams(t, e.runFlow(t, e.browser(), params, "approve")).Get("code")
	form := stdToken(c.ClientID, code, verifier)
	if c.ClientSecret != "" {
		form.Set("client_secret", c.ClientSecret)
	}
	res := e.postToken(t, form, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("code exchange: %d %v", res.Status, res.Body)
	}
	return res
}

func (e *testEnv) refresh(t *testing.T, c registration, rt string, edit func(url.Values)) tokenResult {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {c.ClientID}}
	if c.ClientSecret != "" {
		form.Set("client_secret", c.ClientSecret)
	}
	if edit != nil {
		edit(form)
	}
	return e.postToken(t, form, nil)
}

func str(r tokenResult, member string) string { s, _ := r.Body[member].(string); return s }

// postEndpoint sends a form to a lifecycle endpoint and decodes a JSON body.
func (e *testEnv) postEndpoint(t *testing.T, path string, form url.Values, edit func(*http.Request)) tokenResult {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, testIssuer+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if edit != nil {
		edit(req)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	res := tokenResult{Status: rec.Code, Header: rec.Header(), Body: map[string]any{}}
	if rec.Body.Len() > 0 && strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(rec.Body.Bytes(), &res.Body); err != nil {
			t.Fatalf("%s: not JSON: %v", path, err)
		}
	}
	return res
}

func (e *testEnv) revoke(t *testing.T, c registration, token, hint string) tokenResult {
	t.Helper()
	form := url.Values{"token": {token}, "client_id": {c.ClientID}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	if c.ClientSecret != "" {
		form.Set("client_secret", c.ClientSecret)
	}
	return e.postEndpoint(t, pathRevoke, form, nil)
}

// introspect introspects as a fresh client_secret_post client.
func (e *testEnv) introspect(t *testing.T, token string) tokenResult {
	t.Helper()
	rs := e.register(t, "client_secret_post")
	return e.postEndpoint(t, pathIntrospect, url.Values{"token": {token}, "client_id": {rs.ClientID}, "client_secret": {rs.ClientSecret}}, nil)
}

func active(r tokenResult) bool { a, _ := r.Body["active"].(bool); return a }

func TestRevocationAndIntrospection(t *testing.T) {
	e := newEnv(t)
	pub := e.register(t, "none")
	pub2 := e.register(t, "none")

	t.Run("a revoked refresh token takes its access tokens", func(t *testing.T) {
		g := e.grant(t, pub)
		if r := e.introspect(t, str(g, "access_token")); !active(r) || r.Body["aud"] != testResource || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("introspection of a fresh access token: %d %v", r.Status, r.Body)
		}
		if r := e.revoke(t, pub, str(g, "refresh_token"), ""); r.Status != http.StatusOK {
			t.Fatalf("revocation: %d %v", r.Status, r.Body)
		}
		if r := e.refresh(t, pub, str(g, "refresh_token"), nil); r.errorCode() != errInvalidGrant {
			t.Errorf("refresh after revocation: %d %v", r.Status, r.Body)
		}
		if r := e.introspect(t, str(g, "access_token")); active(r) || len(r.Body) != 1 {
			t.Errorf("introspection of the grant's access token after revocation: %v, want only active false", r.Body)
		}
	})
	t.Run("another client's token is not revoked", func(t *testing.T) {
		g := e.grant(t, pub)
		if r := e.revoke(t, pub2, str(g, "refresh_token"), "refresh_token"); r.Status != http.StatusOK {
			t.Fatalf("foreign revocation: %d, want 200", r.Status)
		}
		if r := e.refresh(t, pub, str(g, "refresh_token"), nil); r.Status != http.StatusOK {
			t.Errorf("refresh after another client's revocation: %d %v", r.Status, r.Body)
		}
	})
	t.Run("an access token is revoked on its own", func(t *testing.T) {
		g := e.grant(t, pub)
		e.revoke(t, pub, str(g, "access_token"), "refresh_token")
		if r := e.introspect(t, str(g, "access_token")); active(r) {
			t.Errorf("revoked access token still active: %v", r.Body)
		}
		if r := e.refresh(t, pub, str(g, "refresh_token"), nil); r.Status != http.StatusOK {
			t.Errorf("refresh after revoking the access token: %d %v", r.Status, r.Body)
		}
	})
	t.Run("errors", func(t *testing.T) {
		if r := e.revoke(t, pub, randomToken(), "foo"); r.Status != http.StatusOK {
			t.Errorf("unknown token: %d, want 200", r.Status)
		}
		if r := e.postEndpoint(t, pathRevoke, url.Values{"client_id": {pub.ClientID}}, nil); r.errorCode() != errInvalidRequest {
			t.Errorf("missing token: %d %v", r.Status, r.Body)
		}
		g := e.grant(t, pub)
		if r := e.postEndpoint(t, pathIntrospect, url.Values{"token": {str(g, "access_token")}}, nil); r.Status != http.StatusBadRequest || r.errorCode() != errInvalidClient {
			t.Errorf("introspection without credentials: %d %v", r.Status, r.Body)
		}
		if r := e.postEndpoint(t, pathIntrospect, url.Values{"token": {str(g, "access_token")}, "client_id": {pub.ClientID}}, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("introspection by a public client: %d %v", r.Status, r.Body)
		}
		if r := e.introspect(t, randomToken()); r.Status != http.StatusOK || active(r) || len(r.Body) != 1 {
			t.Errorf("unknown token introspected: %d %v", r.Status, r.Body)
		}
	})
}

func TestLifecycleVariants(t *testing.T) {
	variant := func(t *testing.T, name string) *testEnv {
		t.Helper()
		clock := &fakeClock{now: time.Unix(1_800_000_000, 0)}
		srv, err := New(Options{Issuer: testIssuer, Variants: []string{name}, Resources: []string{testResource}, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		return &testEnv{srv: srv, clock: clock}
	}
	t.Run(variantNoRefreshTokens, func(t *testing.T) {
		e := variant(t, variantNoRefreshTokens)
		if g := e.grant(t, e.register(t, "none")); str(g, "refresh_token") != "" {
			t.Errorf("a refresh token was issued: %v", g.Body)
		}
	})
	t.Run(variantCodeBurntOnFailure, func(t *testing.T) {
		e := variant(t, variantCodeBurntOnFailure)
		pub := e.register(t, "none")
		code, verifier := e.code(t, pub.ClientID)
		e.postToken(t, stdToken(pub.ClientID, code, randomToken()), nil)
		if r := e.postToken(t, stdToken(pub.ClientID, code, verifier), nil); r.errorCode() != errInvalidGrant {
			t.Errorf("the code survived a failed attempt: %d %v", r.Status, r.Body)
		}
	})
	t.Run(variantRefreshGracePeriod, func(t *testing.T) {
		e := variant(t, variantRefreshGracePeriod)
		pub := e.register(t, "none")
		rt1 := str(e.grant(t, pub), "refresh_token")
		rt2 := str(e.refresh(t, pub, rt1, nil), "refresh_token")
		if r := e.refresh(t, pub, rt1, nil); r.Status != http.StatusOK {
			t.Fatalf("rotated token within the grace period: %d %v", r.Status, r.Body)
		}
		e.clock.Advance(refreshGrace + time.Second)
		if r := e.refresh(t, pub, rt1, nil); r.errorCode() != errInvalidGrant {
			t.Errorf("rotated token after the grace period: %d %v", r.Status, r.Body)
		}
		if r := e.refresh(t, pub, rt2, nil); r.errorCode() != errInvalidGrant {
			t.Errorf("family not revoked after reuse past the grace period: %d %v", r.Status, r.Body)
		}
	})
	t.Run(variantOpaqueAccessTokens, func(t *testing.T) {
		e := variant(t, variantOpaqueAccessTokens)
		at := str(e.grant(t, e.register(t, "none")), "access_token")
		if strings.Count(at, ".") == 2 {
			t.Fatalf("the access token looks like a JWT")
		}
		if r := e.introspect(t, at); r.Body["aud"] != testResource {
			t.Errorf("introspection of an opaque token: %v", r.Body)
		}
		req := httptest.NewRequest(http.MethodPost, testResource, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"initialize"}`))
		req.Header.Set("Authorization", "Bearer "+at)
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Errorf("the MCP endpoint refused the opaque token: %d", rec.Code)
		}
	})
}

// lifecycleEffects are the TestFaultEffects entries of the token-lifecycle
// faults.
var lifecycleEffects = map[string]func(t *testing.T, e *testEnv){
	faultExpiresInString: func(t *testing.T, e *testEnv) {
		if _, ok := e.grant(t, e.register(t, "none")).Body["expires_in"].(string); !ok {
			t.Error("expires_in is not a string")
		}
	},
	faultExpiresInOmitted: func(t *testing.T, e *testEnv) {
		if _, ok := e.grant(t, e.register(t, "none")).Body["expires_in"]; ok {
			t.Error("expires_in is present")
		}
	},
	faultTokenResponseCacheable: func(t *testing.T, e *testEnv) {
		if cc := e.grant(t, e.register(t, "none")).Header.Get("Cache-Control"); strings.Contains(cc, "no-store") {
			t.Errorf("Cache-Control %q", cc)
		}
	},
	faultRefreshResponseCacheable: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		g := e.grant(t, pub)
		if g.Header.Get("Cache-Control") != "no-store" || e.refresh(t, pub, str(g, "refresh_token"), nil).Header.Get("Cache-Control") != "" {
			t.Error("want no-store on the code exchange and no Cache-Control on the refresh")
		}
	},
	faultPragmaNotNoCache: func(t *testing.T, e *testEnv) {
		if p := e.grant(t, e.register(t, "none")).Header.Get("Pragma"); p != "public" {
			t.Errorf("Pragma %q", p)
		}
	},
	faultScopeOmitted: func(t *testing.T, e *testEnv) {
		if _, ok := e.grant(t, e.register(t, "none")).Body["scope"]; ok {
			t.Error("scope is present")
		}
	},
	faultCodeReusable: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		code, verifier := e.code(t, pub.ClientID)
		for i := range 2 {
			if r := e.postToken(t, stdToken(pub.ClientID, code, verifier), nil); r.Status != http.StatusOK {
				t.Errorf("redemption %d: %d", i+1, r.Status)
			}
		}
	},
	faultCodeRedemptionRace: func(t *testing.T, e *testEnv) {
		if n := concurrentRedemptions(t, e, 10); n < 2 {
			t.Errorf("%d concurrent redemptions succeeded, want several", n)
		}
	},
	faultCodeReplayNoRevoke: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		code, verifier := e.code(t, pub.ClientID)
		rt := str(e.postToken(t, stdToken(pub.ClientID, code, verifier), nil), "refresh_token")
		e.postToken(t, stdToken(pub.ClientID, code, verifier), nil)
		if r := e.refresh(t, pub, rt, nil); r.Status != http.StatusOK {
			t.Errorf("refresh after a valid replay: %d", r.Status)
		}
	},
	faultInvalidReplayRevokes: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		code, verifier := e.code(t, pub.ClientID)
		rt := str(e.postToken(t, stdToken(pub.ClientID, code, verifier), nil), "refresh_token")
		e.postToken(t, stdToken(pub.ClientID, code, randomToken()), nil)
		if r := e.refresh(t, pub, rt, nil); r.Status == http.StatusOK {
			t.Error("the refresh token survived an invalid replay")
		}
	},
	faultCodeLongLived: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		code, verifier := e.code(t, pub.ClientID)
		e.clock.Advance(2 * time.Hour)
		if r := e.postToken(t, stdToken(pub.ClientID, code, verifier), nil); r.Status != http.StatusOK {
			t.Errorf("a two-hour-old code: %d", r.Status)
		}
	},
	faultCodeNotBoundToClient: func(t *testing.T, e *testEnv) {
		pub, pub2 := e.register(t, "none"), e.register(t, "none")
		code, verifier := e.code(t, pub.ClientID)
		wantStatus(t, e.postToken(t, stdToken(pub2.ClientID, code, verifier), nil).Status, http.StatusOK, "another client's redemption")
	},
	faultRedirectURINotChecked:  codeEdit(func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:53682/other") }, http.StatusOK),
	faultRedirectURIRequired:    codeEdit(func(v url.Values) { v.Del("redirect_uri") }, http.StatusBadRequest),
	faultClientInferredFromCode: codeEdit(func(v url.Values) { v.Del("client_id") }, http.StatusOK),
	faultConfidentialAuthOptional: func(t *testing.T, e *testEnv) {
		conf := e.register(t, "client_secret_post")
		code, verifier := e.code(t, conf.ClientID)
		wantStatus(t, e.postToken(t, stdToken(conf.ClientID, code, verifier), nil).Status, http.StatusOK, "a confidential client without its secret")
	},
	faultClientSecretPostBroken: func(t *testing.T, e *testEnv) {
		conf := e.register(t, "client_secret_post")
		code, verifier := e.code(t, conf.ClientID)
		form := stdToken(conf.ClientID, code, verifier)
		form.Set("client_secret", conf.ClientSecret)
		if r := e.postToken(t, form, nil); r.errorCode() != errInvalidClient {
			t.Errorf("client_secret_post: %d %v", r.Status, r.Body)
		}
	},
	faultSecretInQueryAccepted: func(t *testing.T, e *testEnv) {
		conf := e.register(t, "client_secret_post")
		code, verifier := e.code(t, conf.ClientID)
		form := stdToken(conf.ClientID, code, verifier)
		form.Del("client_id")
		r := e.postToken(t, form, func(r *http.Request) {
			r.URL.RawQuery = url.Values{"client_id": {conf.ClientID}, "client_secret": {conf.ClientSecret}}.Encode()
		})
		wantStatus(t, r.Status, http.StatusOK, "credentials in the query")
	},
	faultTokenGetAccepted: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		code, verifier := e.code(t, pub.ClientID)
		req := httptest.NewRequest(http.MethodGet, testIssuer+"/token?"+stdToken(pub.ClientID, code, verifier).Encode(), nil)
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		wantStatus(t, rec.Code, http.StatusOK, "GET token request")
	},
	faultFormCharsetRejected: codeEditRequest(func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	}, http.StatusBadRequest),
	faultPasswordGrant: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		r := e.postToken(t, url.Values{"grant_type": {"password"}, "username": {DefaultUser.Username}, "password": {DefaultUser.Password}, "client_id": {pub.ClientID}}, nil)
		wantStatus(t, r.Status, http.StatusOK, "password grant")
	},
	faultClientCredentialsPublic: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		wantStatus(t, e.postToken(t, url.Values{"grant_type": {"client_credentials"}, "client_id": {pub.ClientID}}, nil).Status, http.StatusOK, "client credentials")
	},
	faultRefreshNoRotation: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		rt := str(e.grant(t, pub), "refresh_token")
		if got := str(e.refresh(t, pub, rt, nil), "refresh_token"); got != rt {
			t.Error("the refresh token was rotated")
		}
	},
	faultRefreshOldStaysValid: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		rt := str(e.grant(t, pub), "refresh_token")
		e.refresh(t, pub, rt, nil)
		wantStatus(t, e.refresh(t, pub, rt, nil).Status, http.StatusOK, "the rotated refresh token")
	},
	faultRefreshReuseNoFamilyRevoke: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		rt := str(e.grant(t, pub), "refresh_token")
		rt2 := str(e.refresh(t, pub, rt, nil), "refresh_token")
		e.refresh(t, pub, rt, nil)
		wantStatus(t, e.refresh(t, pub, rt2, nil).Status, http.StatusOK, "the successor after reuse")
	},
	faultRefreshNotBoundToClient: func(t *testing.T, e *testEnv) {
		pub, pub2 := e.register(t, "none"), e.register(t, "none")
		wantStatus(t, e.refresh(t, pub2, str(e.grant(t, pub), "refresh_token"), nil).Status, http.StatusOK, "another client's refresh")
	},
	faultRefreshScopeEscalation: refreshEdit(func(v url.Values) { v.Set("scope", "mcp:read offline_access") }, "mcp:read offline_access"),
	faultRefreshDefaultScope:    refreshEdit(nil, strings.Join(DefaultScopes, " ")),
	faultRefreshRTNarrowed: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		r := e.refresh(t, pub, str(e.grant(t, pub), "refresh_token"), func(v url.Values) { v.Set("scope", "mcp:read") })
		if got := str(e.refresh(t, pub, str(r, "refresh_token"), nil), "scope"); got != "mcp:read" {
			t.Errorf("scope after a narrowed refresh: %q", got)
		}
	},
	faultRefreshResourceOutsideGrant: refreshEdit(func(v url.Values) { v.Set("resource", "https://as.test/other/mcp") }, "mcp:read mcp:write"),
	faultRefreshResourceRejected: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		r := e.refresh(t, pub, str(e.grant(t, pub), "refresh_token"), func(v url.Values) { v.Set("resource", testResource) })
		if r.errorCode() != errInvalidTarget {
			t.Errorf("refresh with the granted resource: %d %v", r.Status, r.Body)
		}
	},
	faultUnknownRefreshInvalidRequest: func(t *testing.T, e *testEnv) {
		if r := e.refresh(t, e.register(t, "none"), randomToken(), nil); r.errorCode() != errInvalidRequest {
			t.Errorf("unknown refresh token: %v", r.Body)
		}
	},
	faultAccessTokenAsRefreshToken: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		wantStatus(t, e.refresh(t, pub, str(e.grant(t, pub), "access_token"), nil).Status, http.StatusOK, "an access token as refresh token")
	},
	faultRevokeNoop: revokeEffect(func(t *testing.T, e *testEnv, pub registration, g tokenResult) {
		e.revoke(t, pub, str(g, "refresh_token"), "")
		wantStatus(t, e.refresh(t, pub, str(g, "refresh_token"), nil).Status, http.StatusOK, "refresh after revocation")
	}),
	faultRevokeATUnsupported: revokeEffect(func(t *testing.T, e *testEnv, pub registration, g tokenResult) {
		if r := e.revoke(t, pub, str(g, "access_token"), ""); r.errorCode() != errUnsupportedTokenType {
			t.Errorf("access token revocation: %d %v", r.Status, r.Body)
		}
	}),
	faultRevokeATIgnored: revokeEffect(func(t *testing.T, e *testEnv, pub registration, g tokenResult) {
		wantStatus(t, e.revoke(t, pub, str(g, "access_token"), "").Status, http.StatusOK, "access token revocation")
		if !active(e.introspect(t, str(g, "access_token"))) {
			t.Error("the access token was revoked")
		}
	}),
	faultRevokeJSONOnly: revokeEffect(func(t *testing.T, e *testEnv, pub registration, g tokenResult) {
		wantStatus(t, e.revoke(t, pub, str(g, "refresh_token"), "").Status, http.StatusBadRequest, "form revocation")
	}),
	faultRevokeNoClientAuth: func(t *testing.T, e *testEnv) {
		conf := e.register(t, "client_secret_post")
		g := e.grant(t, conf)
		e.postEndpoint(t, pathRevoke, url.Values{"token": {str(g, "refresh_token")}, "client_id": {conf.ClientID}}, nil)
		if r := e.refresh(t, conf, str(g, "refresh_token"), nil); r.Status == http.StatusOK {
			t.Error("the unauthenticated revocation did nothing")
		}
	},
	faultRevokeForeignToken: revokeEffect(func(t *testing.T, e *testEnv, pub registration, g tokenResult) {
		e.revoke(t, e.register(t, "none"), str(g, "refresh_token"), "")
		if r := e.refresh(t, pub, str(g, "refresh_token"), nil); r.Status == http.StatusOK {
			t.Error("another client's revocation did nothing")
		}
	}),
	faultRevokeUnknown400: func(t *testing.T, e *testEnv) {
		wantStatus(t, e.revoke(t, e.register(t, "none"), randomToken(), "").Status, http.StatusBadRequest, "unknown token revocation")
	},
	faultRevokeMissingToken200: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		wantStatus(t, e.postEndpoint(t, pathRevoke, url.Values{"client_id": {pub.ClientID}}, nil).Status, http.StatusOK, "revocation without token")
	},
	faultRevokeTrustsHint: revokeEffect(func(t *testing.T, e *testEnv, pub registration, g tokenResult) {
		e.revoke(t, pub, str(g, "refresh_token"), "access_token")
		wantStatus(t, e.refresh(t, pub, str(g, "refresh_token"), nil).Status, http.StatusOK, "refresh after a wrongly hinted revocation")
		wantStatus(t, e.revoke(t, pub, str(g, "refresh_token"), "foo").Status, http.StatusBadRequest, "an unknown hint")
	}),
	faultRevokeRTKeepsATs: revokeEffect(func(t *testing.T, e *testEnv, pub registration, g tokenResult) {
		e.revoke(t, pub, str(g, "refresh_token"), "")
		if !active(e.introspect(t, str(g, "access_token"))) {
			t.Error("the access token was revoked with the refresh token")
		}
	}),
	faultIntrospectionNoAuth: revokeEffect(func(t *testing.T, e *testEnv, pub registration, g tokenResult) {
		if !active(e.postEndpoint(t, pathIntrospect, url.Values{"token": {str(g, "access_token")}}, nil)) {
			t.Error("unauthenticated introspection refused")
		}
	}),
	faultIntrospectionUnknown400: func(t *testing.T, e *testEnv) {
		wantStatus(t, e.introspect(t, randomToken()).Status, http.StatusBadRequest, "unknown token introspection")
	},
	faultIntrospectionInactiveDetails: func(t *testing.T, e *testEnv) {
		if r := e.introspect(t, randomToken()); len(r.Body) < 2 {
			t.Errorf("inactive introspection: %v", r.Body)
		}
	},
	faultIntrospectionNoAud: revokeEffect(func(t *testing.T, e *testEnv, pub registration, g tokenResult) {
		if r := e.introspect(t, str(g, "access_token")); !active(r) || r.Body["aud"] != nil {
			t.Errorf("introspection: %v", r.Body)
		}
	}),
}

func init() {
	for name, effect := range lifecycleEffects {
		faultEffects[name] = effect
	}
}

// codeEdit is an effect: a code redemption changed by edit gets status want.
func codeEdit(edit func(url.Values), want int) func(*testing.T, *testEnv) {
	return func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		code, verifier := e.code(t, pub.ClientID)
		form := stdToken(pub.ClientID, code, verifier)
		edit(form)
		wantStatus(t, e.postToken(t, form, nil).Status, want, "the edited code redemption")
	}
}

func codeEditRequest(edit func(*http.Request), want int) func(*testing.T, *testEnv) {
	return func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		code, verifier := e.code(t, pub.ClientID)
		wantStatus(t, e.postToken(t, stdToken(pub.ClientID, code, verifier), edit).Status, want, "the edited code redemption")
	}
}

// refreshEdit is an effect: a refresh changed by edit succeeds with scope.
func refreshEdit(edit func(url.Values), scope string) func(*testing.T, *testEnv) {
	return func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		r := e.refresh(t, pub, str(e.grant(t, pub), "refresh_token"), edit)
		if r.Status != http.StatusOK || str(r, "scope") != scope {
			t.Errorf("refresh: %d %v, want scope %q", r.Status, r.Body, scope)
		}
	}
}

func revokeEffect(check func(*testing.T, *testEnv, registration, tokenResult)) func(*testing.T, *testEnv) {
	return func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		check(t, e, pub, e.grant(t, pub))
	}
}

// concurrentRedemptions redeems one code from n goroutines at once and
// returns how many got tokens.
func concurrentRedemptions(t *testing.T, e *testEnv, n int) int32 {
	t.Helper()
	pub := e.register(t, "none")
	code, verifier := e.code(t, pub.ClientID)
	body := stdToken(pub.ClientID, code, verifier).Encode()
	var successes atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			req := httptest.NewRequest(http.MethodPost, testIssuer+"/token", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			e.srv.ServeHTTP(rec, req)
			if rec.Code == http.StatusOK {
				successes.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	return successes.Load()
}
