package refserver

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestFaultTable(t *testing.T) {
	faults := Faults()
	if !slices.IsSortedFunc(faults, func(a, b Fault) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("Faults() is not sorted by name")
	}
	seen := map[string]bool{}
	for _, f := range faults {
		if seen[f.Name] {
			t.Errorf("fault %s is listed twice", f.Name)
		}
		seen[f.Name] = true
		if len(f.Requirements) == 0 || slices.Contains(f.Requirements, "") {
			t.Errorf("fault %s has no requirement IDs", f.Name)
		}
		if f.Description == "" || !strings.HasSuffix(f.Description, ".") {
			t.Errorf("fault %s needs a one-sentence description", f.Name)
		}
		if _, err := New(Options{Issuer: testIssuer, Faults: []string{f.Name}}); err != nil {
			t.Errorf("New rejects the listed fault %s: %v", f.Name, err)
		}
	}
	_, err := New(Options{Issuer: testIssuer, Faults: []string{"metadata-absent", "no-such-fault", "other"}})
	if !errors.Is(err, ErrUnknownFault) || !strings.Contains(err.Error(), "no-such-fault, other") {
		t.Errorf("New with unknown faults: %v, want ErrUnknownFault naming them", err)
	}
}

// faultEffects shows, for each fault, the observable deviation from the
// clean server. TestFaultEffects requires an entry for every fault.
var faultEffects = map[string]func(t *testing.T, e *testEnv){
	faultMetadataAbsent: noMetadata,
	faultMetadataAppendedOnly: func(t *testing.T, e *testEnv) {
		wantStatus(t, fetch(t, e.srv, rfc8414Inserted).status, http.StatusNotFound, "inserted")
		wantStatus(t, fetch(t, e.srv, rfc8414Appended).status, http.StatusOK, "appended")
	},
	faultMetadataTextPlain: func(t *testing.T, e *testEnv) {
		for _, u := range []string{rfc8414Inserted, oidcAppended} {
			if ct := fetch(t, e.srv, u).contentType; !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("%s: Content-Type %q", u, ct)
			}
		}
	},
	faultMetadataIssuerTrailingSlash: bothDocs("issuer", testIssuer+"/"),
	faultMetadataIssuerQuery:         bothDocs("issuer", testIssuer+"?tenant=a"),
	faultMetadataResponseTypesString: bothDocs("response_types_supported", "code"),
	faultMetadataNoCodeResponseType:  bothDocs("response_types_supported", []any{"token"}),
	faultMetadataNoPKCEMethods: func(t *testing.T, e *testEnv) {
		wantMember(t, e, rfc8414Inserted, "code_challenge_methods_supported", nil)
		wantMember(t, e, oidcAppended, "code_challenge_methods_supported", []any{"S256"})
	},
	faultOIDCNoPKCEMethods: func(t *testing.T, e *testEnv) {
		wantMember(t, e, rfc8414Inserted, "code_challenge_methods_supported", []any{"S256"})
		wantMember(t, e, oidcAppended, "code_challenge_methods_supported", nil)
	},
	faultMetadataAdvertisePlain: func(t *testing.T, e *testEnv) {
		bothDocs("code_challenge_methods_supported", []any{"S256", "plain"})(t, e)
		pub := e.register(t, "none")
		params := stdAuthz(pub.ClientID, randomToken())
		params.Set("code_challenge_method", "plain")
		wantRedirectError(t, e, params, errInvalidRequest)
	},
	faultMetadataNoGrantTypes:  bothDocs("grant_types_supported", nil),
	faultMetadataNoAuthMethods: bothDocs("token_endpoint_auth_methods_supported", nil),
	faultMetadataJWTAuthWithoutAlgs: func(t *testing.T, e *testEnv) {
		bothDocs("token_endpoint_auth_methods_supported", []any{"none", "client_secret_basic", "client_secret_post", "private_key_jwt"})(t, e)
		bothDocs("token_endpoint_auth_signing_alg_values_supported", nil)(t, e)
	},
	faultMetadataEmptyArray:       bothDocs("ui_locales_supported", []any{}),
	faultMetadataHTTPJWKS:         bothDocs("jwks_uri", "http://as.test/as/jwks"),
	faultMetadataEndpointFragment: bothDocs("authorization_endpoint", testIssuer+"/authorize#x"),
	faultOIDCInsertedOnly: func(t *testing.T, e *testEnv) {
		wantStatus(t, fetch(t, e.srv, oidcAppended).status, http.StatusNotFound, "appended")
		wantStatus(t, fetch(t, e.srv, oidcInserted).status, http.StatusOK, "inserted")
	},
	faultOIDCMissingMembers: func(t *testing.T, e *testEnv) {
		for _, m := range []string{"jwks_uri", "subject_types_supported", "id_token_signing_alg_values_supported"} {
			wantMember(t, e, oidcAppended, m, nil)
		}
		wantMember(t, e, rfc8414Inserted, "jwks_uri", testIssuer+"/jwks")
	},
	faultOIDCInconsistentEndpoints: func(t *testing.T, e *testEnv) {
		wantMember(t, e, oidcAppended, "token_endpoint", testIssuer+"/oidc/token")
		wantMember(t, e, rfc8414Inserted, "token_endpoint", testIssuer+"/token")
		pub := e.register(t, "none")
		code, verifier := e.code(t, pub.ClientID)
		req := httptest.NewRequest(http.MethodPost, testIssuer+"/oidc/token", strings.NewReader(stdToken(pub.ClientID, code, verifier).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		wantStatus(t, rec.Code, http.StatusOK, "POST /oidc/token")
	},
	faultISSNotAdvertised: func(t *testing.T, e *testEnv) {
		bothDocs("authorization_response_iss_parameter_supported", nil)(t, e)
		pub := e.register(t, "none")
		_, challenge := pkce()
		if q := redirectParams(t, e.runFlow(t, e.browser(), stdAuthz(pub.ClientID, challenge), "approve")); q.Get("iss") != testIssuer {
			t.Errorf("iss is no longer sent: %v", q)
		}
	},
	faultMetadataNoScopes: bothDocs("scopes_supported", nil),
	faultLegacyNoDefaultEndpoints: func(t *testing.T, e *testEnv) {
		noMetadata(t, e)
		for _, p := range []string{"/authorize", "/token", "/register"} {
			rec := httptest.NewRecorder()
			e.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "https://as.test"+p, nil))
			wantStatus(t, rec.Code, http.StatusNotFound, p)
		}
	},

	faultPKCEOptionalPublic: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		code := codeWithoutChallenge(t, e, pub.ClientID)
		wantToken(t, e, pub.ClientID, code, "", "", http.StatusOK)
		wantToken(t, e, pub.ClientID, codeWithoutChallenge(t, e, pub.ClientID), randomToken(), errInvalidRequest, http.StatusBadRequest)
		conf := e.register(t, "client_secret_basic")
		params := stdAuthz(conf.ClientID, "")
		params.Del("code_challenge")
		wantRedirectError(t, e, params, errInvalidRequest)
	},
	faultPKCEOptionalConfidential: func(t *testing.T, e *testEnv) {
		conf := e.register(t, "client_secret_basic")
		codeWithoutChallenge(t, e, conf.ClientID)
		pub := e.register(t, "none")
		params := stdAuthz(pub.ClientID, "")
		params.Del("code_challenge")
		wantRedirectError(t, e, params, errInvalidRequest)
	},
	faultPKCEDowngrade: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		wantToken(t, e, pub.ClientID, codeWithoutChallenge(t, e, pub.ClientID), randomToken(), "", http.StatusOK)
		codeWithoutChallenge(t, e, e.register(t, "client_secret_post").ClientID)
	},
	faultPKCEMissingChallengeWrongError: func(t *testing.T, e *testEnv) {
		params := stdAuthz(e.register(t, "none").ClientID, "")
		params.Del("code_challenge")
		wantRedirectError(t, e, params, errAccessDenied)
	},
	faultPKCES256Broken: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		code, verifier := e.code(t, pub.ClientID)
		wantToken(t, e, pub.ClientID, code, verifier, errInvalidGrant, http.StatusBadRequest)
	},
	faultPKCEVerifierNotChecked: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		code, _ := e.code(t, pub.ClientID)
		wantToken(t, e, pub.ClientID, code, randomToken(), "", http.StatusOK)
	},
	faultPKCEWrongVerifierInvalidRequest: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		code, _ := e.code(t, pub.ClientID)
		wantToken(t, e, pub.ClientID, code, randomToken(), errInvalidRequest, http.StatusBadRequest)
	},
	faultPKCEVerifierOptional: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		code, _ := e.code(t, pub.ClientID)
		wantToken(t, e, pub.ClientID, code, "", "", http.StatusOK)
	},
	faultPKCEAnyClientVerifier: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		codeA, _ := e.code(t, pub.ClientID)
		_, verifierB := e.code(t, pub.ClientID)
		wantToken(t, e, pub.ClientID, codeA, verifierB, "", http.StatusOK)
	},
	faultPKCEDefaultS256: func(t *testing.T, e *testEnv) {
		pkceVariant(t, e, func(p url.Values, v string) { p.Del("code_challenge_method") })
	},
	faultPKCEUnknownMethodAsS256: func(t *testing.T, e *testEnv) {
		pkceVariant(t, e, func(p url.Values, v string) { p.Set("code_challenge_method", "S512") })
	},
	faultPKCEAcceptPlain: func(t *testing.T, e *testEnv) {
		pkceVariant(t, e, func(p url.Values, v string) { p.Set("code_challenge_method", "plain"); p.Set("code_challenge", v) })
		wantMember(t, e, rfc8414Inserted, "code_challenge_methods_supported", []any{"S256"})
	},
	faultPKCELaxVerifierSyntax: func(t *testing.T, e *testEnv) {
		short := randomToken()[:42]
		pub := e.register(t, "none")
		code := redirectParams(t, e.runFlow(t, e.browser(), stdAuthz(pub.ClientID, s256(short)), "approve")).Get("code")
		wantToken(t, e, pub.ClientID, code, short, "", http.StatusOK)
	},
	faultPKCELaxChallengeSyntax: func(t *testing.T, e *testEnv) {
		params := stdAuthz(e.register(t, "none").ClientID, "abcdefghij")
		if q := redirectParams(t, e.runFlow(t, e.browser(), params, "approve")); q.Get("code") == "" {
			t.Errorf("short challenge refused: %v", q)
		}
	},
	faultPKCEChallengeInCode: func(t *testing.T, e *testEnv) {
		_, challenge := pkce()
		params := stdAuthz(e.register(t, "none").ClientID, challenge)
		code := redirectParams(t, e.runFlow(t, e.browser(), params, "approve")).Get("code")
		if decoded, _ := base64.RawURLEncoding.DecodeString(code); !strings.Contains(string(decoded), challenge) {
			t.Errorf("the challenge cannot be read from the code %q", code)
		}
	},
	faultPKCEMethodCaseInsensitive: func(t *testing.T, e *testEnv) {
		pkceVariant(t, e, func(p url.Values, v string) { p.Set("code_challenge_method", "s256") })
	},

	faultTokenErrorHTML: func(t *testing.T, e *testEnv) {
		res := unknownCode(t, e)
		if res.Status != http.StatusBadRequest || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("got %d %q, want 400 text/html", res.Status, res.Header.Get("Content-Type"))
		}
	},
	faultTokenErrorStatus200: func(t *testing.T, e *testEnv) {
		if res := unknownCode(t, e); res.Status != http.StatusOK || res.errorCode() != errInvalidGrant {
			t.Errorf("got %d %v, want 200 with invalid_grant", res.Status, res.Body)
		}
	},
	faultTokenErrorUnregisteredCode: func(t *testing.T, e *testEnv) {
		if res := unknownCode(t, e); res.errorCode() != "invalid_code" {
			t.Errorf("got %v, want invalid_code", res.Body)
		}
	},
	faultTokenErrorDescriptionQuotes: func(t *testing.T, e *testEnv) {
		if d, _ := unknownCode(t, e).Body["error_description"].(string); !strings.Contains(d, `"`) || !strings.Contains(d, "é") {
			t.Errorf("error_description %q lacks the quote and é", d)
		}
	},
	faultInvalidClientBasic400: func(t *testing.T, e *testEnv) {
		res := wrongBasicSecret(t, e)
		if res.Status != http.StatusBadRequest || res.errorCode() != errInvalidClient || res.Header.Get("WWW-Authenticate") != "" {
			t.Errorf("got %d %v %v, want 400 invalid_client without a challenge", res.Status, res.Body, res.Header)
		}
	},
	faultClientSecretNotChecked: func(t *testing.T, e *testEnv) {
		wantStatus(t, wrongBasicSecret(t, e).Status, http.StatusOK, "wrong Basic secret")
	},
	faultUnsupportedGrantAsInvalidGrant: func(t *testing.T, e *testEnv) {
		form := url.Values{"grant_type": {"urn:example:unknown"}, "client_id": {e.register(t, "none").ClientID}}
		if res := e.postToken(t, form, nil); res.errorCode() != errInvalidGrant {
			t.Errorf("got %v, want invalid_grant", res.Body)
		}
	},
	faultMissingParamInvalidGrant: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		for _, missing := range []string{"grant_type", "code"} {
			form := stdToken(pub.ClientID, randomToken(), randomToken())
			form.Del(missing)
			if res := e.postToken(t, form, nil); res.errorCode() != errInvalidGrant {
				t.Errorf("without %s: %v, want invalid_grant", missing, res.Body)
			}
		}
	},
	faultUnknownCodeServerError: func(t *testing.T, e *testEnv) {
		if res := unknownCode(t, e); res.Status != http.StatusInternalServerError || res.errorCode() != errServerError {
			t.Errorf("got %d %v, want 500 server_error", res.Status, res.Body)
		}
	},
	faultScopeUnknownGranted: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		verifier, challenge := pkce()
		params := stdAuthz(pub.ClientID, challenge)
		params.Set("scope", "mcp:read nonexistent_scope_xyz")
		code := redirectParams(t, e.runFlow(t, e.browser(), params, "approve")).Get("code")
		if res := e.postToken(t, stdToken(pub.ClientID, code, verifier), nil); res.Body["scope"] != "mcp:read nonexistent_scope_xyz" {
			t.Errorf("got %v, want the unknown scope granted", res.Body)
		}
	},
	faultAuthzErrorInFragment: func(t *testing.T, e *testEnv) {
		resp := e.runFlow(t, e.browser(), badMethodRequest(t, e), "approve")
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if frag, _ := url.ParseQuery(loc.Fragment); loc.Query().Has("error") || frag.Get("error") != errInvalidRequest {
			t.Errorf("Location %s, want the error in the fragment only", loc)
		}
	},
	faultAuthzErrorDropsState: func(t *testing.T, e *testEnv) {
		q := redirectParams(t, e.runFlow(t, e.browser(), badMethodRequest(t, e), "approve"))
		if q.Get("error") != errInvalidRequest || q.Has("state") {
			t.Errorf("redirect %v, want an error without state", q)
		}
	},
	faultResponseTypeUnchecked: func(t *testing.T, e *testEnv) {
		_, challenge := pkce()
		params := stdAuthz(e.register(t, "none").ClientID, challenge)
		params.Set("response_type", "foo_bar")
		if q := redirectParams(t, e.runFlow(t, e.browser(), params, "approve")); q.Get("code") == "" {
			t.Errorf("redirect %v, want a code", q)
		}
	},
	faultMultipleAuthMethodsAccepted: func(t *testing.T, e *testEnv) {
		c := e.register(t, "client_secret_basic")
		code, verifier := e.code(t, c.ClientID)
		form := stdToken(c.ClientID, code, verifier)
		form.Set("client_secret", c.ClientSecret)
		wantStatus(t, e.postToken(t, form, basicAuth(c.ClientID, c.ClientSecret)).Status, http.StatusOK, "Basic plus body secret")
	},
	faultDuplicateParamsFirstWins: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		code, verifier := e.code(t, pub.ClientID)
		form := stdToken(pub.ClientID, code, verifier)
		form.Add("code", "other")
		wantStatus(t, e.postToken(t, form, nil).Status, http.StatusOK, "duplicate code")
	},

	faultResourceRejected: func(t *testing.T, e *testEnv) {
		params := stdAuthz(e.register(t, "none").ClientID, randomToken())
		wantRedirectError(t, e, params, errInvalidTarget)
		if res := resourceFlow(t, e, nil, nil); res.Status != http.StatusOK {
			t.Errorf("a flow without resource: %d %v, want tokens", res.Status, res.Body)
		}
	},
	faultAudIgnoresResource: func(t *testing.T, e *testEnv) {
		pub := e.register(t, "none")
		code, verifier := e.code(t, pub.ClientID)
		wantAud(t, e, e.postToken(t, stdToken(pub.ClientID, code, verifier), nil), pub.ClientID)
	},
	faultAudOriginOnly: func(t *testing.T, e *testEnv) {
		wantAud(t, e, resourceFlow(t, e, []string{testResource}, []string{testResource}), "https://as.test")
	},
	faultAudTrailingSlash: func(t *testing.T, e *testEnv) {
		wantAud(t, e, resourceFlow(t, e, []string{testResource}, []string{testResource}), testResource+"/")
	},
	faultNoDefaultAud: func(t *testing.T, e *testEnv) {
		wantAud(t, e, resourceFlow(t, e, nil, nil), nil)
		wantAud(t, e, resourceFlow(t, e, []string{testResource}, []string{testResource}), testResource)
	},
	faultMalformedResourceAccepted: func(t *testing.T, e *testEnv) {
		wantAud(t, e, resourceFlow(t, e, []string{testResource + "#frag"}, []string{testResource + "#frag"}), testResource+"#frag")
		wantAud(t, e, resourceFlow(t, e, []string{testResource}, []string{"mcp.example.com"}), "mcp.example.com")
	},
	faultUnknownResourceKnownAud: func(t *testing.T, e *testEnv) {
		const unknown = "https://unknown.invalid/mcp"
		wantAud(t, e, resourceFlow(t, e, []string{unknown}, []string{unknown}), testResource)
		wantAud(t, e, resourceFlow(t, e, []string{testResource}, []string{unknown}), testResource)
	},
	faultTokenResourceOutsideGrant: func(t *testing.T, e *testEnv) {
		wantAud(t, e, resourceFlow(t, e, []string{testResource}, []string{"https://as.test/other/mcp"}), "https://as.test/other/mcp")
	},
	faultResourceCaseSensitive: func(t *testing.T, e *testEnv) {
		params := stdAuthz(e.register(t, "none").ClientID, randomToken())
		params.Set("resource", "HTTPS://AS.TEST/mcp")
		wantRedirectError(t, e, params, errInvalidTarget)
	},
}

