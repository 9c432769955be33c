package refserver

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// TestStartFlow drives a whole authorization over real loopback HTTPS, the way
// the suite does but without a browser: DCR, login, consent, code exchange,
// refresh, and access token verification with the published JWKS.
func TestStartFlow(t *testing.T) {
	inst, err := Start(Config{Addr: "127.0.0.1:0", IssuerPath: "/as"})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if !strings.HasPrefix(inst.Issuer, "https://127.0.0.1:") || !strings.HasSuffix(inst.Issuer, "/as") {
		t.Fatalf("issuer %s", inst.Issuer)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(inst.CACertPEM) {
		t.Fatal("CACertPEM holds no certificate")
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}},
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer browser.CloseIdleConnections()

	var meta map[string]any
	resp, err := browser.Get(inst.Origin + "/.well-known/oauth-authorization-server/as")
	if err != nil {
		t.Fatal(err)
	}
	decodeJSON(t, resp, &meta)
	if meta["issuer"] != inst.Issuer {
		t.Fatalf("metadata issuer %v, want %s", meta["issuer"], inst.Issuer)
	}

	resp, err = browser.Post(meta["registration_endpoint"].(string), "application/json",
		strings.NewReader(`{"redirect_uris":["`+testRedirect+`"],"token_endpoint_auth_method":"none","client_name":"flow"}`))
	if err != nil {
		t.Fatal(err)
	}
	var reg registration
	decodeJSON(t, resp, &reg)

	verifier, challenge := pkce()
	params := stdAuthz(reg.ClientID, challenge)
	params.Set("resource", inst.Origin+"/mcp")
	params.Set("scope", "mcp:read offline_access")
	resp, err = browser.Get(meta["authorization_endpoint"].(string) + "?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	login := formFields(readBody(t, resp))
	login.Set("username", "alice")
	login.Set("password", "wonderland")
	resp, err = browser.PostForm(inst.Issuer+"/login", login)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %v %v", err, resp.Status)
	}
	if c := resp.Cookies(); len(c) != 1 || c[0].Name != "__Host-refserver-session" {
		t.Errorf("session cookie %v", c)
	}
	resp, err = browser.Get(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	consent := formFields(readBody(t, resp))
	consent.Set("decision", "approve")
	resp, err = browser.PostForm(inst.Issuer+"/consent", consent)
	if err != nil {
		t.Fatal(err)
	}
	q := redirectParams(t, resp)
	if q.Get("iss") != inst.Issuer || q.Get("state") != params.Get("state") {
		t.Errorf("redirect %v", q)
	}

	form := stdToken(reg.ClientID, q.Get("code"), verifier)
	form.Set("resource", inst.Origin+"/mcp")
	resp, err = browser.PostForm(meta["token_endpoint"].(string), form)
	if err != nil {
		t.Fatal(err)
	}
	var tokens tokenResponse
	decodeJSON(t, resp, &tokens)
	if tokens.AccessToken == "" || tokens.RefreshToken == "" || tokens.Scope != "mcp:read offline_access" {
		t.Fatalf("token response %+v", tokens)
	}

	resp, err = browser.Get(meta["jwks_uri"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []jwk }
	decodeJSON(t, resp, &set)
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(tokens.AccessToken, claims, func(tok *jwt.Token) (any, error) {
		if tok.Header["kid"] != set.Keys[0].Kid {
			t.Errorf("kid %v is not the published one", tok.Header["kid"])
		}
		return &inst.Server.signingKey.PublicKey, nil
	}); err != nil {
		t.Fatal(err)
	}
	if claims["aud"] != inst.Origin+"/mcp" || claims["iss"] != inst.Issuer {
		t.Errorf("claims %v", claims)
	}

	resp, err = browser.PostForm(inst.Issuer+"/token", url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {tokens.RefreshToken}, "client_id": {reg.ClientID},
	})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh: %v %v", err, resp.Status)
	}
	resp.Body.Close()
}

func TestStartPlainHTTP(t *testing.T) {
	inst, err := Start(Config{Addr: "127.0.0.1:0", PlainHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if !strings.HasPrefix(inst.Issuer, "http://127.0.0.1:") || inst.Issuer != inst.Origin || inst.CACertPEM != nil {
		t.Fatalf("issuer %s origin %s CA %d bytes", inst.Issuer, inst.Origin, len(inst.CACertPEM))
	}
	if got := inst.Server.sessionCookieName(); got != "refserver-session" {
		t.Errorf("cookie name %s, want refserver-session without TLS", got)
	}
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Get(inst.Origin + "/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	var meta map[string]any
	decodeJSON(t, resp, &meta)
	if meta["token_endpoint"] != inst.Origin+"/token" {
		t.Errorf("token_endpoint %v", meta["token_endpoint"])
	}
}

func TestStartRejectsUnknownFault(t *testing.T) {
	if _, err := Start(Config{Addr: "127.0.0.1:0", Options: Options{Faults: []string{"nope"}}}); err == nil {
		t.Error("Start accepted an unknown fault")
	}
}
