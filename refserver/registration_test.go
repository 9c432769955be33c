package refserver

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// docServer serves client ID metadata documents over TLS for the CIMD tests.
type docServer struct {
	ts      *httptest.Server
	mu      sync.Mutex
	docs    map[string]docAnswer
	fetches map[string]int
}

type docAnswer struct {
	status   int
	body     any
	location string
}

func newDocServer(t *testing.T) *docServer {
	d := &docServer{docs: map[string]docAnswer{}, fetches: map[string]int{}}
	d.ts = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		a, ok := d.docs[r.URL.Path]
		d.fetches[r.URL.Path]++
		d.mu.Unlock()
		switch {
		case !ok:
			http.NotFound(w, r)
		case a.location != "":
			http.Redirect(w, r, a.location, a.status)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(a.status)
			_ = json.NewEncoder(w).Encode(a.body)
		}
	}))
	t.Cleanup(d.ts.Close)
	return d
}

func (d *docServer) set(path string, a docAnswer) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.docs[path] = a
	return d.ts.URL + path
}

func (d *docServer) count(path string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.fetches[path]
}

// document is a valid public client's metadata document for id.
func document(id string) map[string]any {
	return map[string]any{"client_id": id, "client_name": "CIMD test", "redirect_uris": []string{testRedirect},
		"token_endpoint_auth_method": "none", "grant_types": []string{"authorization_code"}, "response_types": []string{"code"}}
}

// newCIMDEnv is newEnv whose server trusts and may fetch from the document server.
func newCIMDEnv(t *testing.T, d *docServer, faults ...string) *testEnv {
	t.Helper()
	clock := &fakeClock{now: time.Now()}
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d.ts.Certificate().Raw})
	srv, err := New(Options{Issuer: testIssuer, Faults: faults, Resources: []string{testResource}, Now: clock.Now,
		Registration: RegistrationOptions{CIMDRootCAs: ca, CIMDAllowedHosts: []string{"127.0.0.1"}}})
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{srv: srv, clock: clock}
}

// authorizePage logs in and returns the status and body of the page the
// authorization request then shows (the consent page, or an error page).
func authorizePage(t *testing.T, e *testEnv, params url.Values) (int, string) {
	t.Helper()
	b := e.browser()
	resp, err := b.Get(testIssuer + "/authorize?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page := readBody(t, resp)
	if strings.Contains(page, `id="login-form"`) {
		fields := formFields(page)
		fields.Set("username", DefaultUser.Username)
		fields.Set("password", DefaultUser.Password)
		resp, _ = b.PostForm(testIssuer+"/login", fields)
		resp, _ = b.Get(resp.Header.Get("Location"))
		page = readBody(t, resp)
	}
	return resp.StatusCode, page
}

func consentShown(page string) bool { return strings.Contains(page, `id="consent-form"`) }

func registerJSON(t *testing.T, e *testEnv, md map[string]any) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(md)
	return postRegistration(t, e.srv, "application/json", string(body))
}

func publicMetadata() map[string]any {
	return map[string]any{"redirect_uris": []string{testRedirect}, "token_endpoint_auth_method": "none", "client_name": "n",
		"grant_types": []string{"authorization_code"}, "response_types": []string{"code"}, "scope": "mcp:read"}
}

func with(md map[string]any, k string, v any) map[string]any { md[k] = v; return md }

func wantRegistration(t *testing.T, e *testEnv, md map[string]any, status int) map[string]any {
	t.Helper()
	rec, doc := registerJSON(t, e, md)
	if rec.Code != status {
		t.Fatalf("registration of %v: status %d, want %d: %v", md, rec.Code, status, doc)
	}
	return doc
}

func TestCIMDFlow(t *testing.T) {
	d := newDocServer(t)
	e := newCIMDEnv(t, d)
	id := d.set("/client.json", docAnswer{status: 200, body: nil})
	d.set("/client.json", docAnswer{status: 200, body: document(id)})
	_, challenge := pkce()
	status, page := authorizePage(t, e, stdAuthz(id, challenge))
	if status != http.StatusOK || !consentShown(page) || !strings.Contains(page, `id="localhost-warning"`) {
		t.Fatalf("CIMD client: status %d, page %s", status, page)
	}
	code, verifier := e.code(t, id)
	if res := e.postToken(t, stdToken(id, code, verifier), nil); res.Status != http.StatusOK {
		t.Fatalf("token request of a CIMD client: %d %v", res.Status, res.Body)
	}
}