// resourceFlow runs a public client's flow with the given resource values at
// the authorization and token endpoints (nil: no resource parameter) and
// returns the token response.
func resourceFlow(t *testing.T, e *testEnv, authz, token []string) tokenResult {
	t.Helper()
	pub := e.register(t, "none")
	verifier, challenge := pkce()
	params := stdAuthz(pub.ClientID, challenge)
	params["resource"] = authz
	if authz == nil {
		params.Del("resource")
	}
	q := redirectParams(t, e.runFlow(t, e.browser(), params, "approve"))
	if q.Get("code") == "" {
		t.Fatalf("resource %q: no code: %v", authz, q)
	}
	form := stdToken(pub.ClientID, q.Get("code"), verifier)
	form["resource"] = token
	if token == nil {
		form.Del("resource")
	}
	return e.postToken(t, form, nil)
}

// wantAud checks the aud claim of a successful token response; want nil
// means no aud claim.
func wantAud(t *testing.T, e *testEnv, res tokenResult, want any) {
	t.Helper()
	if res.Status != http.StatusOK {
		t.Fatalf("token request: %d %v, want tokens", res.Status, res.Body)
	}
	claims := verifyAccessToken(t, e.srv, res.Body["access_token"].(string))
	if got, ok := claims["aud"]; want == nil && ok || want != nil && got != want {
		t.Errorf("aud = %#v, want %#v", got, want)
	}
}

