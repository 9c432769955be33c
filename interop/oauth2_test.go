package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/mcpauth/conformance/refserver"
	"github.com/mcpauth/conformance/suite/framework"
)

// TestOAuth2Client: a client built on golang.org/x/oauth2 with its PKCE
// helpers completes the flow an MCP client runs, from the MCP URL alone: the
// 401 challenge names the protected resource metadata, which names the
// authorization server; the client registers (RFC 7591), runs the code flow
// with S256 and resource, redeems the code, calls the MCP endpoint with the
// token, and refreshes it.
func TestOAuth2Client(t *testing.T) {
	inst, httpClient := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, httpClient)
	mcpURL := inst.Origin + "/mcp"

	// The 401 challenge and the protected resource metadata.
	resp := post(t, httpClient, mcpURL, "", initialize)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unauthenticated initialize: %s", resp.Status)
	}
	challenges, problems := framework.ParseWWWAuthenticate(resp.Header.Values("WWW-Authenticate"))
	if len(challenges) != 1 || len(problems) > 0 {
		t.Fatalf("WWW-Authenticate %q: %v", resp.Header.Values("WWW-Authenticate"), problems)
	}
	prmURL, _ := challenges[0].Param("resource_metadata")
	var prm struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
	}
	getJSON(t, httpClient, prmURL, &prm)
	if prm.Resource != mcpURL || len(prm.AuthorizationServers) == 0 {
		t.Fatalf("protected resource metadata: %+v", prm)
	}

	// Authorization server metadata (RFC 8414 §3, path inserted) and DCR.
	issuer := prm.AuthorizationServers[0]
	wellKnown, err := framework.WellKnownURL(issuer, "oauth-authorization-server", framework.FormInserted)
	if err != nil {
		t.Fatal(err)
	}
	var as struct {
		Issuer                string `json:"issuer"`
		AuthorizationEndpoint string `json:"authorization_endpoint"`
		TokenEndpoint         string `json:"token_endpoint"`
		RegistrationEndpoint  string `json:"registration_endpoint"`
	}
	getJSON(t, httpClient, wellKnown, &as)
	if as.Issuer != issuer {
		t.Fatalf("issuer %q, want %q", as.Issuer, issuer)
	}
	reg, _ := json.Marshal(map[string]any{
		"redirect_uris": []string{redirectURI}, "token_endpoint_auth_method": "none", "client_name": "x/oauth2 interop test",
		"grant_types": []string{"authorization_code", "refresh_token"}, "response_types": []string{"code"},
	})
	resp = post(t, httpClient, as.RegistrationEndpoint, "", string(reg))
	var client struct {
		ClientID string `json:"client_id"`
	}
	decode(t, resp, http.StatusCreated, &client)

	// The code flow with x/oauth2's PKCE helpers and the resource parameter.
	cfg := &oauth2.Config{
		ClientID:    client.ClientID,
		Endpoint:    oauth2.Endpoint{AuthURL: as.AuthorizationEndpoint, TokenURL: as.TokenEndpoint, AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: redirectURI,
		Scopes:      strings.Fields(challengeScope(challenges[0])),
	}
	verifier := oauth2.GenerateVerifier()
	state := oauth2.GenerateVerifier()
	q, err := userAgent(httpClient, cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("resource", prm.Resource)))
	if err != nil {
		t.Fatalf("the authorization flow: %v", err)
	}
	if q.Get("state") != state || q.Get("iss") != issuer || q.Get("code") == "" {
		t.Fatalf("authorization response %v", q)
	}
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier), oauth2.SetAuthURLParam("resource", prm.Resource))
	if err != nil {
		t.Fatalf("code redemption: %v", err)
	}
	if tok.Type() != "Bearer" || tok.RefreshToken == "" {
		t.Fatalf("token type %q, refresh token present %v", tok.Type(), tok.RefreshToken != "")
	}

	// The token works at the MCP endpoint, through x/oauth2's client.
	call := func(tok *oauth2.Token) *http.Response {
		c := cfg.Client(ctx, tok)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, mcpURL, strings.NewReader(initialize))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	var result struct {
		Result struct {
			ProtocolVersion string `json:"protocolVersion"`
		} `json:"result"`
	}
	decode(t, call(tok), http.StatusOK, &result)
	if result.Result.ProtocolVersion == "" {
		t.Fatalf("initialize result without protocolVersion")
	}

	// A refresh (forced by marking the token expired) rotates the refresh
	// token, and the new access token works too.
	expired := *tok
	expired.Expiry = time.Now().Add(-time.Minute)
	fresh, err := cfg.TokenSource(ctx, &expired).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken {
		t.Errorf("the refresh did not issue new tokens")
	}
	decode(t, call(fresh), http.StatusOK, &result)
}

const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"interop","version":"1"}}}`

func challengeScope(c framework.Challenge) string {
	if s, ok := c.Param("scope"); ok {
		return s
	}
	return refserver.DefaultScopes[0]
}

func post(t *testing.T, c *http.Client, target, authorization, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func getJSON(t *testing.T, c *http.Client, target string, v any) {
	t.Helper()
	resp, err := c.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	decode(t, resp, http.StatusOK, v)
}

func decode(t *testing.T, resp *http.Response, status int, v any) {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != status {
		t.Fatalf("%s %s: %s, want %d: %.300s", resp.Request.Method, resp.Request.URL, resp.Status, status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%s: %v: %.300s", resp.Request.URL, err, body)
	}
}