func TestCIMDRefusals(t *testing.T) {
	d := newDocServer(t)
	e := newCIMDEnv(t, d)
	bad := d.set("/bad.json", docAnswer{status: 200})
	d.set("/bad.json", docAnswer{status: 200, body: with(document(bad), "token_endpoint_auth_method", "client_secret_basic")})
	redirected := d.set("/moved.json", docAnswer{status: http.StatusFound, location: bad})
	failing := d.set("/failing.json", docAnswer{status: 500, body: map[string]any{}})
	for name, id := range map[string]string{
		"mismatch":        d.set("/mismatch.json", docAnswer{status: 200, body: document("https://127.0.0.1/other.json")}),
		"secret method":   bad,
		"redirect":        redirected,
		"private address": "https://[::1]:1/client.json",
		"metadata IP":     "https://169.254.169.254/latest/meta-data/",
		"failing":         failing,
	} {
		t.Run(name, func(t *testing.T) {
			_, challenge := pkce()
			status, page := authorizePage(t, e, stdAuthz(id, challenge))
			if status != http.StatusBadRequest || consentShown(page) || strings.Contains(page, "dial") {
				t.Errorf("status %d, page %s", status, page)
			}
		})
	}
	// A failure is not cached: once the document is good, it is fetched again.
	d.set("/failing.json", docAnswer{status: 200, body: document(failing)})
	_, challenge := pkce()
	if _, page := authorizePage(t, e, stdAuthz(failing, challenge)); !consentShown(page) {
		t.Errorf("after the document was fixed: %s", page)
	}
}

func TestBruteForceLockout(t *testing.T) {
	e := newEnv(t)
	conf := e.register(t, "client_secret_basic")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {testRedirect}}
	for range maxAuthFailures {
		e.postToken(t, form, basicAuth(conf.ClientID, "wrong"))
	}
	if res := e.postToken(t, form, basicAuth(conf.ClientID, conf.ClientSecret)); res.Status != http.StatusTooManyRequests {
		t.Errorf("after %d failures the right secret got %d, want 429", maxAuthFailures, res.Status)
	}
}

