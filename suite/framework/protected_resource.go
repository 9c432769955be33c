package framework

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ProtectedResource is what RFC 9728 discovery of an MCP server found: where
// its metadata is, the resource identifier, and its authorization servers.
type ProtectedResource struct {
	MCPServer            string
	MetadataURL          string
	Resource             string
	AuthorizationServers []string
}

// DiscoverProtectedResource finds the authorization server of an MCP server
// the way an MCP client does (MCP "Authorization Server Location"): an
// unauthenticated request to the MCP endpoint should get 401 with a
// WWW-Authenticate challenge naming the resource metadata; failing that, the
// well-known URL with the path inserted, then at the root (RFC 9728 §3.1).
// The first authorization server listed is the one tested.
func DiscoverProtectedResource(ctx context.Context, cfg *Config, mcpServer string) (*ProtectedResource, error) {
	transport, err := cfg.Transport()
	if err != nil {
		return nil, err
	}
	defer transport.CloseIdleConnections()
	client := NewHTTPClient(transport, cfg.Timeout, &Recorder{})
	u, err := url.Parse(mcpServer)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("the MCP server URL %q is not an absolute URL", mcpServer)
	}

	var candidates, tried []string
	probe := client.Send(ctx, Request{Method: http.MethodPost, URL: mcpServer,
		Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json, text/event-stream"}},
		Body:   []byte(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"mcp-oauth-conformance","version":"1"}}}`)})
	if probe.Err == nil && probe.Status == http.StatusUnauthorized {
		challenges, _ := ParseWWWAuthenticate(probe.ResponseHeader.Values("WWW-Authenticate"))
		for _, c := range challenges {
			if v, ok := c.Param("resource_metadata"); ok && c.IsScheme("Bearer") && v != "" {
				candidates = append(candidates, v)
			}
		}
	}
	origin := u.Scheme + "://" + u.Host
	// RFC 9728 §3.1: only a lone slash after the host is dropped.
	if path := u.EscapedPath(); path != "" && path != "/" {
		candidates = append(candidates, origin+"/.well-known/oauth-protected-resource"+path)
	}
	candidates = append(candidates, origin+"/.well-known/oauth-protected-resource")

	for _, c := range candidates {
		e := client.Get(ctx, c, http.Header{"Accept": {"application/json"}})
		// Leniently, as a client would: any 200 with a JSON object will do
		// here; the protectedresource specs judge the document's format.
		var doc map[string]any
		problem := ""
		switch {
		case e.Err != nil:
			problem = e.Err.Error()
		case e.Status != http.StatusOK:
			problem = fmt.Sprintf("status %d", e.Status)
		default:
			var err error
			if doc, err = ParseJSONObject(bytes.TrimPrefix(e.Body, utf8BOM)); err != nil {
				problem = err.Error()
			}
		}
		if problem == "" {
			servers, ok := MemberStrings(doc, "authorization_servers")
			if !ok || len(servers) == 0 {
				problem = "no authorization_servers array"
			} else {
				pr := &ProtectedResource{MCPServer: mcpServer, MetadataURL: c, AuthorizationServers: servers}
				pr.Resource, _ = MemberString(doc, "resource")
				return pr, nil
			}
		}
		tried = append(tried, fmt.Sprintf("%s: %s", c, problem))
	}
	return nil, fmt.Errorf("no RFC 9728 resource metadata naming an authorization server was found for %s (the unauthenticated request got %s); tried:\n  %s\nGive the issuer with --target instead",
		mcpServer, probe.Summary(), strings.Join(tried, "\n  "))
}