func TestFaultEffects(t *testing.T) {
	for _, f := range Faults() {
		t.Run(f.Name, func(t *testing.T) {
			effect, ok := faultEffects[f.Name]
			if !ok {
				t.Fatalf("no effect test for fault %s", f.Name)
			}
			effect(t, newEnv(t, f.Name))
		})
	}
}

func noMetadata(t *testing.T, e *testEnv) {
	t.Helper()
	for _, u := range []string{rfc8414Inserted, rfc8414Appended, oidcAppended, oidcInserted} {
		wantStatus(t, fetch(t, e.srv, u).status, http.StatusNotFound, u)
	}
}

func wantStatus(t *testing.T, got, want int, what string) {
	t.Helper()
	if got != want {
		t.Errorf("%s: status %d, want %d", what, got, want)
	}
}

// wantMember checks a metadata member; want nil means absent.
func wantMember(t *testing.T, e *testEnv, docURL, member string, want any) {
	t.Helper()
	got, ok := fetch(t, e.srv, docURL).doc[member]
	if want == nil && ok || want != nil && !reflect.DeepEqual(got, want) {
		t.Errorf("%s: %s = %#v, want %#v", docURL, member, got, want)
	}
}

func bothDocs(member string, want any) func(*testing.T, *testEnv) {
	return func(t *testing.T, e *testEnv) {
		t.Helper()
		wantMember(t, e, rfc8414Inserted, member, want)
		wantMember(t, e, oidcAppended, member, want)
	}
}