func TestRegistrationVariants(t *testing.T) {
	srv, err := New(Options{Issuer: testIssuer, Variants: []string{variantDCRInitialAccessToken}})
	if err != nil {
		t.Fatal(err)
	}
	rec, doc := postRegistration(t, srv, "application/json", `{"redirect_uris":["`+testRedirect+`"],"token_endpoint_auth_method":"none"}`)
	if rec.Code != http.StatusUnauthorized || !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") || doc["error"] != errInvalidToken {
		t.Errorf("without the initial access token: %d %v", rec.Code, doc)
	}
	req := httptest.NewRequest(http.MethodPost, testIssuer+"/register", strings.NewReader(`{"redirect_uris":["`+testRedirect+`"],"token_endpoint_auth_method":"none"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+DefaultInitialAccessToken)
	rr := httptest.NewRecorder()
	srv.ServeHTTP(rr, req)
	if rr.Code != http.StatusCreated {
		t.Errorf("with the initial access token: %d %s", rr.Code, rr.Body)
	}
	for _, v := range []string{variantDCRDisabledCIMD, variantCIMDOff} {
		srv, err := New(Options{Issuer: testIssuer, Variants: []string{v}})
		if err != nil {
			t.Fatal(err)
		}
		doc := fetch(t, srv, rfc8414Inserted).doc
		_, hasReg := doc["registration_endpoint"]
		_, hasCIMD := doc["client_id_metadata_document_supported"]
		if hasReg != (v == variantCIMDOff) || hasCIMD != (v == variantDCRDisabledCIMD) {
			t.Errorf("%s: registration_endpoint %v, client_id_metadata_document_supported %v", v, hasReg, hasCIMD)
		}
	}
}

func init() {
	regFault := func(md func() map[string]any, check func(t *testing.T, rec *httptest.ResponseRecorder, doc map[string]any)) func(*testing.T, *testEnv) {
		return func(t *testing.T, e *testEnv) {
			rec, doc := registerJSON(t, e, md())
			check(t, rec, doc)
		}
	}
	wantCreated := func(t *testing.T, rec *httptest.ResponseRecorder, doc map[string]any) {
		if rec.Code != http.StatusCreated {
			t.Errorf("status %d, want 201: %v", rec.Code, doc)
		}
	}
	confidential := func() map[string]any {
		return with(publicMetadata(), "token_endpoint_auth_method", "client_secret_basic")
	}
	cimdFault := func(fault string, doc func(d *docServer) (id string, params func(url.Values))) func(*testing.T, *testEnv) {
		return func(t *testing.T, _ *testEnv) {
			d := newDocServer(t)
			e := newCIMDEnv(t, d, fault)
			id, edit := doc(d)
			_, challenge := pkce()
			params := stdAuthz(id, challenge)
			if edit != nil {
				edit(params)
			}
			if _, page := authorizePage(t, e, params); !consentShown(page) {
				t.Errorf("the fault should let the request reach consent: %s", page)
			}
		}
	}
	valid := func(d *docServer, path string) string {
		id := d.set(path, docAnswer{status: 200})
		d.set(path, docAnswer{status: 200, body: document(id)})
		return id
	}
	effects := map[string]func(*testing.T, *testEnv){
		faultDCRAbsent: func(t *testing.T, e *testEnv) {
			wantMember(t, e, rfc8414Inserted, "registration_endpoint", nil)
			wantStatus(t, fetch(t, e.srv, testIssuer+"/register").status, http.StatusNotFound, "GET /register")
		},
		faultDCRFormOnly: regFault(publicMetadata, func(t *testing.T, rec *httptest.ResponseRecorder, _ map[string]any) {
			wantStatus(t, rec.Code, http.StatusUnsupportedMediaType, "JSON registration")
		}),
		faultDCRStatus200: regFault(publicMetadata, func(t *testing.T, rec *httptest.ResponseRecorder, _ map[string]any) {
			wantStatus(t, rec.Code, http.StatusOK, "registration")
		}),
		faultDCRNumericClientID: regFault(publicMetadata, func(t *testing.T, _ *httptest.ResponseRecorder, doc map[string]any) {
			if _, ok := doc["client_id"].(float64); !ok {
				t.Errorf("client_id %#v, want a number", doc["client_id"])
			}
		}),
		faultDCRNoSecretExpiry: regFault(confidential, func(t *testing.T, _ *httptest.ResponseRecorder, doc map[string]any) {
			if _, ok := doc["client_secret_expires_at"]; ok || doc["client_secret"] == nil {
				t.Errorf("want a secret without client_secret_expires_at: %v", doc)
			}
		}),
		faultDCRNoEcho: regFault(publicMetadata, func(t *testing.T, _ *httptest.ResponseRecorder, doc map[string]any) {
			if _, ok := doc["client_name"]; ok {
				t.Errorf("client_name echoed: %v", doc)
			}
		}),
		faultDCRRejectUnknown: regFault(func() map[string]any { return with(publicMetadata(), "x_unknown", "v") }, func(t *testing.T, rec *httptest.ResponseRecorder, _ map[string]any) {
			wantStatus(t, rec.Code, http.StatusBadRequest, "registration with unknown metadata")
		}),
		faultDCRErrorInvalidRequest: regFault(func() map[string]any { return with(publicMetadata(), "redirect_uris", "not-an-array") }, func(t *testing.T, _ *httptest.ResponseRecorder, doc map[string]any) {
			if doc["error"] != errInvalidRequest {
				t.Errorf("error %v, want invalid_request", doc["error"])
			}
		}),
		faultDCRLaxRedirectURIs: regFault(func() map[string]any { return with(publicMetadata(), "redirect_uris", []string{"/relative/cb"}) }, wantCreated),
		faultDCRHTTPRedirect: regFault(func() map[string]any {
			return with(publicMetadata(), "redirect_uris", []string{"http://client.example.test/cb"})
		}, wantCreated),
		faultDCRPrivateSchemeNoDot: regFault(func() map[string]any { return with(publicMetadata(), "redirect_uris", []string{"myapp:/callback"}) }, wantCreated),
		faultDCRRedirectURIsOptional: regFault(func() map[string]any {
			md := publicMetadata()
			delete(md, "redirect_uris")
			return md
		}, wantCreated),
		faultDCRInconsistentTypes: regFault(func() map[string]any { return with(publicMetadata(), "response_types", []string{"token"}) }, wantCreated),
		faultDCRJWKSBoth: regFault(func() map[string]any {
			return with(with(publicMetadata(), "jwks", map[string]any{"keys": []any{}}), "jwks_uri", "https://example.test/jwks")
		}, func(t *testing.T, _ *httptest.ResponseRecorder, doc map[string]any) {
			if doc["jwks"] == nil || doc["jwks_uri"] == nil {
				t.Errorf("want both echoed: %v", doc)
			}
		}),
		faultDCRPublicSecret: regFault(publicMetadata, func(t *testing.T, _ *httptest.ResponseRecorder, doc map[string]any) {
			if doc["client_secret"] == nil {
				t.Errorf("want a secret: %v", doc)
			}
		}),
		faultDCRSharedSecret: func(t *testing.T, e *testEnv) {
			a, b := e.register(t, "client_secret_basic"), e.register(t, "client_secret_basic")
			if a.ClientSecret != b.ClientSecret {
				t.Error("secrets differ")
			}
		},
		faultDCRCacheable: regFault(confidential, func(t *testing.T, rec *httptest.ResponseRecorder, _ map[string]any) {
			if rec.Header().Get("Cache-Control") != "" {
				t.Errorf("Cache-Control %q", rec.Header().Get("Cache-Control"))
			}
		}),
		faultDCRClientChosenID: regFault(func() map[string]any { return with(publicMetadata(), "client_id", "admin-"+randomToken()[:6]) }, func(t *testing.T, _ *httptest.ResponseRecorder, doc map[string]any) {
			if id, _ := doc["client_id"].(string); !strings.HasPrefix(id, "admin-") {
				t.Errorf("client_id %v, want the requested one", doc["client_id"])
			}
		}),
		faultDCRNativeRefused: regFault(func() map[string]any { return with(publicMetadata(), "application_type", "native") }, func(t *testing.T, rec *httptest.ResponseRecorder, _ map[string]any) {
			wantStatus(t, rec.Code, http.StatusBadRequest, "native registration")
		}),
		faultDCRConsentForeignLogo: func(t *testing.T, e *testEnv) {
			doc := wantRegistration(t, e, with(publicMetadata(), "logo_uri", "https://other-host.test/logo.png"), http.StatusCreated)
			_, challenge := pkce()
			if _, page := authorizePage(t, e, stdAuthz(doc["client_id"].(string), challenge)); !strings.Contains(page, "other-host.test") {
				t.Errorf("logo not shown: %s", page)
			}
		},
		faultCIMDBroken: func(t *testing.T, _ *testEnv) {
			d := newDocServer(t)
			e := newCIMDEnv(t, d, faultCIMDBroken)
			_, challenge := pkce()
			if _, page := authorizePage(t, e, stdAuthz(valid(d, "/c.json"), challenge)); consentShown(page) || d.count("/c.json") != 0 {
				t.Errorf("a CIMD client reached consent: %s", page)
			}
		},
		faultCIMDClientIDUnchecked: cimdFault(faultCIMDClientIDUnchecked, func(d *docServer) (string, func(url.Values)) {
			return d.set("/m.json", docAnswer{status: 200, body: document("https://127.0.0.1/other.json")}), nil
		}),
		faultCIMDRedirectUnchecked: cimdFault(faultCIMDRedirectUnchecked, func(d *docServer) (string, func(url.Values)) {
			return valid(d, "/r.json"), func(p url.Values) { p.Set("redirect_uri", "http://127.0.0.1:53682/evil") }
		}),
		faultCIMDFollowsRedirects: cimdFault(faultCIMDFollowsRedirects, func(d *docServer) (string, func(url.Values)) {
			id := d.set("/from.json", docAnswer{status: http.StatusFound})
			d.set("/to.json", docAnswer{status: 200, body: document(id)})
			d.set("/from.json", docAnswer{status: http.StatusFound, location: d.ts.URL + "/to.json"})
			return id, nil
		}),
		faultCIMDSecretMethods: cimdFault(faultCIMDSecretMethods, func(d *docServer) (string, func(url.Values)) {
			id := d.set("/s.json", docAnswer{status: 200})
			d.set("/s.json", docAnswer{status: 200, body: with(document(id), "token_endpoint_auth_method", "client_secret_basic")})
			return id, nil
		}),
		faultCIMDSSRF: func(t *testing.T, _ *testEnv) {
			e := newCIMDEnv(t, newDocServer(t), faultCIMDSSRF)
			_, challenge := pkce()
			if _, page := authorizePage(t, e, stdAuthz("https://[::1]:1/client.json", challenge)); !strings.Contains(page, "fetching it failed") {
				t.Errorf("the fetch error is not shown: %s", page)
			}
		},
		faultCIMDCachesErrors: func(t *testing.T, _ *testEnv) {
			d := newDocServer(t)
			e := newCIMDEnv(t, d, faultCIMDCachesErrors)
			id := d.set("/f.json", docAnswer{status: 500, body: map[string]any{}})
			_, challenge := pkce()
			authorizePage(t, e, stdAuthz(id, challenge))
			d.set("/f.json", docAnswer{status: 200, body: document(id)})
			if _, page := authorizePage(t, e, stdAuthz(id, challenge)); consentShown(page) || d.count("/f.json") != 1 {
				t.Errorf("the failure was not remembered (%d fetches)", d.count("/f.json"))
			}
		},
		faultCIMDHidesRedirectHost: func(t *testing.T, _ *testEnv) {
			d := newDocServer(t)
			e := newCIMDEnv(t, d, faultCIMDHidesRedirectHost)
			_, challenge := pkce()
			if _, page := authorizePage(t, e, stdAuthz(valid(d, "/h.json"), challenge)); strings.Contains(page, "redirect-host") || strings.Contains(page, "localhost-warning") {
				t.Errorf("the redirect host is shown: %s", page)
			}
		},
		faultPlainHTTPAccepted: func(t *testing.T, _ *testEnv) {
			inst, err := Start(Config{Addr: "127.0.0.1:0", Options: Options{Faults: []string{faultPlainHTTPAccepted}}})
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close()
			resp, err := http.Get("http://" + strings.TrimPrefix(inst.Origin, "https://") + wellKnownOAuth)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("plain http: %v %v", err, resp)
			}
			resp.Body.Close()
		},
		faultTLSWrongHost: func(t *testing.T, _ *testEnv) {
			inst, err := Start(Config{Addr: "127.0.0.1:0", Options: Options{Faults: []string{faultTLSWrongHost}}})
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close()
			pool := x509.NewCertPool()
			pool.AppendCertsFromPEM(inst.CACertPEM)
			hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
			if resp, err := hc.Get(inst.Issuer + wellKnownOAuth); err == nil {
				resp.Body.Close()
				t.Error("the certificate verified for 127.0.0.1")
			}
		},
		faultWeakCodes: func(t *testing.T, e *testEnv) {
			if code, _ := e.code(t, e.register(t, "none").ClientID); len(code) != 16 {
				t.Errorf("code length %d, want 16", len(code))
			}
		},
		faultLongLivedAccessTokens: func(t *testing.T, e *testEnv) {
			pub := e.register(t, "none")
			code, verifier := e.code(t, pub.ClientID)
			if res := e.postToken(t, stdToken(pub.ClientID, code, verifier), nil); res.Body["expires_in"] != float64(30*24*3600) {
				t.Errorf("expires_in %v", res.Body["expires_in"])
			}
		},
		faultDPoPAlgNone: func(t *testing.T, e *testEnv) {
			wantMember(t, e, rfc8414Inserted, "dpop_signing_alg_values_supported", []any{"none"})
		},
		faultAuthorizeOpenRedirect: func(t *testing.T, e *testEnv) {
			resp, _ := e.browser().Get(testIssuer + "/authorize?next=https%3A%2F%2Fattacker.invalid%2Fx")
			if resp.Header.Get("Location") != "https://attacker.invalid/x" {
				t.Errorf("no open redirect: %d", resp.StatusCode)
			}
		},
		faultTokenInRedirect: func(t *testing.T, e *testEnv) {
			_, challenge := pkce()
			q := redirectParams(t, e.runFlow(t, e.browser(), stdAuthz(e.register(t, "none").ClientID, challenge), "approve"))
			if q.Get("access_token") == "" {
				t.Errorf("no access_token in %v", q)
			}
		},
		faultNoBruteForceProtection: func(t *testing.T, e *testEnv) {
			conf := e.register(t, "client_secret_basic")
			form := url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {testRedirect}}
			for range maxAuthFailures + 2 {
				if res := e.postToken(t, form, basicAuth(conf.ClientID, "wrong")); res.Status == http.StatusTooManyRequests {
					t.Fatal("locked out")
				}
			}
		},
	}
	for name, f := range effects {
		faultEffects[name] = f
	}
}

func TestCIMDClientAtTokenEndpoint(t *testing.T) {
	d := newDocServer(t)
	e := newCIMDEnv(t, d)
	id := d.set("/t.json", docAnswer{status: 200})
	d.set("/t.json", docAnswer{status: 200, body: document(id)})
	res := e.postToken(t, url.Values{"grant_type": {"urn:example:unknown"}, "client_id": {id}}, nil)
	if res.errorCode() != errUnsupportedGrantType {
		t.Errorf("a metadata-document client's first token request: %d %v, want unsupported_grant_type", res.Status, res.Body)
	}
}
