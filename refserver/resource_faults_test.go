package refserver

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const (
	testOtherResource = "https://as.test/other/mcp"
	testPRM           = "https://as.test/.well-known/oauth-protected-resource/mcp"
	initializeBody    = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	toolsListBody     = `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
)

// accessToken runs a flow for a fresh public client and returns its access
// token, for resource and scope ("" for the defaults).
func (e *testEnv) accessToken(t *testing.T, resource, scope string, extra map[string]string) string {
	t.Helper()
	reg := e.register(t, "none")
	verifier, challenge := pkce()
	params := stdAuthz(reg.ClientID, challenge)
	params.Set("resource", resource)
	if scope != "" {
		params.Set("scope", scope)
	}
	q := redirectParams(t, e.runFlow(t, e.browser(), params, "approve"))
	form := stdToken(reg.ClientID, q.Get("code"), verifier)
	form.Set("resource", resource)
	for k, v := range extra {
		form.Set(k, v)
	}
	res := e.postToken(t, form, nil)
	tok, _ := res.Body["access_token"].(string)
	if tok == "" {
		t.Fatalf("no access token: %d %v", res.Status, res.Body)
	}
	return tok
}

// mcpCall sends one request to an MCP endpoint.
func (e *testEnv) mcpCall(t *testing.T, method, target, body string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return rec
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

func wantMCPStatus(t *testing.T, rec *httptest.ResponseRecorder, want int, what string) {
	t.Helper()
	if rec.Code != want {
		t.Errorf("%s: status %d (WWW-Authenticate %q), want %d", what, rec.Code, rec.Header().Get("WWW-Authenticate"), want)
	}
}

func wantChallenge(t *testing.T, e *testEnv, contains string, want bool) {
	t.Helper()
	got := e.mcpCall(t, http.MethodPost, testResource, initializeBody, nil).Header().Get("WWW-Authenticate")
	if strings.Contains(got, contains) != want {
		t.Errorf("WWW-Authenticate %q: contains %q = %v, want %v", got, contains, !want, want)
	}
}

func prmDoc(t *testing.T, e *testEnv, url string) (int, string, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
	doc := map[string]any{}
	_ = json.Unmarshal(rec.Body.Bytes(), &doc)
	return rec.Code, rec.Header().Get("Content-Type"), doc
}

func wantPRMMember(name string, want string) func(t *testing.T, e *testEnv) {
	return func(t *testing.T, e *testEnv) {
		_, _, doc := prmDoc(t, e, testPRM)
		b, _ := json.Marshal(doc[name])
		if string(b) != want {
			t.Errorf("%s = %s, want %s", name, b, want)
		}
	}
}

// forge re-encodes a JWS with its header and payload edited, keeping the
// signature (or replacing it).
func forge(t *testing.T, tok string, header, payload func(map[string]any), sig string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	edit := func(seg string, f func(map[string]any)) string {
		b, _ := base64.RawURLEncoding.DecodeString(seg)
		m := map[string]any{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if f != nil {
			f(m)
		}
		out, _ := json.Marshal(m)
		return base64.RawURLEncoding.EncodeToString(out)
	}
	if sig == "keep" {
		sig = parts[2]
	}
	return edit(parts[0], header) + "." + edit(parts[1], payload) + "." + sig
}

func init() {
	for name, effect := range map[string]func(t *testing.T, e *testEnv){
		faultChallengeNoResourceMetadata: func(t *testing.T, e *testEnv) {
			wantChallenge(t, e, "resource_metadata", false)
			if code, _, _ := prmDoc(t, e, testPRM); code != http.StatusOK {
				t.Errorf("metadata: %d", code)
			}
		},
		faultPRMUndiscoverable: func(t *testing.T, e *testEnv) {
			wantChallenge(t, e, "resource_metadata", false)
			if code, _, _ := prmDoc(t, e, testPRM); code != http.StatusNotFound {
				t.Errorf("path-inserted metadata: %d", code)
			}
			if _, _, doc := prmDoc(t, e, "https://as.test"+wellKnownResource); doc["resource"] != "https://elsewhere.invalid/mcp" {
				t.Errorf("root metadata: %v", doc)
			}
		},
		faultChallengeDuplicateRealm: func(t *testing.T, e *testEnv) { wantChallenge(t, e, `realm="mcp", realm="mcp"`, true) },
		faultPRMTextPlain: func(t *testing.T, e *testEnv) {
			if _, ct, _ := prmDoc(t, e, testPRM); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type %q", ct)
			}
		},
		faultPRMResourceOrigin:            wantPRMMember("resource", `"https://as.test"`),
		faultPRMResourceFragment:          wantPRMMember("resource", `"https://as.test/mcp#mcp"`),
		faultPRMUndiscoverableAS:          wantPRMMember("authorization_servers", `["https://as.test/as","https://as.test/no-such-issuer"]`),
		faultPRMNoScopes:                  wantPRMMember("scopes_supported", `null`),
		faultPRMEmptyArray:                wantPRMMember("authorization_details_types_supported", `[]`),
		faultPRMSigningAlgNone:            wantPRMMember("resource_signing_alg_values_supported", `["none"]`),
		faultPRMBearerQuery:               wantPRMMember("bearer_methods_supported", `["header","query"]`),
		faultPRMOfflineAccess:             wantPRMMember("scopes_supported", `["mcp:read","mcp:write","offline_access"]`),
		faultASProtectedResourcesMismatch: bothDocs("protected_resources", []any{"https://elsewhere.invalid/mcp"}),
		faultResourceInvalidToken403: func(t *testing.T, e *testEnv) {
			wantMCPStatus(t, e.mcpCall(t, http.MethodPost, testResource, initializeBody, bearer("abc.def.ghi")), http.StatusForbidden, "a malformed token")
		},
		faultChallengeErrorWithoutCredentials: func(t *testing.T, e *testEnv) { wantChallenge(t, e, `error="invalid_token"`, true) },
		faultChallengeNoScope:                 func(t *testing.T, e *testEnv) { wantChallenge(t, e, "scope=", false) },
		faultResourceAnyAudience: func(t *testing.T, e *testEnv) {
			tok := e.accessToken(t, testOtherResource, "", nil)
			wantMCPStatus(t, e.mcpCall(t, http.MethodPost, testResource, initializeBody, bearer(tok)), http.StatusOK, "a token for the other resource")
		},
		faultResourceExpiryNotChecked: func(t *testing.T, e *testEnv) {
			tok := e.accessToken(t, testResource, "", nil)
			e.clock.Advance(time.Hour)
			wantMCPStatus(t, e.mcpCall(t, http.MethodPost, testResource, initializeBody, bearer(tok)), http.StatusOK, "an expired token")
		},
		faultResourceQueryTokenAccepted: func(t *testing.T, e *testEnv) {
			tok := e.accessToken(t, testResource, "", nil)
			wantMCPStatus(t, e.mcpCall(t, http.MethodPost, testResource+"?access_token="+tok, initializeBody, nil), http.StatusOK, "a query token")
		},
		faultResourceBearerCaseSensitive: func(t *testing.T, e *testEnv) {
			tok := e.accessToken(t, testResource, "", nil)
			wantMCPStatus(t, e.mcpCall(t, http.MethodPost, testResource, initializeBody, map[string]string{"Authorization": "bearer " + tok}), http.StatusUnauthorized, "bearer in lower case")
		},
		faultResourceInsufficientScope401: func(t *testing.T, e *testEnv) {
			tok := e.accessToken(t, testResource, "mcp:write", nil)
			wantMCPStatus(t, e.mcpCall(t, http.MethodPost, testResource, initializeBody, bearer(tok)), http.StatusUnauthorized, "a token without mcp:read")
		},
		faultSessionIDAuthenticates: func(t *testing.T, e *testEnv) {
			tok := e.accessToken(t, testResource, "", nil)
			id := e.mcpCall(t, http.MethodPost, testResource, initializeBody, bearer(tok)).Header().Get(headerSessionID)
			wantMCPStatus(t, e.mcpCall(t, http.MethodPost, testResource, toolsListBody, map[string]string{headerSessionID: id}), http.StatusOK, "a session ID without a token")
		},
		faultSessionIDSequential: func(t *testing.T, e *testEnv) {
			tok := e.accessToken(t, testResource, "", nil)
			if id := e.mcpCall(t, http.MethodPost, testResource, initializeBody, bearer(tok)).Header().Get(headerSessionID); id != "session-1" {
				t.Errorf("session ID %q", id)
			}
		},
		faultResourceAlgNoneAccepted: func(t *testing.T, e *testEnv) {
			tok := forge(t, e.accessToken(t, testResource, "", nil), func(h map[string]any) { h["alg"] = "none" }, nil, "")
			wantMCPStatus(t, e.mcpCall(t, http.MethodPost, testResource, initializeBody, bearer(tok)), http.StatusOK, "alg none")
		},
		faultResourceSignatureNotVerified: func(t *testing.T, e *testEnv) {
			tok := forge(t, e.accessToken(t, testResource, "", nil), nil, func(p map[string]any) { p["scope"] = "mcp:read mcp:write" }, "keep")
			wantMCPStatus(t, e.mcpCall(t, http.MethodPost, testResource, initializeBody, bearer(tok)), http.StatusOK, "an altered payload")
		},
	} {
		faultEffects[name] = effect
	}
}

// TestMCPEndpoint: the clean server's answers to each token-handling case
// of requirements.md §11.
func TestMCPEndpoint(t *testing.T) {
	e := newEnv(t)
	tok := e.accessToken(t, testResource, "", nil)
	other := e.accessToken(t, testOtherResource, "", nil)
	narrow := e.accessToken(t, testResource, "mcp:write", nil)
	short := e.accessToken(t, testResource, "", map[string]string{"expires_in": "5"})
	tests := []struct {
		name       string
		target     string
		body       string
		header     map[string]string
		wantStatus int
		wantError  string
	}{
		{"no token", testResource, initializeBody, nil, http.StatusUnauthorized, ""},
		{"valid token", testResource, initializeBody, bearer(tok), http.StatusOK, ""},
		{"BEARER", testResource, initializeBody, map[string]string{"Authorization": "BEARER " + tok}, http.StatusOK, ""},
		{"malformed", testResource, initializeBody, bearer("abc.def.ghi"), http.StatusUnauthorized, "invalid_token"},
		{"other audience", testResource, initializeBody, bearer(other), http.StatusUnauthorized, "invalid_token"},
		{"query token", testResource + "?access_token=" + tok, initializeBody, nil, http.StatusUnauthorized, ""},
		{"alg none", testResource, initializeBody, bearer(forge(t, tok, func(h map[string]any) { h["alg"] = "none" }, nil, "")), http.StatusUnauthorized, "invalid_token"},
		{"altered payload", testResource, initializeBody, bearer(forge(t, tok, nil, func(p map[string]any) { p["scope"] = "mcp:write" }, "keep")), http.StatusUnauthorized, "invalid_token"},
		{"missing scope", testResource, initializeBody, bearer(narrow), http.StatusForbidden, "insufficient_scope"},
		{"unknown session", testResource, toolsListBody, map[string]string{"Authorization": "Bearer " + tok, headerSessionID: "nope"}, http.StatusNotFound, ""},
		{"notification", testResource, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, bearer(tok), http.StatusAccepted, ""},
		{"not JSON", testResource, `{`, bearer(tok), http.StatusBadRequest, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.mcpCall(t, http.MethodPost, tc.target, tc.body, tc.header)
			wantMCPStatus(t, rec, tc.wantStatus, tc.name)
			if c := rec.Header().Get("WWW-Authenticate"); tc.wantError != "" && !strings.Contains(c, `error="`+tc.wantError+`"`) {
				t.Errorf("WWW-Authenticate %q, want error %s", c, tc.wantError)
			}
		})
	}
	rec := e.mcpCall(t, http.MethodGet, testResource, "", bearer(tok))
	wantMCPStatus(t, rec, http.StatusMethodNotAllowed, "GET")

	// The session never stands in for the token, and belongs to its user.
	init := e.mcpCall(t, http.MethodPost, testResource, initializeBody, bearer(tok))
	id := init.Header().Get(headerSessionID)
	if len(id) < 43 {
		t.Fatalf("session ID %q is short", id)
	}
	wantMCPStatus(t, e.mcpCall(t, http.MethodPost, testResource, toolsListBody, map[string]string{headerSessionID: id}), http.StatusUnauthorized, "session without token")
	list := e.mcpCall(t, http.MethodPost, testResource, toolsListBody, map[string]string{"Authorization": "Bearer " + tok, headerSessionID: id})
	if !strings.Contains(list.Body.String(), `"echo"`) {
		t.Errorf("tools/list: %s", list.Body)
	}

	// A token asked for with expires_in=5 expires after 5 s.
	wantMCPStatus(t, e.mcpCall(t, http.MethodPost, testResource, initializeBody, bearer(short)), http.StatusOK, "short-lived token")
	e.clock.Advance(5 * time.Second)
	wantMCPStatus(t, e.mcpCall(t, http.MethodPost, testResource, initializeBody, bearer(short)), http.StatusUnauthorized, "expired token")
	wantMCPStatus(t, e.mcpCall(t, http.MethodPost, testResource, initializeBody, bearer(tok)), http.StatusOK, "5-minute token after 5 s")
}

// TestPRMRootOnlyVariant: the metadata is only at the root, naming the MCP
// URL, and the challenge does not point to it.
func TestPRMRootOnlyVariant(t *testing.T) {
	srv, err := New(Options{Issuer: testIssuer, Variants: []string{variantPRMRootOnly}, Resources: []string{testResource, testOtherResource}})
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{srv: srv}
	wantChallenge(t, e, "resource_metadata", false)
	if code, _, _ := prmDoc(t, e, testPRM); code != http.StatusNotFound {
		t.Errorf("path-inserted metadata: %d, want 404", code)
	}
	if _, _, doc := prmDoc(t, e, "https://as.test"+wellKnownResource); doc["resource"] != testResource {
		t.Errorf("root metadata: %v", doc)
	}
}