func wantRedirectError(t *testing.T, e *testEnv, params url.Values, wantError string) {
	t.Helper()
	if q := redirectParams(t, e.runFlow(t, e.browser(), params, "approve")); q.Get("error") != wantError {
		t.Errorf("redirect %v, want error=%s", q, wantError)
	}
}

func codeWithoutChallenge(t *testing.T, e *testEnv, clientID string) string {
	t.Helper()
	params := stdAuthz(clientID, "")
	params.Del("code_challenge")
	params.Del("code_challenge_method")
	q := redirectParams(t, e.runFlow(t, e.browser(), params, "approve"))
	if q.Get("code") == "" {
		t.Fatalf("no code without a challenge: %v", q)
	}
	return q.Get("code")
}

// wantToken redeems a public client's code; an empty verifier is omitted.
func wantToken(t *testing.T, e *testEnv, clientID, code, verifier, wantError string, wantStatus int) {
	t.Helper()
	form := stdToken(clientID, code, verifier)
	if verifier == "" {
		form.Del("code_verifier")
	}
	if res := e.postToken(t, form, nil); res.Status != wantStatus || res.errorCode() != wantError {
		t.Errorf("token request: %d %v, want %d %q", res.Status, res.Body, wantStatus, wantError)
	}
}

// pkceVariant runs a flow whose PKCE parameters edit changes, then redeems
// the code with the verifier: a fault that wrongly accepts the variant
// issues tokens.
func pkceVariant(t *testing.T, e *testEnv, edit func(params url.Values, verifier string)) {
	t.Helper()
	pub := e.register(t, "none")
	verifier, challenge := pkce()
	params := stdAuthz(pub.ClientID, challenge)
	edit(params, verifier)
	q := redirectParams(t, e.runFlow(t, e.browser(), params, "approve"))
	if q.Get("code") == "" {
		t.Fatalf("no code: %v", q)
	}
	wantToken(t, e, pub.ClientID, q.Get("code"), verifier, "", http.StatusOK)
}

func unknownCode(t *testing.T, e *testEnv) tokenResult {
	t.Helper()
	return e.postToken(t, stdToken(e.register(t, "none").ClientID, randomToken(), randomToken()), nil)
}

func wrongBasicSecret(t *testing.T, e *testEnv) tokenResult {
	t.Helper()
	c := e.register(t, "client_secret_basic")
	code, verifier := e.code(t, c.ClientID)
	return e.postToken(t, stdToken(c.ClientID, code, verifier), basicAuth(c.ClientID, "wrong"))
}

func badMethodRequest(t *testing.T, e *testEnv) url.Values {
	t.Helper()
	params := stdAuthz(e.register(t, "none").ClientID, randomToken())
	params.Set("code_challenge_method", "S512")
	return params
}

// TestDefaultEndpointAliases: the MCP 2025-03-26 default endpoints answer
// like the real ones.
func TestDefaultEndpointAliases(t *testing.T) {
	e := newEnv(t)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "https://as.test/token", strings.NewReader("grant_type=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	e.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"error"`) {
		t.Errorf("/token alias: %d %s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	e.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://as.test/authorize?client_id=x", nil))
	wantStatus(t, rec.Code, http.StatusBadRequest, "/authorize alias")
}
