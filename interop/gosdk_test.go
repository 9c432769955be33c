package interop

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"

	"github.com/mcpauth/conformance/refserver"
)

// TestGoSDKClient: an MCP client built with the official Go SDK connects to
// the reference server's /mcp knowing only that URL. Its OAuth handler takes
// the 401, reads the protected resource metadata, discovers the
// authorization server, registers dynamically, runs the code flow with PKCE
// and resource, redeems the code, and then lists the tools and calls one.
func TestGoSDKClient(t *testing.T) {
	inst, httpClient := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	session, authURLs, err := sdkConnect(ctx, inst, httpClient)
	if err != nil {
		t.Fatalf("the SDK client could not connect to %s/mcp: %v", inst.Origin, err)
	}
	defer session.Close()

	if len(authURLs) != 1 {
		t.Fatalf("the SDK ran %d authorization flows, want 1", len(authURLs))
	}
	if q := queryOf(t, authURLs[0]); q.Get("resource") != inst.Origin+"/mcp" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		t.Errorf("the authorization request lacks resource=%s/mcp or S256 PKCE: %v", inst.Origin, q)
	}
	tools, err := session.ListTools(ctx, nil)
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	if len(tools.Tools) != 1 || tools.Tools[0].Name != "echo" {
		t.Fatalf("tools/list = %+v, want the echo tool", tools.Tools)
	}
	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "hello"}})
	if err != nil {
		t.Fatalf("tools/call: %v", err)
	}
	text, _ := res.Content[0].(*mcp.TextContent)
	if res.IsError || text == nil || text.Text != "hello (for "+refserver.DefaultUser.Username+")" {
		t.Fatalf("tools/call echo = %+v", res.Content)
	}
}

// TestGoSDKClientRefusesBrokenMetadata: the metadata defects the suite FAILs
// (RFC9728-3.3-resource-identical, RFC9728-3-well-known-location,
// RFC9728-3.2-response-format) also keep the SDK client out: it discards the
// document and falls back to treating the MCP origin as the authorization
// server, whose iss then does not match.
func TestGoSDKClientRefusesBrokenMetadata(t *testing.T) {
	for _, fault := range []string{"prm-resource-origin", "prm-undiscoverable", "prm-text-plain"} {
		t.Run(fault, func(t *testing.T) {
			inst, httpClient := startServer(t, fault)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			session, _, err := sdkConnect(ctx, inst, httpClient)
			if err == nil {
				session.Close()
				t.Fatalf("the SDK client connected although the server has the fault %s", fault)
			}
		})
	}
}

// sdkConnect connects an SDK client, with its OAuth authorization-code
// handler and dynamic registration, to the server's /mcp, and returns the
// session and the authorization URLs the handler opened.
func sdkConnect(ctx context.Context, inst *refserver.Instance, httpClient *http.Client) (*mcp.ClientSession, []string, error) {
	var authURLs []string
	handler, err := auth.NewAuthorizationCodeHandler(&auth.AuthorizationCodeHandlerConfig{
		DynamicClientRegistrationConfig: &auth.DynamicClientRegistrationConfig{
			Metadata: &oauthex.ClientRegistrationMetadata{
				RedirectURIs:            []string{redirectURI},
				ClientName:              "MCP Go SDK interop test",
				TokenEndpointAuthMethod: "none",
				GrantTypes:              []string{"authorization_code", "refresh_token"},
				ResponseTypes:           []string{"code"},
			},
		},
		RedirectURL: redirectURI,
		AuthorizationCodeFetcher: func(ctx context.Context, args *auth.AuthorizationArgs) (*auth.AuthorizationResult, error) {
			authURLs = append(authURLs, args.URL)
			q, err := userAgent(httpClient, args.URL)
			if err != nil {
				return nil, err
			}
			return &auth.AuthorizationResult{Code: q.Get("code"), State: q.Get("state"), Iss: q.Get("iss")}, nil
		},
		Client: httpClient,
	})
	if err != nil {
		return nil, nil, err
	}
	transport := &mcp.StreamableClientTransport{Endpoint: inst.Origin + "/mcp", HTTPClient: httpClient, OAuthHandler: handler}
	client := mcp.NewClient(&mcp.Implementation{Name: "interop", Version: "1"}, nil)
	session, err := client.Connect(ctx, transport, nil)
	return session, authURLs, err
}
